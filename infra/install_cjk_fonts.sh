#!/usr/bin/env bash
# Install a CJK font for the generated business-licence images (idempotent; infra/install_debian.sh).
#
# The OCR benchmark and tests render Chinese licences (models/documents/synthetic.py) and need a
# font with Chinese glyphs; the project takes it from Debian (fonts-wqy-zenhei).
exec bash "$(dirname "$0")/install_debian.sh" "a CJK font" \
  '[[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]] || [[ -n "$(fc-list :lang=zh file 2>/dev/null)" ]]' \
  fonts-wqy-zenhei
