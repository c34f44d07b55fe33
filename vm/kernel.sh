#!/bin/sh
# vm/kernel.sh DIR — fetch the Debian 6.1 cloud kernel the guest boots, into
# DIR (build/vm): DIR/vmlinuz, DIR/kernel.config and DIR/kernel.release.
#
# The version is the one apt offers today for linux-image-cloud-amd64 (a
# patch level pinned here would vanish from the mirror); the package is
# fetched with `apt-get download` and unpacked with `dpkg-deb -x` into the
# build tree: nothing is installed, nothing touches the host's /boot.
# VM_KERNEL_DEB=/path/to/linux-image-*.deb uses that file instead (offline).
set -eu
dir=$1
mkdir -p "$dir"
work=$(mktemp -d "$dir/kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT

deb=${VM_KERNEL_DEB:-}
if [ -z "$deb" ]; then
	# linux-image-cloud-amd64 is the metapackage; it depends on the
	# current linux-image-6.1.0-N-cloud-amd64.
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		echo "vm: apt knows no linux-image-cloud-amd64; updating the package lists"
		apt-get update -qq
		pkg=$(apt-cache depends linux-image-cloud-amd64 |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || { echo "vm: no Debian cloud kernel package found" >&2; exit 1; }
	echo "vm: fetching $pkg (apt-get download, not installed)"
	# As root apt would drop to _apt, who cannot write here: say so.
	(cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
	deb=$(ls "$work"/*.deb)
fi
dpkg-deb -x "$deb" "$work/x"
vmlinuz=$(ls "$work"/x/boot/vmlinuz-*)
release=${vmlinuz##*/vmlinuz-}
cp "$work"/x/boot/config-"$release" "$dir/kernel.config"
echo "$release" > "$dir/kernel.release"
# Last, so an interrupted fetch leaves no target make would trust.
cp "$vmlinuz" "$dir/vmlinuz.tmp" && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
echo "vm: kernel $release in $dir/vmlinuz"
