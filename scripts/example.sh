#!/usr/bin/env bash
# The main job on the shipped example quarter: check the plan, render the site into site/,
# then say where the site's index is. Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

plan="${1:-plans/2027-Q1}"
planc check "$plan"
planc render "$plan" --out site
echo "open: $(pwd)/site/index.html"
