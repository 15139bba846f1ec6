#!/usr/bin/env bash
# Debian packages the test suite needs: chromium (browser tests), gettext (catalogs),
# PostgreSQL (the second database CI runs on). Installs only what is missing.
# --if-root: do nothing (with a note) when not root, so `make test` works for any user.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  if [ "${1:-}" = "--if-root" ]; then
    echo "Thiếu gói Debian: ${need[*]} (cần quyền root để cài: sudo scripts/system-deps.sh)." >&2
    exit 0
  fi
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "Đã cài: ${need[*]}"
