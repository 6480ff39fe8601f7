#!/usr/bin/env bash
# Install Debian packages a test or bench needs, when what they provide is missing (idempotent).
#
# Usage: install_debian.sh WHAT CHECK PACKAGE...
#   WHAT     what is installed, for the messages ("a CJK font", "chromium")
#   CHECK    a shell command that succeeds when it is already there
#   PACKAGE  the Debian packages that provide it
# Nothing is done when CHECK succeeds. As root, the packages are installed with apt-get
# (after an `apt-get update` if the first try fails); otherwise the command to run is printed.
# Exit status: 0 when it is there (or was installed); when it is missing and cannot be
# installed, 1 under CI=true, else 0 (the tests that need it skip).
set -euo pipefail

what=$1 check=$2
shift 2
packages=("$@")

have() { bash -c "$check" >/dev/null 2>&1; }

if have; then
  echo "$what present"
  exit 0
fi

echo "no $what installed"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${packages[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${packages[@]}"
  fi
  if have; then
    echo "$what installed (${packages[*]})"
    exit 0
  fi
fi

echo "install it with: apt-get install ${packages[*]}" >&2
if [[ "${CI:-}" == "true" ]]; then
  exit 1
fi
exit 0
