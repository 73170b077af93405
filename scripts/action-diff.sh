#!/usr/bin/env bash
# Step of action.yml: planc diff against base-ref (its merge-base with HEAD),
# markdown report in planc-impact.md, has_changes written by planc itself.
set -uo pipefail
: "${PLAN_PATH:?}" "${BASE_REF:?}"
base="$(git merge-base HEAD "$BASE_REF")" || {
  echo "cannot find the merge-base of HEAD and $BASE_REF: check out with fetch-depth: 0" >&2
  exit 2
}
status=0
planc diff "$PLAN_PATH" --base "$base" --format markdown --output planc-impact.md --detailed-exitcode || status=$?
# 0 no change, 2 changes: both fine here; errors (1) are the check step's verdict.
if [ "$status" -ge 3 ]; then exit "$status"; fi
exit 0
