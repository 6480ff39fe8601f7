#!/usr/bin/env bash
# Install Debian's headless Chromium for the browser tests (idempotent; infra/install_debian.sh).
#
# The browser tests (marker `browser`, tests/browser/) open the APIs' docs, the dbt docs and the
# procurement page in a real browser with the network cut off. No browser is downloaded by a
# test tool: the project takes Debian's `chromium` package.
exec bash "$(dirname "$0")/install_debian.sh" chromium \
  'command -v chromium || command -v chromium-browser' chromium
