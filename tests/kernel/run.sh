#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hold virtccw and its simulated host to real s390x kernels (issue 5).
#
# Boots Debian's own s390x kernels (6.1 from bookworm, 6.12 from
# bookworm-backports) under qemu-system-s390x (TCG), with the vfio,
# mdev and vfio_ccw modules Debian does not ship built from Debian's
# linux-source, and runs tests/kernel/scenario.sh inside with a
# cross-built virtccw. The same scenario then runs against
# virtccw-simhost (--layout qemu, same kernel flavour); the two
# transcripts must be identical.
#
#   tests/kernel/run.sh [--kernels "6.1 6.12"]
#                       [--virtccw EXE --virtccwd EXE --simhost EXE]
#                       [--native-build DIR] [--out DIR]
#
#   --virtccw, --virtccwd, --simhost
#                       the host's virtccw, virtccwd and virtccw-simhost
#                       (for the simulated host's run)
#   --native-build DIR  or: a host build of this tree that has them;
#                       default: one is made in the cache
#   --out DIR           transcripts, console logs, diffs (default $CACHE/out)
#   --kernels LIST      which kernels (default "6.1 6.12")
#   --no-simhost        only the real kernels (no comparison)
#   --scenarios LIST    which scenarios (default "main reboot"): main is
#                       scenario.sh; reboot is reboot.sh over two boots
#                       (the second from the first's /etc)
#
# Environment:
#   VIRTCCW_KERNEL_CACHE  downloads, built modules, sysroot, cross build
#                         (default ~/.cache/virtccw-kernel)
#   VIRTCCW_KERNEL_REFRESH  hours after which the package lists are
#                         refreshed (default 24; 0: always)
#   VIRTCCW_KERNEL_BOOT_TIMEOUT  seconds per boot (default 900)
#   VIRTCCW_KERNEL_SCENARIO  another scenario script for the guest (debugging)
#
# Versions are resolved from the mirror's current package lists (the
# linux-image-s390x metapackage of each suite); nothing is pinned. Needs
# root for apt-get install of missing host tools, and /dev/fuse for the
# simulated host. Ends with "N passed, N failed".
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
KDIR=$SRC/tests/kernel
CACHE=${VIRTCCW_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/virtccw-kernel}
REFRESH_H=${VIRTCCW_KERNEL_REFRESH:-24}
BOOT_TIMEOUT=${VIRTCCW_KERNEL_BOOT_TIMEOUT:-900}
KERNELS="6.1 6.12"
NATIVE=
VIRTCCW_EXE=
VIRTCCWD_EXE=
SIMHOST_EXE=
OUT=
SIMHOST=1
SCENARIOS="main reboot"
# Bump when the module build recipe below changes (invalidates cached modules).
MODREV=1
# The guest's virtio-ccw devices: subchannel 0.0.000N carries devno 0.0.(N+5),
# alternately virtio-rng (3832/04) and virtio-blk (3832/02), as in
# virtccw-simhost --layout qemu.
NSCH=6

while [ $# -gt 0 ]; do
	case $1 in
	--kernels) KERNELS=$2; shift 2;;
	--native-build) NATIVE=$2; shift 2;;
	--virtccw) VIRTCCW_EXE=$2; shift 2;;
	--virtccwd) VIRTCCWD_EXE=$2; shift 2;;
	--simhost) SIMHOST_EXE=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--no-simhost) SIMHOST=0; shift;;
	--scenarios) SCENARIOS=$2; shift 2;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2;;
	esac
done
# (meson gives paths relative to the build directory)
[ -z "$VIRTCCW_EXE" ] || VIRTCCW_EXE=$(readlink -f "$VIRTCCW_EXE")
[ -z "$VIRTCCWD_EXE" ] || VIRTCCWD_EXE=$(readlink -f "$VIRTCCWD_EXE")
[ -z "$SIMHOST_EXE" ] || SIMHOST_EXE=$(readlink -f "$SIMHOST_EXE")
OUT=${OUT:-$CACHE/out}
mkdir -p "$CACHE" "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/log
mkdir -p "$LOG"
T_START=$(date +%s)
# one run at a time per cache
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
	echo "[kernel] waiting for another run using $CACHE"
	flock 9
fi

NP=0; NF=0
pass() { NP=$((NP+1)); echo "PASS: $*"; }
fail() { NF=$((NF+1)); echo "FAIL: $*"; }
log() { echo "[kernel $(( $(date +%s) - T_START ))s] $*"; }
finish() {
	log "done in $(( $(date +%s) - T_START )) s"
	echo "$NP passed, $NF failed"
	[ "$NF" = 0 ]
	exit
}
# A host step failed: nothing after it can run.
die() { fail "$*"; finish; }

