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
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install_deps: all packages present"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
