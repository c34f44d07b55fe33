#!/bin/sh
# musl-deps.sh: the libraries hull links (libseccomp, libcap, json-c,
# libnl-3 + libnl-route-3, nettle), built from Debian's own source packages
# with musl-gcc as static, non-PIC archives, for the musl build of hull
# (core/musl/musl.mk; core/README.md, "Two C libraries").
#
#   ci/musl-deps.sh            build them unless already built (make deps);
#                              quiet when there is nothing to do
#   ci/musl-deps.sh --auto     the same for the Makefile: prints the prefix,
#                              and does not try again after a failed build
#                              (until the next plain run)
#   ci/musl-deps.sh --prefix   print the prefix when it is complete, else fail
#
# The prefix lives outside the checkout, so every clone and build dir shares
# it: /var/cache/hull-build/musl-<key> for root, else
# ${XDG_CACHE_HOME:-~/.cache}/hull-build/musl-<key>; HULL_MUSL_CACHE names
# another base directory. <key> hashes this script, the musl, kernel-header
# and gcc versions: any change builds a new prefix beside the old. The
# source packages are fetched with a private apt state (deb-src of
# bookworm, the system's apt configuration untouched), unpacked with
# Debian's patches applied. Needs musl-tools, cmake, bison, flex, gperf, m4,
# dpkg-dev and the network once (ci/deps.sh installs the packages); on any
# failure it prints one line and the build falls back to glibc.
set -eu

SOURCES="libcap2 libseccomp json-c libnl3 nettle"
TOOLS="musl-gcc gcc make cmake bison flex gperf m4 dpkg-source apt-get flock sha256sum"
MUSL_CC=${MUSL_CC:-musl-gcc}

mode=build
case "${1:-}" in
--auto) mode=auto ;;
--prefix) mode=prefix ;;
"") ;;
*) echo "usage: $0 [--auto|--prefix]" >&2; exit 2 ;;
esac

fail() {
	echo "musl-deps: $*" >&2
	exit 1
}

# What the built archives depend on besides this script.
versions=$(dpkg-query -W -f='${Package} ${Version}\n' musl-dev linux-libc-dev gcc 2>/dev/null || true)
key=$( (cat "$0"; echo "$versions") | sha256sum | cut -c1-12)
user_base=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/hull-build
if [ -n "${HULL_MUSL_CACHE:-}" ]; then
	bases=$HULL_MUSL_CACHE
else
	bases="/var/cache/hull-build $user_base"
fi

for b in $bases; do
	if [ -f "$b/musl-$key/.complete" ]; then
		[ "$mode" = build ] || echo "$b/musl-$key"
		exit 0
	fi
done
[ "$mode" = prefix ] && exit 1

# Build into the first base this user can write.
base=
for b in $bases; do
	if mkdir -p "$b" 2>/dev/null && [ -w "$b" ]; then
		base=$b
		break
	fi
done
# Before a build is tried, --auto is silent: make's note says glibc is used.
[ -n "$base" ] || { [ "$mode" = auto ] && exit 1; fail "no writable cache directory ($bases)"; }
prefix=$base/musl-$key
failed=$base/musl-$key.failed
[ "$mode" = auto ] && [ -f "$failed" ] && exit 1

missing=
for t in $TOOLS; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
# Missing tools: make deps installs them, and is what tries again.
[ -z "$missing" ] || { [ "$mode" = auto ] && exit 1; fail "missing tools:$missing (make deps installs them): hull builds with glibc"; }

exec 9>"$base/.lock"
flock 9
if [ -f "$prefix/.complete" ]; then
	[ "$mode" = auto ] && echo "$prefix"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/hull-musl-deps.XXXXXX")
log=$base/musl-$key.log
trap 'rm -rf "$work"' EXIT
echo "musl-deps: building $SOURCES for musl into $prefix (once, 1-2 minutes)" >&2
: >"$log"
step() {
	echo "== $*" >>"$log"
	"$@" >>"$log" 2>&1
}
failed_at() {
	echo "$1" >"$failed"
	fail "$1 (log: $log): hull builds with glibc"
}

