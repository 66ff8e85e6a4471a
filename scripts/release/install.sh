#!/bin/sh
#
# install.sh [--root DIR] [--opnsense] [--uninstall]
#
# Installs the etpro-telemetry release it sits in under DIR/usr/local (DIR defaults to /), on FreeBSD,
# OPNsense or Linux, with nothing but POSIX sh and the base tools. Every file and directory it creates is
# recorded in /usr/local/lib/etpro-telemetry/MANIFEST, so --uninstall removes exactly those and puts back
# any file it had to move aside: the root is left as it was found.
#
#   /usr/local/lib/etpro-telemetry/       this release (bin/, dist/bin.js, contrib/, docs, install.sh)
#   /usr/local/bin/etpro-telemetry        launcher: finds node under cron, configd and daemon(8)
#   /usr/local/share/doc/etpro-telemetry/ README, INSTALL.md
#   FreeBSD (DIR/etc/rc.subr exists):     /usr/local/etc/rc.d/etpro_telemetry (off until enabled in rc.conf)
#   Linux (DIR/etc/systemd exists):       /usr/local/lib/systemd/system/etpro-telemetry.service (not enabled)
#   OPNsense (DIR/usr/local/opnsense exists, or --opnsense): the plugin files of contrib/opnsense/src
#                                         (configd actions, API controller, ACL, dashboard widget, ruleset
#                                         metadata) and /usr/local/etc/cron.d/etpro-telemetry.cron
#
# It never overwrites a configuration file an administrator changed (the cron file): an existing one that
# differs is kept, and so is one edited after installation when uninstalling. Another package's file in the
# way (the stock ET Pro Telemetry plugin's widget, say) is moved into the release directory and restored
# by --uninstall. Nothing is started, enabled or restarted: the next steps are printed.

set -eu

PREFIX=/usr/local
LIB=$PREFIX/lib/etpro-telemetry
TAG="emergingthreats: install"

say() { printf '%s: %s\n' "$TAG" "$*"; }
die() { printf '%s: %s\n' "$TAG" "$1" >&2; exit "${2:-1}"; }
usage() { printf '%s\n' "usage: install.sh [--root DIR] [--opnsense] [--uninstall]"; }

ROOT=/
MODE=install
OPNSENSE=auto
while [ $# -gt 0 ]; do
	case $1 in
	--root)
		[ $# -ge 2 ] || { printf '%s: --root needs a directory\n' "$TAG" >&2; exit 2; }
		ROOT=$2
		shift 2
		;;
	--root=*) ROOT=${1#--root=}; shift ;;
	--uninstall) MODE=uninstall; shift ;;
	--opnsense) OPNSENSE=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	*) printf '%s: unknown argument %s\n' "$TAG" "$1" >&2; usage >&2; exit 2 ;;
	esac
done

[ -d "$ROOT" ] || { printf '%s: --root %s: not a directory\n' "$TAG" "$ROOT" >&2; exit 2; }
# Absolute, and empty for / so that "$R$path" is the path itself.
R=$(cd "$ROOT" && pwd)
[ "$R" = / ] && R=
MANIFEST=$R$LIB/MANIFEST

# ---------------------------------------------------------------------------------------------- uninstall

uninstall() {
	[ -f "$MANIFEST" ] || die "nothing to uninstall: $MANIFEST not found" 2
	list=$(awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$MANIFEST")
	rm -f "$MANIFEST"
	# Newest first: files before the directories that hold them, a file removed before its original returns.
	printf '%s\n' "$list" | while read -r kind path pristine; do
		case $kind in
		f) rm -f "$R$path" ;;
		c)
			if [ -f "$R$path" ] && ! cmp -s "$R$path" "$R$pristine"; then
				say "kept $path: it was changed after installation"
			else
				rm -f "$R$path"
			fi
			;;
		b) mv -f "$R$LIB/backup$path" "$R$path" && say "restored $path" ;;
		d) rmdir "$R$path" 2>/dev/null || say "left $path: not empty" ;;
		'') ;;
		*) say "MANIFEST: unknown line '$kind $path' ignored" ;;
		esac
	done
	say "removed etpro-telemetry from ${ROOT}"
}

# ------------------------------------------------------------------------------------------------ install

SRC=$(cd "$(dirname "$0")" && pwd)
LOG=

# The record is kept as it grows, so even an install that failed half-way can be uninstalled.
finish() {
	if [ -n "$LOG" ]; then
		[ -d "$R$LIB" ] && cat "$LOG" >"$MANIFEST"
		rm -f "$LOG"
	fi
}

# mkdirs /abs/dir: creates it and its missing parents (0755), recording each one created.
mkdirs() {
	[ -d "$R$1" ] && return 0
	mkdirs "$(dirname "$1")"
	mkdir "$R$1"
	chmod 0755 "$R$1"
	echo "d $1" >>"$LOG"
}

