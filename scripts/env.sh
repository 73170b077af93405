# Sourced by the other scripts: a virtualenv in .venv with planc installed.
# PLANC_EXTRAS names the extras to install: "dev" (the default: every extra and the dev
# tools, for scripts/test.sh), "site" (the core and Babel: what check and render need, for the
# main job) or "" (the core: what check needs).
# Reinstalls only when pyproject.toml or setup.py changed, or more extras are asked for
# than are installed (a stamp holds their hash and the extras).
# PLANC_VENV names a virtualenv to use instead of .venv, e.g. the main checkout's from a git
# worktree: this checkout's src/ then comes first on PYTHONPATH, so its code is what runs,
# and a venv another checkout installed is never reinstalled from this one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PLANC_VENV:-$root/.venv}"
python="${PYTHON:-python3}"
extras="${PLANC_EXTRAS-dev}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "planc needs Python 3.11 or newer; found: $("$python" --version 2>&1)" >&2
  exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || {
    echo "could not create a virtualenv; on Debian: apt-get install python3-venv" >&2
    exit 2
  }
fi
stamp="$venv/.planc-installed"
want="$(cat "$root/pyproject.toml" "$root/setup.py" | sha256sum | cut -d' ' -f1)"
have="$(head -n 1 "$stamp" 2>/dev/null || true)"
have_extras="$(sed -n 2p "$stamp" 2>/dev/null || true)"
# the core is in every install; dev includes every extra
if [ "$have" != "$want" ] || { [ -n "$extras" ] && [ "$have_extras" != "$extras" ] && [ "$have_extras" != dev ]; }; then
  # the checkout the venv's planc is installed from (editable), if any: without PYTHONPATH
  have_root="$(env -u PYTHONPATH "$venv/bin/python" -c 'import importlib.util as u, pathlib
s = u.find_spec("planc")
print(pathlib.Path(s.origin).parents[2] if s and s.origin else "")' 2>/dev/null || true)"
  if [ -n "$have_root" ] && [ -f "$have_root/pyproject.toml" ] && [ "$(cd "$have_root" && pwd -P)" != "$(cd "$root" && pwd -P)" ]; then
    # reinstalling would point the other checkout's venv at this one: say so instead
    echo "$venv holds planc installed from $have_root, and $root needs another install" \
      "(its pyproject.toml, setup.py or PLANC_EXTRAS differ); give PLANC_VENV a virtualenv" \
      "of its own, or unset it to use $root/.venv" >&2
    exit 2
  fi
  target="$root${extras:+[$extras]}"
  echo "installing planc${extras:+[$extras]} and its dependencies into $venv ..." >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet -e "$target" >&2
  printf '%s\n%s\n' "$want" "$extras" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
# this checkout's code, whichever checkout the venv's editable install points at
export PYTHONPATH="$root/src${PYTHONPATH:+:$PYTHONPATH}"
cd "$root"