# ------------------------------------------------------------ host tools
need=
for p in qemu-system-misc:qemu-system-s390x gcc-s390x-linux-gnu:s390x-linux-gnu-gcc \
	cpio:cpio make:make xz-utils:xz pkg-config:pkg-config meson:meson ninja-build:ninja \
	fuse3:fusermount3 gzip:gzip; do
	command -v "${p#*:}" >/dev/null || need="$need ${p%%:*}"
done
[ -e /usr/s390x-linux-gnu/include/linux/vfio.h ] || need="$need libc6-dev-s390x-cross"
[ -e /usr/lib/x86_64-linux-gnu/libelf.so.1 ] || need="$need libelf1"
if [ -n "$need" ]; then
	log "installing host packages:$need"
	SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
	{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $need; } >"$LOG/apt-host.log" 2>&1 ||
		die "host: apt-get install$need (see $LOG/apt-host.log)"
fi

# ------------------------------------------------------------ private apt
# Two private apt configurations (bookworm; bookworm-backports), s390x
# first, amd64 for linux-kbuild. The system's apt state is not touched.
MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$MIRROR" ] || die "host: no Debian mirror in the apt sources"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

apt_setup() {   # SUITESET
	local A=$CACHE/apt/$1 s
	mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/cache"
	[ -e "$A/status" ] || : > "$A/status"
	case $1 in
	bookworm) s="bookworm bookworm-updates";;
	bpo) s="bookworm-backports";;
	esac
	for x in $s; do echo "deb [signed-by=$KEYRING] $MIRROR $x main"; done > "$A/sources.list"
	cat > "$A/apt.conf" <<EOF
Dir::Etc::SourceList "$A/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "/dev/null";
Dir::State::Lists "$A/lists";
Dir::State::status "$A/status";
Dir::Cache "$A/cache";
Dir::Cache::archives "$A/archives";
APT::Architecture "s390x";
APT::Architectures { "s390x"; "amd64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
	local stamp=$A/updated
	if [ ! -e "$stamp" ] || [ "$REFRESH_H" = 0 ] ||
		[ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -gt $(( REFRESH_H * 3600 )) ]; then
		if APT_CONFIG=$A/apt.conf apt-get -q update >"$LOG/apt-update-$1.log" 2>&1; then
			touch "$stamp"
		elif [ -e "$stamp" ]; then
			log "apt-get update ($1) failed; going on with the package lists of $(date -r "$stamp")"
		else
			die "host: apt-get update ($1) failed (see $LOG/apt-update-$1.log)"
		fi
	fi
}
papt() { local s=$1; shift; APT_CONFIG=$CACHE/apt/$s/apt.conf "$@"; }

# field PKGSPEC FIELD (from the candidate, or the given =version)
field() { papt "$SUITE" apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -1; }

# download SUITE PKGSPEC... : into $CACHE/debs unless there; sets FILES
# (the .deb paths in argument order)
DEBS=$CACHE/debs
download() {
	local suite=$1 uris want= f; shift
	mkdir -p "$DEBS" "$CACHE/apt/empty"
	# (in an empty directory: apt does not print the files already in the current one)
	uris=$(cd "$CACHE/apt/empty" && papt "$suite" apt-get download --print-uris "$@" 2>"$LOG/apt-resolve.err") ||
		die "host: cannot resolve $* ($(tail -1 "$LOG/apt-resolve.err"))"
	FILES=
	while read -r url file size _; do
		FILES="$FILES $DEBS/$file"
		if [ ! -e "$DEBS/$file" ] || [ "$(stat -c %s "$DEBS/$file")" != "$size" ]; then
			want="$want $file"
		fi
	done <<< "$uris"
	if [ -n "$want" ]; then
		log "downloading$want"
		# download by the specs whose files are missing (apt checks the hashes);
		# a file is named NAME_VERSION_ARCH.deb
		local specs= s
		for s in "$@"; do
			case " $want " in *" ${s%%[:=]*}_"*) specs="$specs $s";; esac
		done
		(cd "$DEBS" && papt "$suite" apt-get -q download $specs) >>"$LOG/apt-download.log" 2>&1 ||
			die "host: apt-get download$specs failed (see $LOG/apt-download.log)"
	fi
	echo $FILES >> "$CACHE/.wanted"
}

: > "$CACHE/.wanted"
apt_setup bookworm
case " $KERNELS " in *" 6.12 "*) apt_setup bpo;; esac