# place MODE SOURCE /abs/target [config]: installs one file, recording it.
place() {
	mkdirs "$(dirname "$3")"
	if [ -e "$R$3" ] || [ -L "$R$3" ]; then
		if [ -f "$R$3" ] && cmp -s "$2" "$R$3"; then
			return 0 # already there, byte for byte: not ours to remove later
		elif [ "${4:-}" = config ]; then
			say "kept $3 as it is (changed by an administrator); this release's version: $LIB/${2#"$SRC"/}"
			return 0
		fi
		mkdirs "$(dirname "$LIB/backup$3")"
		mv "$R$3" "$R$LIB/backup$3"
		echo "b $3" >>"$LOG"
		say "moved aside $3 (restored by --uninstall)"
	fi
	cp "$2" "$R$3.etpro-tmp"
	chmod "$1" "$R$3.etpro-tmp"
	mv -f "$R$3.etpro-tmp" "$R$3"
	if [ "${4:-}" = config ]; then
		echo "c $3 $LIB/${2#"$SRC"/}" >>"$LOG"
	else
		echo "f $3" >>"$LOG"
	fi
}

check_node() {
	if ! command -v node >/dev/null 2>&1 && [ ! -x /usr/local/bin/node ] && [ ! -x /usr/bin/node ]; then
		say "node not found: install Node.js 20 or later (FreeBSD/OPNsense: pkg install node22)"
		return 0
	fi
	major=$(PATH="/usr/local/bin:/usr/bin:/bin:$PATH" node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	[ "$major" -ge 20 ] 2>/dev/null || say "node $major found: the agent needs Node.js 20 or later"
}

install_all() {
	[ -f "$SRC/dist/bin.js" ] && [ -f "$SRC/bin/etpro-telemetry" ] && [ -f "$SRC/launcher.sh" ] || die "run install.sh from the unpacked release ($SRC has no dist/bin.js)" 2
	[ -e "$MANIFEST" ] && die "already installed ($MANIFEST): run install.sh --uninstall first (changed configuration files are kept)" 2
	[ "$OPNSENSE" = auto ] && { [ -d "$R$PREFIX/opnsense" ] && OPNSENSE=yes || OPNSENSE=no; }
	# Both would send every event and heartbeat twice.
	[ "$OPNSENSE" = yes ] && [ -d "$R$PREFIX/opnsense/scripts/etpro_telemetry" ] &&
		die "the os-etpro-telemetry plugin is installed: remove it first (pkg delete os-etpro-telemetry)" 2
	LOG=$(mktemp "${TMPDIR:-/tmp}/etpro-install.XXXXXX")
	trap finish EXIT
	trap 'exit 1' HUP INT TERM

	# The release itself, in its own directory.
	(cd "$SRC" && find . -type f | sort) | while read -r f; do
		f=${f#./}
		case $f in
		install.sh | bin/etpro-telemetry | contrib/rc.d/*) mode=0555 ;;
		*) mode=0444 ;;
		esac
		place "$mode" "$SRC/$f" "$LIB/$f"
	done

	# The launcher: scripts/release/launcher.sh with this release's directory written in.
	launcher=$(mktemp "${TMPDIR:-/tmp}/etpro-launcher.XXXXXX")
	sed "s|@LIB@|$LIB|g" "$SRC/launcher.sh" >"$launcher"
	place 0555 "$launcher" "$PREFIX/bin/etpro-telemetry"
	rm -f "$launcher"

	place 0444 "$SRC/README" "$PREFIX/share/doc/etpro-telemetry/README"
	place 0444 "$SRC/INSTALL.md" "$PREFIX/share/doc/etpro-telemetry/INSTALL.md"

	if [ -f "$R/etc/rc.subr" ]; then
		place 0555 "$SRC/contrib/rc.d/etpro_telemetry" "$PREFIX/etc/rc.d/etpro_telemetry"
	fi
	if [ -d "$R/etc/systemd" ]; then
		place 0444 "$SRC/contrib/systemd/etpro-telemetry.service" "$PREFIX/lib/systemd/system/etpro-telemetry.service"
	fi

	if [ "$OPNSENSE" = yes ]; then
		plugin=$SRC/contrib/opnsense/src
		(cd "$plugin" && find opnsense -type f | sort) | while read -r f; do
			place 0644 "$plugin/$f" "$PREFIX/$f"
		done
		place 0644 "$plugin/etc/cron.d/etpro-telemetry.cron" "$PREFIX/etc/cron.d/etpro-telemetry.cron" config
	fi

	check_node
	say "installed into ${ROOT} (record: $LIB/MANIFEST; undo: $LIB/install.sh --uninstall)"
	if [ "$OPNSENSE" = yes ]; then
		say "next: etpro-telemetry --version; service configd restart; then the token under Services > Intrusion Detection > Administration > Download (see $PREFIX/share/doc/etpro-telemetry/INSTALL.md)"
	else
		say "next: etpro-telemetry token set -; etpro-telemetry sensor-info (see $PREFIX/share/doc/etpro-telemetry/INSTALL.md)"
	fi
}

case $MODE in
install) install_all ;;
uninstall) uninstall ;;
esac
