#!/usr/bin/env bash
# deps.sh - make sure the Debian packages poolscope builds with are installed.
#
# Installs what is missing when run as root (apt-get), otherwise prints the
# exact command to run and fails. Called by `make`, so a fresh Debian 12
# machine needs nothing but git, make and this script.
set -eu

PACKAGES="cmake make gcc clang lld llvm pkg-config libedit-dev libjansson-dev
libzydis-dev libcurl4-openssl-dev libmspack-dev libclang-rt-14-dev
gcc-mingw-w64-i686 gcc-mingw-w64-x86-64 binutils python3 zlib1g-dev gcab time"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q $missing >/dev/null
else
	echo "deps.sh: missing Debian packages. Install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
