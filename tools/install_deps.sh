#!/usr/bin/env bash
# Install the Debian 12 packages ceval builds and tests with (see README, "Dependencies").
set -euo pipefail
pkgs=(build-essential pkg-config
      libopenblas-dev libyaml-dev libzstd-dev zstd libcmocka-dev libutf8proc-dev libjansson-dev libcurl4-openssl-dev
      libmicrohttpd-dev
      libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev
      clang libclang-rt-14-dev python3-numpy
      openmpi-bin)
# headless Chromium renders the HTML reports in tests/cli/test_report_html.sh (large: ~300 MB
# installed); CEVAL_NO_BROWSER=1 leaves it out (then run the tests with CEVAL_SKIP_BROWSER=1)
[ "${CEVAL_NO_BROWSER:-0}" = 1 ] || pkgs+=(chromium)
# `make portability` (tests/portability.sh): qemu user-mode emulation, the arm64 cross
# compiler and the arm64 multiarch -dev packages of the libraries above (on an amd64 host);
# CEVAL_NO_CROSS=1 leaves them out
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ "${CEVAL_NO_CROSS:-0}" != 1 ] && [ "$(dpkg --print-architecture)" = amd64 ]; then
	dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
	pkgs+=(qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
	for p in libopenblas-dev libyaml-dev libzstd-dev libcmocka-dev libutf8proc-dev libjansson-dev \
		 libcurl4-openssl-dev libmicrohttpd-dev libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev; do
		pkgs+=("$p:arm64")
	done
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install_deps: all packages present"
	exit 0
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
