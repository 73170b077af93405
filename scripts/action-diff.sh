#!/usr/bin/env bash
# Step of action.yml: planc diff against base-ref (its merge-base with HEAD), the markdown
# report in planc-impact.md, has_changes written by planc itself. A base-ref that is not
# here, or a history too shallow to find the merge-base, is said plainly (exit 2).
set -uo pipefail
: "${PLAN_PATH:?}" "${BASE_REF:?}"
shallow="$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)"
deepen="check out with actions/checkout's fetch-depth: 0, so the base branch and its history are here"
if [[ "$BASE_REF" == -* ]] || ! git rev-parse --verify --quiet "${BASE_REF}^{commit}" >/dev/null; then
  if [ "$shallow" = true ]; then
    echo "planc: base-ref '$BASE_REF' is not in this clone, which is shallow: $deepen" >&2
  else
    echo "planc: base-ref '$BASE_REF' does not exist in this repository: give a branch (origin/main), a tag or a commit" >&2
  fi
  if [[ "$BASE_REF" == */ ]]; then
    echo "planc: '$BASE_REF' ends with a slash: an expression such as origin/\${{ github.base_ref }} is empty outside pull requests; use \${{ github.event.pull_request.base.sha }}, which is empty on push, so the action makes no impact report there" >&2
  fi
  exit 2
fi
if ! base="$(git merge-base HEAD "$BASE_REF")"; then
  if [ "$shallow" = true ]; then
    echo "planc: this clone is too shallow to find where HEAD left '$BASE_REF': $deepen" >&2
  else
    echo "planc: HEAD and '$BASE_REF' share no history, so there is no merge-base to compare with" >&2
  fi
  exit 2
fi
status=0
planc diff "$PLAN_PATH" --base "$base" --format markdown --output planc-impact.md --detailed-exitcode || status=$?
# 0 no change, 2 changes: both fine here; errors (1) are the check step's verdict.
if [ "$status" -ge 3 ]; then exit "$status"; fi
exit 0
