#!/usr/bin/env bash
# First step of action.yml: check the inputs before anything is installed, so that a typo
# ("True", "errors") fails at once with a message instead of quietly meaning "false".
set -uo pipefail
problems=0
say() { # one ::error:: line; the value is the workflow author's, but a newline must not start a command
  local text="${1//$'\n'/ }"
  echo "::error title=planc action inputs::${text//$'\r'/ }"
  problems=$((problems + 1))
}
[ -n "${PLAN_PATH:-}" ] || say "plan-path is empty: name the quarter folder to check (e.g. plans/2027-Q2)"
case "${FAIL_LEVEL-error}" in
  error | warning | none) ;;
  *) say "fail-level is '${FAIL_LEVEL}': use error (fail on errors), warning (on errors or warnings) or none (never)" ;;
esac
for input in comment render; do
  variable="$(printf '%s' "$input" | tr '[:lower:]' '[:upper:]')"
  value="${!variable-false}"
  case "$value" in
    true | false) ;;
    *) say "$input is '$value': use \"true\" or \"false\"" ;;
  esac
done
case "${BASE_REF:-}" in
  -*) say "base-ref '$BASE_REF' starts with '-': give a branch, a tag or a commit" ;;
esac
[ "$problems" -eq 0 ] || exit 2