# ------------------------------------------------------------ kernels
# resolve_kernel SERIES: KREL, KVER, KC (the cache entry) and, unless built
# before, the downloaded .debs in KDEBS
resolve_kernel() {
	local series=$1 img
	case $series in
	6.1) SUITE=bookworm;;
	6.12) SUITE=bpo;;
	*) die "host: unknown kernel series $series";;
	esac
	img=$(papt $SUITE apt-cache depends linux-image-s390x:s390x 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-s390x\)$/\1/p' | head -1)
	[ -n "$img" ] || die "host: no linux-image-s390x in $SUITE"
	KREL=${img#linux-image-}
	KVER=$(field "$img:s390x" Version)
	case $KVER in "$series".*) ;; *) die "host: $img is $KVER, not a $series kernel";; esac
	local common kbuild
	common=$(field "linux-headers-$KREL:s390x=$KVER" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
	kbuild=$(field "linux-headers-$KREL:s390x=$KVER" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
	[ -n "$common" ] && [ -n "$kbuild" ] || die "host: cannot read the dependencies of linux-headers-$KREL"
	KC=$CACHE/kernel/$KREL-$KVER-r$MODREV
	echo "$KC" >> "$CACHE/.wanted"
	[ -e "$KC/ok" ] && return 0     # built before: the .debs are not needed
	download $SUITE "$img:s390x=$KVER" "linux-headers-$KREL:s390x=$KVER" "$common=$KVER" \
		"$kbuild:amd64=$KVER" "linux-source-$series=$KVER"
	KDEBS=$FILES
}

# build_modules SERIES: the missing modules into $KC/mod (cached)
build_modules() {
	local series=$1 X H src KMAKE syms d m
	if [ -e "$KC/ok" ]; then
		log "$KREL $KVER: kernel and modules from the cache"
		return 0
	fi
	log "$KREL $KVER: building vfio/mdev/vfio_ccw modules"
	rm -rf "$KC"; mkdir -p "$KC/mod" "$KC/x"
	X=$KC/x
	local img hdrs
	for d in $KDEBS; do
		case ${d##*/} in
		linux-image-*) img=$d;;
		linux-source-*) src=$d;;
		*) dpkg-deb -x "$d" "$X/hdr" || die "host: cannot unpack $d";;
		esac
	done
	dpkg-deb --fsys-tarfile "$img" | tar -x -C "$X" ./boot "./lib/modules/$KREL/kernel/drivers" \
		2>"$LOG/unpack-$series.log" ||
		die "host: cannot unpack $img (see $LOG/unpack-$series.log)"
	cp "$X/boot/vmlinuz-$KREL" "$KC/vmlinuz" && cp "$X/boot/config-$KREL" "$KC/config" ||
		die "host: no vmlinuz/config in $img"
	H=$X/hdr/usr/src/linux-headers-$KREL
	# the headers' Makefile names the common tree at its installed path
	sed -i "s|^include /usr/src/|include $X/hdr/usr/src/|" "$H/Makefile"
	dpkg-deb --fsys-tarfile "$src" | tar -xO "./usr/src/linux-source-$series.tar.xz" |
		tar -xJ -C "$X" --wildcards "linux-source-$series/drivers/s390/cio/*" "linux-source-$series/drivers/vfio/*" ||
		die "host: cannot unpack the sources from $src"
	src=$X/linux-source-$series
	KMAKE="make -C $H ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- CC=s390x-linux-gnu-gcc-12 CONFIG_DEBUG_INFO_BTF_MODULES= -j$(nproc)"
	# Each module is built in its source directory with the upstream
	# Makefile's object lists; only the module itself is selected.
	modkbuild() {   # DIR MODULES...
		local dir=$1; shift
		mv "$dir/Makefile" "$dir/Makefile.upstream"
		{ echo 'include $(src)/Makefile.upstream'; echo 'obj-y :='; echo "obj-m := $*"; } > "$dir/Kbuild"
	}
	syms=; BUILT="mdev.ko vfio_ccw.ko"
	if grep -q '^CONFIG_VFIO=m' "$KC/config"; then
		for m in vfio vfio_iommu_type1; do
			f=$(ls "$X/lib/modules/$KREL/kernel/drivers/vfio/$m.ko"* 2>/dev/null | head -1)
			[ -n "$f" ] || die "host: no $m module in $img"
			case $f in
			*.xz) xz -dc "$f" > "$KC/mod/$m.ko";;
			*.zst) zstd -dc "$f" > "$KC/mod/$m.ko";;
			*) cp "$f" "$KC/mod/$m.ko";;
			esac || die "host: cannot take $m.ko from $img"
		done
	else   # 6.1: CONFIG_VFIO is not set; build the VFIO core and type1 too
		modkbuild "$src/drivers/vfio" vfio.o vfio_iommu_type1.o
		$KMAKE M="$src/drivers/vfio" modules >"$LOG/modules-$series-vfio.log" 2>&1 ||
			die "host: building vfio.ko for $KREL (see $LOG/modules-$series-vfio.log)"
		cp "$src/drivers/vfio/vfio.ko" "$src/drivers/vfio/vfio_iommu_type1.ko" "$KC/mod/"
		BUILT="$BUILT vfio.ko vfio_iommu_type1.ko"
		syms=$src/drivers/vfio/Module.symvers
	fi
	modkbuild "$src/drivers/vfio/mdev" mdev.o
	$KMAKE M="$src/drivers/vfio/mdev" KBUILD_EXTRA_SYMBOLS="$syms" modules >"$LOG/modules-$series-mdev.log" 2>&1 ||
		die "host: building mdev.ko for $KREL (see $LOG/modules-$series-mdev.log)"
	modkbuild "$src/drivers/s390/cio" vfio_ccw.o
	$KMAKE M="$src/drivers/s390/cio" KBUILD_EXTRA_SYMBOLS="$syms $src/drivers/vfio/mdev/Module.symvers" \
		modules >"$LOG/modules-$series-vfio_ccw.log" 2>&1 ||
		die "host: building vfio_ccw.ko for $KREL (see $LOG/modules-$series-vfio_ccw.log)"
	cp "$src/drivers/vfio/mdev/mdev.ko" "$src/drivers/s390/cio/vfio_ccw.ko" "$KC/mod/"
	if grep -il 'undefined!' "$LOG"/modules-$series-*.log; then die "host: undefined symbols in the $KREL modules"; fi
	for m in "$KC"/mod/*.ko; do
		# (the modules taken from the image keep their signature)
		case " $BUILT " in *" ${m##*/} "*) s390x-linux-gnu-strip --strip-debug "$m";; esac
		[ "$(strings "$m" | grep -c "^vermagic=$KREL ")" = 1 ] || die "host: vermagic of $m is not $KREL"
	done
	rm -rf "$X"
	rm -f $KDEBS      # ~200 MB, and only needed for this build
	touch "$KC/ok"
	log "$KREL $KVER: modules built: $(cd "$KC/mod" && echo *.ko)"
}

