#!/usr/bin/env bash
# What the tests need beyond Python: Debian's chromium (browser tests),
# postgresql and redis-server (production profile), nginx and openssl (the
# reverse proxy in front of it, with a throwaway certificate). The tests start their own
# throwaway servers on loopback; this only makes sure the programs are there,
# installing them where it can (root with apt-get), else saying what is missing.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
else
  echo "ERROR: the tests need: ${missing[*]}. Install them, e.g." >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
