#!/usr/bin/env bash
# Debian packages the system needs beyond Python: a CJK font (PDFs must show Chinese),
# HarfBuzz subsetting (WeasyPrint is 10x slower without it), Pango (WeasyPrint), poppler-utils
# (tests read PDFs back), Chromium (browser tests) and LibreOffice Calc (tests open every workbook
# in a real spreadsheet program). Installs only what is missing.
set -euo pipefail
need=()
for pkg in fonts-wqy-zenhei libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium \
           libreoffice-calc-nogui; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "missing Debian packages: ${need[*]} (install them as root)" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