# ------------------------------------------------------------ s390x user space
# The s390x libraries virtccw links with, and busybox, unpacked into a
# sysroot (names only; the versions are the mirror's current ones).
LIBPKGS="libc6 libgcc-s1 libstdc++6 libglib2.0-0 libglib2.0-dev libxml2 libxml2-dev libjson-c5 libjson-c-dev
	libfuse3-3 libfuse3-dev libicu72 libicu-dev liblzma5 liblzma-dev zlib1g zlib1g-dev libpcre2-8-0
	libpcre2-16-0 libpcre2-32-0 libpcre2-posix3 libpcre2-dev libffi8 libffi-dev libmount1 libmount-dev
	libblkid1 libblkid-dev libselinux1 libselinux1-dev libsepol2 libsepol-dev busybox-static"
SUITE=bookworm
specs=
for p in $LIBPKGS; do specs="$specs $p:s390x"; done
download bookworm $specs
SYSROOT=$CACHE/sysroot-$(echo $FILES | md5sum | cut -c1-12)
if [ ! -e "$SYSROOT/ok" ]; then
	log "unpacking the s390x sysroot"
	rm -rf "$CACHE"/sysroot-*; mkdir -p "$SYSROOT"
	for d in $FILES; do dpkg-deb -x "$d" "$SYSROOT" || die "host: cannot unpack $d"; done
	touch "$SYSROOT/ok"
fi

# The cross build of this tree (incremental; one per source tree).
XB=$CACHE/xbuild-$(echo "$SRC" | md5sum | cut -c1-8)
cat > "$CACHE/sysroot.ini" <<EOF
[constants]
sysroot = '$SYSROOT'
EOF
if [ ! -e "$XB/build.ninja" ] || [ "$(cat "$XB/.sysroot" 2>/dev/null)" != "$SYSROOT" ]; then
	rm -rf "$XB"
	log "meson setup (s390x cross build)"
	meson setup "$XB" "$SRC" --cross-file "$CACHE/sysroot.ini" --cross-file "$KDIR/s390x-cross.ini" \
		-Dwerror=true >"$LOG/xbuild-setup.log" 2>&1 ||
		die "host: meson setup of the s390x cross build (see $LOG/xbuild-setup.log)"
	echo "$SYSROOT" > "$XB/.sysroot"
