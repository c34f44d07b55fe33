#!/bin/sh
# vm/image.sh BUILD OUT — the guest's initramfs (newc cpio, uncompressed:
# copying beats decompressing under emulation) from what the build made and
# Debian packages only:
#   /bin        busybox-static and its applets, hull, hull-harness (+ the
#               shared libraries ldd names, copied from the host's Debian)
#   /rootfs     the default container rootfs (build/rootfs, with the probe)
#   /init, /vm  the guest's init and its checks (vm/guest/)
# It depends on the built binaries and the CLI only, not on source paths.
set -eu
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/rootfs" "$stage/vm" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/tmp" "$stage/run" "$stage/newroot"

cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
# Stripped copies: the guest has no debugger, and the image stays small.
strip -o "$stage/bin/hull" "$build/bin/hull"
strip -o "$stage/bin/hull-harness" "$build/bin/hull-harness"
# hull-harness may be dynamic (json-c, libm, libc): its libraries, as ldd
# names them, at the same paths.
for lib in $(ldd "$build/bin/hull-harness" 2>/dev/null | awk '/\//{ print $(NF-1) }'); do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
cp -a "$build/rootfs/." "$stage/rootfs/"
cp "$here/guest/init" "$stage/init"
cp "$here"/guest/*.sh "$stage/vm/"
chmod 0755 "$stage/init" "$stage/vm/checks.sh"

(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "vm: initramfs $out ($(($(wc -c < "$out") / 1048576)) MiB)"
