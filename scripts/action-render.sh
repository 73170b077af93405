#!/usr/bin/env bash
# Step of action.yml: planc render into site-path. A plan with errors cannot be rendered; the
# step gets here with errors only under fail-level none, which means "never fail for what
# planc finds": then no site, an empty site-path output and a warning, not a failure.
set -uo pipefail
: "${PLAN_PATH:?}" "${SITE_PATH:?}" "${FAIL_LEVEL:=error}" "${GITHUB_OUTPUT:=/dev/null}"
status=0
planc render "$PLAN_PATH" --out "$SITE_PATH" || status=$?
if [ "$status" -eq 0 ]; then
  echo "site-path=$SITE_PATH" >> "$GITHUB_OUTPUT"
  exit 0
fi
if [ "$status" -eq 1 ] && [ "$FAIL_LEVEL" = none ]; then
  echo "::warning title=planc render::the plan has errors, so no site was rendered (fail-level: none does not fail the step; site-path is empty)"
  echo "site-path=" >> "$GITHUB_OUTPUT"
  exit 0
fi
exit "$status"