fi
touch "$XB"
# cross builds of other checkouts, unused for two days
find "$CACHE" -maxdepth 1 -name 'xbuild-*' -mtime +2 -exec rm -rf {} + 2>/dev/null
# (virtccw runs every command but nodedev-list from virtccw-commands.so,
# which it looks for beside itself first)
ninja -C "$XB" tools/virtccw tools/virtccw-commands.so tools/virtccwd >"$LOG/xbuild.log" 2>&1 ||
	die "host: cross-building virtccw for s390x (see $LOG/xbuild.log)"
s390x-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$XB/vccw-ktest" "$KDIR/helper.c" >>"$LOG/xbuild.log" 2>&1 ||
	die "host: cross-building vccw-ktest (see $LOG/xbuild.log)"
pass "host: virtccw and vccw-ktest cross-built for s390x ($(s390x-linux-gnu-readelf -h "$XB/tools/virtccw" |
	sed -n 's/^ *Machine: *//p'), $(s390x-linux-gnu-readelf -h "$XB/tools/virtccw" | sed -n 's/^ *Data: *//p'))"

# ------------------------------------------------------------ native build
if [ -z "$VIRTCCW_EXE" ]; then
	if [ -z "$NATIVE" ]; then
		NATIVE=$CACHE/nbuild-$(echo "$SRC" | md5sum | cut -c1-8)
		[ -e "$NATIVE/build.ninja" ] || meson setup "$NATIVE" "$SRC" >"$LOG/nbuild-setup.log" 2>&1 ||
			die "host: meson setup of the native build (see $LOG/nbuild-setup.log)"
		ninja -C "$NATIVE" tools/virtccw tools/virtccw-commands.so tools/virtccwd src/simhost/virtccw-simhost \
			>"$LOG/nbuild.log" 2>&1 || die "host: native build (see $LOG/nbuild.log)"
	fi
	VIRTCCW_EXE=$NATIVE/tools/virtccw
	[ -n "$VIRTCCWD_EXE" ] || VIRTCCWD_EXE=$NATIVE/tools/virtccwd
	[ -n "$SIMHOST_EXE" ] || SIMHOST_EXE=$NATIVE/src/simhost/virtccw-simhost
fi
[ -x "$VIRTCCW_EXE" ] || die "host: no virtccw at $VIRTCCW_EXE"
# (the scenario checks virtccwd's events on both sides or on neither)
[ -x "$VIRTCCWD_EXE" ] || die "host: no virtccwd (--virtccwd EXE)"
if [ -n "$SIMHOST_EXE" ] && [ ! -x "$SIMHOST_EXE" ]; then
	log "no virtccw-simhost at $SIMHOST_EXE"
	SIMHOST_EXE=
fi
cc -O2 -Wall -Wextra -Werror -o "$OUT/vccw-ktest" "$KDIR/helper.c" >>"$LOG/nbuild.log" 2>&1 ||
	die "host: building vccw-ktest (see $LOG/nbuild.log)"

# ------------------------------------------------------------ initramfs
# needed_libs BINARY...: the sysroot paths of the shared libraries (closure)
needed_libs() {
	local todo="$*" seen= f n p
	while [ -n "$todo" ]; do
		set -- $todo; f=$1; shift; todo="$*"
		for n in $(s390x-linux-gnu-readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case " $seen " in *" $n "*) continue;; esac
			p=
			for d in lib/s390x-linux-gnu usr/lib/s390x-linux-gnu lib; do
				[ -e "$SYSROOT/$d/$n" ] && p=$SYSROOT/$d/$n && break
			done
			[ -n "$p" ] || { echo "MISSING:$n"; continue; }
			seen="$seen $n"; echo "$p"; todo="$todo $p"
		done
	done
}

