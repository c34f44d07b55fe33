#!/bin/sh
# Install the Debian packages hull needs to build, test and benchmark;
# do nothing when they are all present. Called by `make deps`.
set -eu

PACKAGES="
  gcc make libc6-dev pkg-config musl-tools
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
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
  exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
