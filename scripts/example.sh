#!/usr/bin/env bash
# The main job on the shipped example quarter: check the plan, render the site into site/,
# then say where the site's index is. Installs what it needs first: planc's core and the site
# extra (Babel's locale data), not the dev tools (scripts/test.sh installs those) nor the
# extras for track, export and git.
set -euo pipefail
PLANC_EXTRAS="${PLANC_EXTRAS-site}"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

plan="${1:-plans/2027-Q1}"
planc check "$plan"
planc render "$plan" --out site
echo "open: site/index.html"