make_initramfs() {   # SERIES [MODE [ETC.tar]] -> $OUT/initramfs-SERIES[-MODE].cpio
	local series=$1 mode=${2:-scenario} etc=${3:-} R=$CACHE/initramfs-root l tag=
	[ "$mode" = scenario ] || tag=-$mode
	rm -rf "$R"; mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,run,etc/mdevctl.d,lib/modules,lib/s390x-linux-gnu,opt/virtccw}
	cp "$SYSROOT/bin/busybox" "$R/bin/busybox"
	cp "$KDIR/init" "$R/init"; chmod 755 "$R/init"
	cp "${VIRTCCW_KERNEL_SCENARIO:-$KDIR/scenario.sh}" "$R/opt/virtccw/scenario.sh"
	cp "$KDIR/reboot.sh" "$R/opt/virtccw/reboot.sh"
	echo "$mode" > "$R/opt/virtccw/mode"
	# the second boot starts from the /etc the first one left
	if [ -n "$etc" ]; then tar -xf "$etc" -C "$R" || die "host: cannot unpack $etc"; fi
	cp "$XB/tools/virtccw" "$XB/tools/virtccw-commands.so" "$XB/tools/virtccwd" "$XB/vccw-ktest" "$R/bin/"
	s390x-linux-gnu-strip "$R/bin/virtccw" "$R/bin/virtccw-commands.so" "$R/bin/virtccwd" "$R/bin/vccw-ktest"
	# the data virtccw reads at run time (schemas: share/virtccw), where it
	# was built to look for it
	meson introspect --installed "$XB" | python3 -c '
