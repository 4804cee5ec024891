#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (playwright-core never downloads a browser). On a fresh machine it is not
# installed yet: install it from Debian's packages when we can (root + apt), otherwise say exactly what to do.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing Debian's chromium package for the browser tests…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  [ -x "$bin" ] && exit 0
fi
echo "The browser tests need Chromium at $bin: run \`sudo apt-get install chromium\` (or set CHROMIUM_PATH)." >&2
exit 1
