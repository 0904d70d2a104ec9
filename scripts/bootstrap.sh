#!/usr/bin/env bash
# Sets up .venv with the locked dependencies, on a fresh machine or an old one.
#   scripts/bootstrap.sh          what ships (requirements/runtime.lock)
#   scripts/bootstrap.sh dev      plus the test, lint and type-check tools (dev.lock)
# Rasa 3.6 needs Python 3.10: taken from PATH, then from pyenv, else obtained
# with uv where the internet is reachable; otherwise it stops and says what to
# install. A second run, with the lock file unchanged, does nothing; the
# runtime set is also satisfied by an installed dev set (a superset, same pins).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
SET="${1:-runtime}"
case "$SET" in
  runtime) LOCK=requirements/runtime.lock ;;
  dev) LOCK=requirements/dev.lock ;;
  *) echo "usage: scripts/bootstrap.sh [runtime|dev]" >&2; exit 2 ;;
esac
UV_VERSION=0.13.9
STAMP="$VENV/.installed-lock"
want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
dev_hash="$(sha256sum requirements/dev.lock | cut -d' ' -f1)"

# The website widget's one dependency, socket.io-client, from the npm lock file;
# the dev set adds axe-core, the accessibility audit of the browser tests.
WEB=bot/web
web_hash="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
web_have="$(cat "$WEB/node_modules/.installed-lock" 2>/dev/null || true)"
# the set asked for, or the dev set (which holds the runtime one)
if [ "$web_have" != "$web_hash $SET" ] && [ "$web_have" != "$web_hash dev" ]; then
  command -v npm >/dev/null 2>&1 || {
    echo "ERROR: npm is needed for the website widget (apt-get install nodejs npm)." >&2; exit 1; }
  omit=(); [ "$SET" = dev ] || omit=(--omit=dev)
  npm ci --prefix "$WEB" "${omit[@]}" --no-audit --no-fund --loglevel=error
  echo "$web_hash $SET" > "$WEB/node_modules/.installed-lock"
fi

have="$(cat "$STAMP" 2>/dev/null || true)"
if [ -x "$VENV/bin/python" ] && { [ "$have" = "$want" ] || [ "$have" = "$dev_hash" ]; }; then
  exit 0
fi

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_uv() {
  if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
  local tools=".cache/uv-tools"
  if [ ! -x "$tools/bin/uv" ]; then
    echo "Installing uv $UV_VERSION into $tools ..." >&2
    python3 -m venv "$tools" >&2 && "$tools/bin/pip" install -q "uv==$UV_VERSION" >&2 || return 1
  fi
  echo "$tools/bin/uv"
}

find_python() {
  local candidate
  for candidate in python3.10 python3; do
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    if is_310 "$candidate"; then echo "$candidate"; return; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do
      if [ -x "$candidate" ] && is_310 "$candidate"; then echo "$candidate"; return; fi
    done
  fi
  local uv
  if uv="$(find_uv)"; then
    candidate="$("$uv" python find 3.10 2>/dev/null)" && is_310 "$candidate" && { echo "$candidate"; return; }
    echo "No Python 3.10 found; asking uv to download one ..." >&2
    if "$uv" python install 3.10 >&2; then
      candidate="$("$uv" python find 3.10)" && { echo "$candidate"; return; }
    fi
  fi
  return 1
}

if ! PYTHON="$(find_python)"; then
  cat >&2 <<'MSG'
ERROR: Rasa 3.6 needs Python 3.10, and none was found (PATH, pyenv) or could be
downloaded (no internet?). Install Python 3.10, for example with
  pyenv install 3.10      or      apt-get install python3.10 python3.10-venv
then run this command again.
MSG
  exit 1
fi
echo "Using Python 3.10 at $PYTHON"

UV="$(find_uv)" || { echo "ERROR: could not install uv (pip install uv==$UV_VERSION)" >&2; exit 1; }
"$UV" venv --quiet --allow-existing --python "$PYTHON" "$VENV"
"$UV" pip sync --quiet --python "$VENV/bin/python" "$LOCK"
echo "$want" > "$STAMP"
echo "Environment ready in $VENV"
