# Sourced by the other scripts: a virtualenv in .venv with planc and its dev tools installed.
# Reinstalls only when pyproject.toml or setup.py changed (a stamp holds their hash).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PLANC_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

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
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing planc and its dependencies into $venv ..." >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet -e "$root[dev]" >&2
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
cd "$root"