stage=$work/prefix
kinc=$work/kernel-include
src=$work/src
mkdir -p "$stage/lib" "$stage/include/sys" "$stage/include/libnl3" "$kinc" "$src"
# musl-gcc searches musl's headers only: the kernel's come through links,
# as in core/musl/musl.mk.
asm=$(ls -d "/usr/include/$(gcc -dumpmachine)/asm" /usr/include/asm 2>/dev/null | head -n1)
ln -s /usr/include/linux "$kinc/linux"
ln -s /usr/include/asm-generic "$kinc/asm-generic"
ln -s "$asm" "$kinc/asm"
cc="$MUSL_CC -isystem $kinc"
cflags=-O2

# The source packages, with a private apt state (only deb-src of bookworm).
apt=$work/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
cat >"$apt/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
aptopts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt
 -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Acquire::Retries=1
 -o Acquire::http::Timeout=20 -o Debug::NoLocking=1"
[ "$(id -u)" -eq 0 ] && aptopts="$aptopts -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
step apt-get $aptopts update || failed_at "cannot fetch Debian's source index (network?)"
# shellcheck disable=SC2086
(cd "$src" && step apt-get $aptopts source $SOURCES) || failed_at "cannot fetch the sources ($SOURCES)"
dir() { find "$src" -maxdepth 1 -type d -name "$1-[0-9]*" | head -n1; }
j=$(nproc 2>/dev/null || echo 2)

# libcap: libcap.a only (no psx, no gperf table).
d=$(dir libcap2)
step make -C "$d/libcap" CC="$cc" BUILD_CC=gcc CFLAGS="$cflags" PTHREADS=no SHARED=no \
	USE_GPERF=no libcap.a || failed_at "libcap failed to build"
cp "$d/libcap/libcap.a" "$stage/lib/"
cp "$d/libcap/include/sys/capability.h" "$stage/include/sys/"

# libseccomp: the library and its headers.
d=$(dir libseccomp)
(cd "$d" && step ./configure CC="$cc" CFLAGS="$cflags" --prefix="$stage" --enable-static \
	--disable-shared && step make -j"$j" -C src install-libLTLIBRARIES &&
	step make -C include install) || failed_at "libseccomp failed to build"

# nettle: libnettle only (no hogweed, which needs gmp), no runtime cpu
# detection (--enable-fat would run cpuid at every start).
d=$(dir nettle)
(cd "$d" && step ./configure CC="$cc" --prefix="$stage" --disable-shared --disable-fat \
	--disable-documentation --disable-openssl && step make -j"$j" CFLAGS="$cflags" libnettle.a &&
	step make install-headers && cp libnettle.a "$stage/lib/") || failed_at "nettle failed to build"

# json-c: the static library (cmake), without -fPIC.
d=$(dir json-c)
step cmake -S "$d" -B "$work/json-c" -DCMAKE_C_COMPILER="$MUSL_CC" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="$cflags" -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
	-DBUILD_TESTING=OFF -DDISABLE_STATIC_FPIC=ON -DDISABLE_WERROR=ON \
	-DCMAKE_INSTALL_PREFIX="$stage" -DCMAKE_INSTALL_LIBDIR=lib || failed_at "json-c failed to configure"
(step make -C "$work/json-c" -j"$j" json-c && step make -C "$work/json-c" install) ||
	failed_at "json-c failed to build"

# libnl: libnl-3 and libnl-route-3. Debian's patches touch Makefile.am, not
# what it generates: keep automake from running again. /etc/libnl as in
# Debian's build.
d=$(dir libnl3)
touch -r "$d/Makefile.in" "$d/Makefile.am"
(cd "$d" && step ./configure CC="$cc" CFLAGS="$cflags" --prefix="$stage" --sysconfdir=/etc \
	--enable-static --disable-shared --disable-cli --disable-debug &&
	step make -j"$j" lib/libnl-3.la lib/libnl-route-3.la &&
	cp lib/.libs/libnl-3.a lib/.libs/libnl-route-3.a "$stage/lib/" &&
	cp -R include/netlink "$stage/include/libnl3/") || failed_at "libnl failed to build"

# What went in: the source versions and the musl they were built with.
(cd "$src" && ls ./*.dsc | sed 's|^\./||; s|\.dsc$||') >"$stage/versions"
echo "$versions" >>"$stage/versions"
musl_version=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null | sed 's/-[^-]*$//')
[ -n "$musl_version" ] || musl_version=unknown
echo "$musl_version" >"$stage/musl-version"
touch "$stage/.complete"
rm -rf "$prefix"
mv "$stage" "$prefix"
rm -f "$failed" "$log"
[ "$mode" = auto ] && echo "$prefix"
exit 0
