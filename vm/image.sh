#!/bin/sh
# vm/image.sh BUILD OUT — the guest's initramfs (newc cpio, uncompressed:
# copying beats decompressing under emulation) from what the build made and
# Debian packages only:
#   /bin        busybox-static and its applets, hull, hull-harness (+ the
#               shared libraries ldd names, copied from the host's Debian)
#   /rootfs     the default container rootfs (build/rootfs, with the probe)
#   /init, /vm  the guest's init and its checks (vm/guest/)
# It depends on the built binaries and the CLI only, not on source paths
# (VM_E2E=1, below, adds tests/e2e/*.py and Debian's python3 + pytest).
set -eu
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
# Not *.d: the Makefile includes every *.d under build/ as dependencies.
stage=$out.stage
trap 'rm -rf "$stage"' EXIT
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/rootfs" "$stage/vm" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/tmp" "$stage/run" "$stage/newroot"

cp /bin/busybox "$stage/bin/busybox"
# Not setpriv: busybox's lacks util-linux's --reuid, and a test that finds
# a setpriv expects util-linux's (without one it skips).
for applet in $(/bin/busybox --list); do
	[ "$applet" = setpriv ] || [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
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
# The e2e tests' view of a build directory (HULL_BUILD=/build in the guest).
mkdir -p "$stage/build/bin"
ln -s /bin/hull "$stage/build/bin/hull"
ln -s /bin/hull-harness "$stage/build/bin/hull-harness"
ln -s /rootfs/bin/hull-probe "$stage/build/bin/hull-probe"
ln -s /rootfs "$stage/build/rootfs"

# VM_E2E=1: a core subset of the e2e suite runs in the guest too, so the
# image gets Debian's python3 and pytest (with their compiled modules:
# compiling under emulation is slow) and the e2e files of this tree. Off by
# default: it adds 60 MiB and up to 4 minutes under emulation.
if [ "${VM_E2E:-0}" = 1 ]; then
	py=$(readlink -f /usr/bin/python3)
	pyver=${py##*/}
	cp "$py" "$stage/bin/python3"
	# test_probe.py reads the probe's ELF header with binutils' readelf.
	cp "$(command -v readelf)" "$stage/bin/readelf"
	# ...and the libraries of python's extension modules (ctypes: libffi).
	for lib in $(for b in "$py" "$(command -v readelf)" /usr/lib/"$pyver"/lib-dynload/*.so; do
		ldd "$b"
	done |
		awk '/\//{ print $(NF-1) }' | sort -u); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
	mkdir -p "$stage/usr/lib/$pyver" "$stage/usr/lib/python3/dist-packages"
	(cd "/usr/lib/$pyver" && tar -c --exclude=./test --exclude=./idlelib --exclude=./tkinter \
		--exclude=./ensurepip --exclude=./lib2to3 --exclude=./turtledemo --exclude=./pydoc_data \
		--exclude='./config-*' --exclude=./site-packages --exclude=./dist-packages .) |
		tar -x -C "$stage/usr/lib/$pyver"
	# python3-pytest and the Debian packages it depends on, as installed.
	deps=$(dpkg-query -W -f='${Depends}' python3-pytest | tr ',|' '\n\n' |
		awk '$1 ~ /^python3-/ { print $1 }')
	for m in $(dpkg -L python3-pytest $deps 2>/dev/null |
		sed -n 's|^/usr/lib/python3/dist-packages/\([^/]*\).*|\1|p' | sort -u); do
		cp -a "/usr/lib/python3/dist-packages/$m" "$stage/usr/lib/python3/dist-packages/"
	done
	mkdir -p "$stage/repo/tests/e2e"
	cp "$here"/../tests/e2e/*.py "$here"/../tests/e2e/pytest.ini "$stage/repo/tests/e2e/"
	# The helpers conftest.py imports (tests/pylib), wherever they are.
	if [ -d "$here/../tests/pylib" ]; then
		mkdir -p "$stage/repo/tests/pylib"
		cp "$here"/../tests/pylib/*.py "$stage/repo/tests/pylib/"
	fi
fi
cp "$here/guest/init" "$stage/init"
cp "$here"/guest/*.sh "$stage/vm/"
chmod 0755 "$stage/init" "$stage/vm/checks.sh"

(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
echo "vm: initramfs $out ($(($(wc -c < "$out") / 1048576)) MiB)"
