#!/usr/bin/env bash
# Install the system programs the tests drive for real: headless Chromium + ChromeDriver (tests/test_ui_browser.py),
# a PostgreSQL server (tests/test_postgres.py) and Caddy, the UI's documented proxy (tests/test_cli.py). Installs
# only what is missing, so a second call costs a few
# `command -v` checks. Needs root (CI runs as root) and Debian's package index.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# Debian's postgresql package puts initdb/pg_ctl under /usr/lib/postgresql/<version>/bin, not on PATH.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v caddy >/dev/null || missing+=(caddy)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ci_services: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "ci_services: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
