#!/usr/bin/env bash
# Install a CJK font for the generated business-licence images (idempotent).
#
# The OCR benchmark and tests render Chinese licences (models/documents/synthetic.py) and
# need a font with Chinese glyphs; the project takes it from Debian (fonts-wqy-zenhei). Nothing
# is done when one is present. As root, a missing font is installed with apt-get; otherwise the
# command to run is printed. Exit status: 0 when a font is there (or was installed); when it is
# missing and cannot be installed, 1 under CI=true, else 0 (the tests that need it skip).
set -euo pipefail

PACKAGES=(fonts-wqy-zenhei)

have_font() {
  [[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]] && return 0
  command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh file 2>/dev/null)" ]]
}

if have_font; then
  echo "CJK font present"
  exit 0
fi

echo "no CJK font installed"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  fi
  if have_font; then
    echo "CJK font installed (${PACKAGES[*]})"
    exit 0
  fi
fi

echo "install it with: apt-get install ${PACKAGES[*]}" >&2
if [[ "${CI:-}" == "true" ]]; then
  exit 1
fi
exit 0
