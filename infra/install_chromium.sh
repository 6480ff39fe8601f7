#!/usr/bin/env bash
# Install Debian's headless Chromium for the browser tests (idempotent).
#
# The browser tests (marker `browser`, tests/browser/) open the APIs' docs, the dbt docs and the
# procurement page in a real browser with the network cut off. No browser is downloaded by a
# test tool: the project takes Debian's `chromium` package. Nothing is done when one is present.
# As root, a missing browser is installed with apt-get; otherwise the command to run is printed.
# Exit status: 0 when a browser is there (or was installed); when it is missing and cannot be
# installed, 1 under CI=true, else 0 (the browser tests skip).
set -euo pipefail

PACKAGES=(chromium)

have_browser() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if have_browser; then
  echo "chromium present"
  exit 0
fi

echo "no chromium installed"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  fi
  if have_browser; then
    echo "chromium installed (${PACKAGES[*]})"
    exit 0
  fi
fi

echo "install it with: apt-get install ${PACKAGES[*]}" >&2
if [[ "${CI:-}" == "true" ]]; then
  exit 1
fi
exit 0
