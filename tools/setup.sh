#!/bin/bash
# Install what building and testing ipa needs on Debian 12 (run as root).
# Idempotent: does nothing when every package is already there.
set -euo pipefail

packages=(
  gcc g++ clang libclang-rt-14-dev make pkg-config meson ninja-build
  libglib2.0-dev libglib2.0-dev-bin libsystemd-dev libgdbm-dev gdbmtool
  gettext valgrind binutils
  dbus systemd iproute2 nftables libnftables-dev libmnl-dev libnftnl-dev
  iputils-ping netcat-openbsd jq xfsprogs man-db groff-base libxml2-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
    || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
