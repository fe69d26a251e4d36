#!/usr/bin/env bash
# Debian packages the project needs: Pango (WeasyPrint's PDF layout), fonts with Spanish
# glyphs, poppler-utils (pdftotext/pdftoppm: the tests read the PDFs back) and chromium
# (Playwright drives it in the dashboard tests; no browser is ever downloaded), the last
# only with --test (`make test`): `make demo` does not need a browser.
# Installs only what is missing, and only when it can.
set -euo pipefail
need=()
ldconfig -p 2>/dev/null | grep libpango-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
fc-list 2>/dev/null | grep -i dejavu >/dev/null || need+=(fonts-dejavu-core fontconfig)
command -v pdftotext >/dev/null || need+=(poppler-utils)   # PDF text for the leak tests
if [ "${1:-}" = "--test" ]; then
  command -v chromium >/dev/null || need+=(chromium)       # the dashboard's browser tests
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "dhkit: installing Debian packages: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "dhkit: please install these Debian packages: ${need[*]} (sudo apt-get install ...)" >&2
  exit 1
fi
