#!/usr/bin/env bash
# The main job on the shipped example quarter: check the plan (and, once `planc render`
# lands, render the site), then say where the site is. Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

plan="${1:-plans/2027-Q1}"
planc check "$plan"
echo "site: not rendered yet: planc render (issue #3) will write it to site/index.html"
