#!/usr/bin/env bash
# Step of action.yml: planc check with annotations (and the job summary),
# the error count as an output, and the step's verdict by fail-level.
set -uo pipefail
: "${PLAN_PATH:?}" "${FAIL_LEVEL:=error}" "${GITHUB_OUTPUT:=/dev/null}"
case "$FAIL_LEVEL" in error|warning|none) ;; *) echo "fail-level must be error, warning or none, not '$FAIL_LEVEL'" >&2; exit 2 ;; esac

planc check "$PLAN_PATH" --format github
planc check "$PLAN_PATH" --format json --output planc-check.json >/dev/null
status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi
errors="$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["error"])' planc-check.json)"
warnings="$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["warning"])' planc-check.json)"
echo "error-count=$errors" >> "$GITHUB_OUTPUT"
if [ "$FAIL_LEVEL" = error ] && [ "$errors" -gt 0 ]; then exit 1; fi
if [ "$FAIL_LEVEL" = warning ] && [ $((errors + warnings)) -gt 0 ]; then exit 1; fi
exit 0
