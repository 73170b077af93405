#!/usr/bin/env bash
# Step of action.yml: one planc check with annotations. planc itself writes every diagnostic
# to the job summary and error_count, warning_count to $GITHUB_OUTPUT; fail-level decides
# whether what it found fails the step. A usage or internal error (2, 3) always does.
set -uo pipefail
: "${PLAN_PATH:?}" "${FAIL_LEVEL:=error}"
strict=()
if [ "$FAIL_LEVEL" = warning ]; then strict=(--strict); fi
status=0
planc check "$PLAN_PATH" --format github "${strict[@]}" || status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi
if [ "$FAIL_LEVEL" = none ]; then exit 0; fi
exit "$status"
