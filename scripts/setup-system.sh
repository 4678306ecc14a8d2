#!/usr/bin/env bash
# Makes sure the system packages that rendering (and, with --test, the test suite) needs are
# present. Installs them with apt-get when they are missing and we run as root; otherwise
# prints the exact command to run and fails. Does nothing (and is quick) when all are there.
set -euo pipefail

render_pkgs=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  # WeasyPrint's layout and font subsetting
  fontconfig
  fonts-noto-core   # Noto Sans / Serif, Noto Sans Hebrew: Latin, accented Latin, Hebrew
  fonts-noto-cjk    # Noto Sans CJK KR: Hangul
)
test_pkgs=(
  poppler-utils     # pdftotext, pdffonts, pdfinfo, pdftoppm: tests read the PDF back
  qpdf              # tests check the PDF's structure (tags, attachments) with qpdf --json
  chromium          # headless browser: axe-core and the hostile-input checks load the HTML
  default-jre-headless  # the W3C Nu HTML Checker (vnu-jar) runs on Java
  libreoffice-calc-nogui  # tests/e2e/test_workbook_office.py types into the template as a member would
  python3-uno       # … driving LibreOffice from Python (tests/support/office_typist.py)
)

pkgs=("${render_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=("${test_pkgs[@]}")
  # The browser checks' npm packages (tools/browser) need Node.js and npm; any install will do.
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "wgreport: not a Debian/Ubuntu system; make sure these (or their equivalents) are installed:" >&2
  echo "  ${pkgs[*]}" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -eq 0 ]]; then
  echo "wgreport: installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "wgreport: missing system packages: ${missing[*]}" >&2
  echo "Run this once, then run make again:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
