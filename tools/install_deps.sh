#!/bin/sh
# Installs the Debian packages the tests need, if they are missing (idempotent; quiet when all are present).
# Usage: sh tools/install_deps.sh [extra packages...]
set -eu
need=""
for pkg in gcc g++ clang libclang-rt-14-dev tcc make binutils bc gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user valgrind "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
[ -z "$need" ] && exit 0
echo "installing Debian packages:$need"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
