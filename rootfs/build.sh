#!/bin/sh
# Build the default container rootfs: Debian's static busybox with every
# applet as a symlink, the directories a container expects, a minimal /etc,
# and any extra static binaries (the probe) copied into /bin.
#
#   rootfs/build.sh OUTDIR [EXTRA_BINARY...]
#
# Idempotent: run it again and it brings OUTDIR up to date in place.
set -eu

out=$1; shift
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || { echo "rootfs: '$busybox' not found (make deps installs busybox-static)" >&2; exit 1; }
if ! file_is_static=$(LC_ALL=C readelf -d "$busybox" 2>/dev/null | grep -c NEEDED); then :; fi
[ "${file_is_static:-0}" -eq 0 ] || { echo "rootfs: '$busybox' is not static" >&2; exit 1; }

# Extras are named relative to the caller's directory: make them absolute
# before moving into the rootfs.
extras=""
for extra in "$@"; do
  extras="$extras $(realpath "$extra")"
done

mkdir -p "$out"
cd "$out"
mkdir -p bin sbin usr/bin usr/sbin etc root tmp proc dev sys var/tmp run
chmod 1777 tmp var/tmp
chmod 0700 root
cp -f "$busybox" bin/busybox

# One symlink per applet, at the path busybox itself reports for it.
bin/busybox --list-full | while read -r applet; do
  case $applet in bin/busybox|linuxrc) continue ;; esac
  dir=$(dirname "$applet")
  rel=$(echo "$dir" | sed 's#[^/][^/]*#..#g')
  ln -sfn "$rel/bin/busybox" "$applet"
done

echo hull > etc/hostname
cat > etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > etc/group <<'G'
root:x:0:
nogroup:x:65534:
G
cat > etc/hosts <<'H'
127.0.0.1 localhost
::1 localhost
H
# Marks this tree as hull's rootfs; tests look for it from inside.
echo "hull-rootfs" > etc/hull-rootfs

for extra in $extras; do
  cp -f "$extra" "bin/$(basename "$extra")"
done