import json, sys
for src, dst in json.load(sys.stdin).items():
    if "/share/virtccw/" in dst:
        print(src + "\t" + dst)' | while IFS='	' read -r f dst; do
		mkdir -p "$R${dst%/*}" && cp "$f" "$R$dst"
	done
	cp "$KC"/mod/*.ko "$R/lib/modules/"
	cp -L "$SYSROOT/lib/ld64.so.1" "$R/lib/"
	for l in $(needed_libs "$R/bin/virtccw" "$R/bin/virtccw-commands.so" "$R/bin/virtccwd"); do
		case $l in MISSING:*) die "host: virtccw needs ${l#MISSING:}, not in the sysroot";; esac
		cp -L "$l" "$R/lib/s390x-linux-gnu/"
	done
	echo "$series $KREL $KVER" > "$R/opt/virtccw/kernel"
	(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$OUT/initramfs-$series$tag.cpio" ||
		die "host: cannot write the initramfs"
	rm -rf "$R"
}

# ------------------------------------------------------------ boot
boot_kernel() {   # SERIES [MODE] -> $OUT/console-SERIES[-MODE].txt, $OUT/guest-SERIES[-MODE].txt
	local series=$1 mode=${2:-scenario} dev= i devno img rc t0 t1 tag=
	[ "$mode" = scenario ] || tag=-$mode
	local con=$OUT/console-$series$tag.txt
	for ((i = 0; i < NSCH; i++)); do
		devno=$(printf '%04x' $((i + 5)))
		if [ $((i % 2)) = 0 ]; then
			dev="$dev -device virtio-rng-ccw,devno=fe.0.$devno"
		else
			img=$OUT/disk$i.raw
			rm -f "$img"; truncate -s 4M "$img"
			dev="$dev -drive file=$img,format=raw,if=none,id=d$i -device virtio-blk-ccw,drive=d$i,devno=fe.0.$devno"
		fi
	done
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout "$BOOT_TIMEOUT" qemu-system-s390x -M s390-ccw-virtio -accel tcg -smp 1 -m 1024 -nographic \
		-nodefaults -no-user-config -nic none -serial none -chardev stdio,id=con,signal=off \
		-device sclpconsole,chardev=con \
		-kernel "$KC/vmlinuz" -initrd "$OUT/initramfs-$series$tag.cpio" \
		-append "console=ttysclp0 loglevel=1 panic=-1" -no-reboot $dev \
		</dev/null 2>"$LOG/qemu-$series.err" | tr -d '\r' > "$con"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s)
	log "kernel $series: qemu exit code $rc after $((t1 - t0)) s"
	sed -n '/^=== scenario begin ===$/,/^=== scenario end ===$/p' "$con" | sed '1d;$d' > "$OUT/guest-$series$tag.txt"
	if grep -q '^=== scenario end ===$' "$con"; then
		rm -f "$OUT/initramfs-$series$tag.cpio" "$OUT"/disk*.raw
		pass "kernel $series ($KREL $KVER): booted and ran the ${tag:+reboot boot ${mode#reboot} of the }scenario in $((t1 - t0)) s"
	else
		fail "kernel $series ($KREL $KVER): the ${tag:+reboot boot ${mode#reboot} of the }scenario did not finish (qemu exit $rc; see $con)"
		tail -30 "$con" | sed 's/^/    | /'
		return 1
	fi
}

# ------------------------------------------------------------ simulated host
run_simhost() {   # SERIES -> $OUT/sim-SERIES.txt
	local series=$1 mnt=$OUT/simroot-$series pid i ok=0
	mkdir -p "$mnt"
	fusermount3 -u "$mnt" 2>/dev/null
	"$SIMHOST_EXE" --foreground --layout qemu --kernel "$series" --subchannels $NSCH "$mnt" \
		>"$LOG/simhost-$series.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -d "$mnt/sys/bus/css" ] && ok=1 && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if [ $ok = 0 ]; then
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
		fail "simhost $series: virtccw-simhost did not mount (see $LOG/simhost-$series.log)"
		return 1
	fi
	ROOT=$mnt VIRTCCW=$VIRTCCW_EXE VIRTCCWD=$VIRTCCWD_EXE KTEST=$OUT/vccw-ktest KERNEL_SERIES=$series \
		timeout 600 sh "$KDIR/scenario.sh" > "$OUT/sim-$series.txt" 2>"$LOG/sim-$series.err"
	i=$?
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	fusermount3 -u "$mnt" 2>/dev/null
	if [ $i = 0 ] && tail -1 "$OUT/sim-$series.txt" | grep -q '^scenario: '; then
		pass "simhost $series: ran the scenario"
	else
		fail "simhost $series: the scenario did not finish (exit $i; see $OUT/sim-$series.txt)"
		return 1
	fi
}

# The reboot scenario on the simulated host: two mounts of a fresh
# simulated host (sys as after a boot) over one --backing directory (the
# etc/ the first left). -> $OUT/sim-SERIES-reboot1.txt, -reboot2.txt
run_simhost_reboot() {   # SERIES
	local series=$1 mnt=$OUT/simroot-$series-reboot back=$OUT/simback-$series pid i ok phase rc
	rm -rf "$back"; mkdir -p "$mnt" "$back"
	for phase in 1 2; do
		fusermount3 -u "$mnt" 2>/dev/null
		"$SIMHOST_EXE" --foreground --layout qemu --kernel "$series" --subchannels $NSCH \
			--backing "$back" "$mnt" >"$LOG/simhost-$series-reboot$phase.log" 2>&1 &
		pid=$!; ok=0
		for ((i = 0; i < 100; i++)); do
			[ -d "$mnt/sys/bus/css" ] && ok=1 && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		if [ $ok = 0 ]; then
			kill $pid 2>/dev/null; wait $pid 2>/dev/null
			fail "simhost $series reboot: virtccw-simhost did not mount (boot $phase)"
			return 1
		fi
		ROOT=$mnt VIRTCCW=$VIRTCCW_EXE VIRTCCWD=$VIRTCCWD_EXE KTEST=$OUT/vccw-ktest KERNEL_SERIES=$series \
			PHASE=$phase SCENARIO_TMP=$OUT/simtmp-$series-reboot timeout 600 sh "$KDIR/reboot.sh" \
			> "$OUT/sim-$series-reboot$phase.txt" 2>"$LOG/sim-$series-reboot$phase.err"
		rc=$?
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
		fusermount3 -u "$mnt" 2>/dev/null
		if [ $rc != 0 ] || ! tail -1 "$OUT/sim-$series-reboot$phase.txt" | grep -q '^reboot scenario: '; then
			fail "simhost $series reboot: boot $phase did not finish (exit $rc; see $OUT/sim-$series-reboot$phase.txt)"
			return 1
		fi
	done
	pass "simhost $series: ran the reboot scenario (two boots)"
}

# the last "summary:" block of FILE
last_summary() { awk '/^  summary:$/{b=""; on=1; next} on && /^    /{b=b $0 "\n"; next} {on=0} END{printf "%s", b}' "$1"; }

# reboot_checks SERIES: the second boot's state is the first's; kernel and
# simulation agree
reboot_checks() {
	local series=$1 side f
	for side in guest sim; do
		[ -s "$OUT/$side-$series-reboot2.txt" ] || continue
		for f in "$OUT/$side-$series-reboot1.txt" "$OUT/$side-$series-reboot2.txt"; do
			g=${f%.txt}; scenario_checks "$f" "$side $series ${g##*-}"
		done
		if [ -n "$(last_summary "$OUT/$side-$series-reboot1.txt")" ] &&
			[ "$(last_summary "$OUT/$side-$series-reboot1.txt")" = "$(last_summary "$OUT/$side-$series-reboot2.txt")" ]; then
			pass "$side $series: the second boot reached the first boot's state ($(last_summary "$OUT/$side-$series-reboot2.txt" | wc -l) lines)"
		else
			fail "$side $series: the second boot did not reach the first boot's state"
			diff <(last_summary "$OUT/$side-$series-reboot1.txt") <(last_summary "$OUT/$side-$series-reboot2.txt")
		fi
	done
	for f in reboot1 reboot2; do
		[ -s "$OUT/guest-$series-$f.txt" ] && [ -s "$OUT/sim-$series-$f.txt" ] || continue
		if diff -u --label "kernel-$series-$f" --label "simhost-$series-$f" \
			"$OUT/guest-$series-$f.txt" "$OUT/sim-$series-$f.txt" > "$OUT/diff-$series-$f.txt"; then
			pass "kernel $series and simhost agree on $f ($(wc -l < "$OUT/sim-$series-$f.txt") transcript lines)"
		else
			fail "kernel $series and simhost differ on $f ($OUT/diff-$series-$f.txt):"
			cat "$OUT/diff-$series-$f.txt"
		fi
	done
}

# scenario_checks FILE LABEL: the scenario's own CHECK lines
scenario_checks() {
	local f=$1 label=$2 n nfail
	n=$(grep -c '^CHECK ok: ' "$f"); nfail=$(grep -c '^CHECK FAIL: ' "$f")
	if [ "$nfail" = 0 ] && [ "$n" -gt 0 ]; then
		pass "$label: $n scenario checks"
	else
		fail "$label: $nfail of $((n + nfail)) scenario checks failed"
		grep '^CHECK FAIL: ' "$f" | sed 's/^/    /'
	fi
}

# ------------------------------------------------------------ main
for series in $KERNELS; do
	resolve_kernel "$series"
	build_modules "$series"
	pass "host: kernel $series is $KREL $KVER, modules: $(cd "$KC/mod" && echo *.ko | sed 's/\.ko//g')"
	case " $SCENARIOS " in *" reboot "*)
		# the reboot scenario: boot 1, its /etc into boot 2
		make_initramfs "$series" reboot1
		if boot_kernel "$series" reboot1; then
			sed -n '/^=== etc begin ===$/,/^=== etc end ===$/p' "$OUT/console-$series-reboot1.txt" | sed '1d;$d' |
				base64 -d > "$OUT/etc-$series.tar" 2>"$LOG/etc-$series.err" && tar -tf "$OUT/etc-$series.tar" >/dev/null 2>&1 ||
				fail "kernel $series: no /etc from the first boot (see $OUT/console-$series-reboot1.txt)"
			if [ -s "$OUT/etc-$series.tar" ]; then
				make_initramfs "$series" reboot2 "$OUT/etc-$series.tar"
				boot_kernel "$series" reboot2
			fi
		fi
		if [ $SIMHOST = 1 ] && [ -n "$SIMHOST_EXE" ]; then run_simhost_reboot "$series"; fi
		reboot_checks "$series"
	;; esac
	case " $SCENARIOS " in *" main "*) ;; *) continue;; esac
	make_initramfs "$series"
	if boot_kernel "$series"; then
		scenario_checks "$OUT/guest-$series.txt" "kernel $series"
	fi
	if [ $SIMHOST = 1 ] && [ -n "$SIMHOST_EXE" ]; then
		if run_simhost "$series"; then
			scenario_checks "$OUT/sim-$series.txt" "simhost $series"
			if [ -s "$OUT/guest-$series.txt" ]; then
				# (the scenario's real-kernel-only block is not compared)
				sed '/^=== real kernel only: begin/,/^=== real kernel only: end/d' "$OUT/guest-$series.txt" \
					> "$OUT/guest-$series.cmp"
				if diff -u --label "kernel-$series" --label "simhost-$series" \
					"$OUT/guest-$series.cmp" "$OUT/sim-$series.txt" > "$OUT/diff-$series.txt"; then
					pass "kernel $series and simhost agree ($(wc -l < "$OUT/sim-$series.txt") transcript lines)"
				else
					fail "kernel $series and simhost differ ($OUT/diff-$series.txt):"
					cat "$OUT/diff-$series.txt"
				fi
			fi
		fi
	elif [ $SIMHOST = 1 ]; then
		fail "simhost $series: no virtccw-simhost built"
	fi
done

# forget the cached downloads and kernels that are no longer current
# (after a run over all kernels only)
if [ "$KERNELS" = "6.1 6.12" ]; then
	for f in "$DEBS"/*.deb "$CACHE"/kernel/*; do
		[ -e "$f" ] || continue
		grep -qxF "$f" <(tr ' ' '\n' < "$CACHE/.wanted") || rm -rf "$f"
	done
fi
finish
