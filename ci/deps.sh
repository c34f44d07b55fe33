#!/bin/sh
# Install the Debian packages hull needs to build, test and benchmark
# (nothing when they are all present), then the musl builds of hull's
# libraries (ci/musl-deps.sh; nothing once built). Called by `make deps`.
set -eu

PACKAGES="
  gcc make libc6-dev pkg-config musl-tools
  dpkg-dev cmake bison flex gperf m4
  libcmocka-dev python3-pytest
  busybox-static
  libjson-c-dev libseccomp-dev libcap-dev libnl-route-3-dev nettle-dev
  containernetworking-plugins iperf3
  util-linux iproute2 procps strace
  hyperfine crun runc bubblewrap
  podman containerd
  g++ libbenchmark-dev python3-matplotlib
  lcov
  clang libclang-rt-14-dev
  qemu-system-x86 cpio
"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing="$missing $p"
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
    exit 1
  fi
  echo "deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The musl builds of the libraries above, for the musl hull (from Debian's
# source packages, cached outside the checkout; quiet once built). When
# they cannot be built, it says so in one line and hull builds with glibc.
"$(dirname "$0")/musl-deps.sh" || true
