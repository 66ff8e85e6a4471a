#!/bin/sh
#
# install.sh [--root DIR] [--opnsense] [--cron] [--force] [--uninstall]
#
# Installs the etpro-telemetry release it sits in under DIR/usr/local (DIR defaults to /), on FreeBSD,
# OPNsense or Linux, with nothing but POSIX sh and the base tools, and runs the agent as a service: the
# release in /usr/local/lib/etpro-telemetry, the launcher /usr/local/bin/etpro-telemetry, and the rc.d script
# enabled in /etc/rc.conf.d (FreeBSD: DIR/etc/rc.subr; OPNsense: DIR/usr/local/opnsense or --opnsense, with
# the plugin files of contrib/opnsense/src) or the systemd unit enabled (Linux: DIR/etc/systemd). --cron
# installs the cron file instead of enabling the service. INSTALL.md section C lists every path.
#
# It refuses (exit 2, nothing changed) next to the stock os-etpro-telemetry plugin unless --force, and on
# OPNsense without /usr/local/bin/node. When DIR is /, it restarts configd (OPNsense) and starts the service.
# Every file, link and directory it creates is recorded in /usr/local/lib/etpro-telemetry/MANIFEST with the
# SHA-256 of what it wrote. --uninstall stops the service (DIR /), removes only what still has that content,
# puts back what it moved aside, and keeps a configuration file changed since (an edited cron file moves out
# of cron.d, since the command it runs is gone, and it says where).

set -eu

PREFIX=/usr/local
LIB=$PREFIX/lib/etpro-telemetry
KEPT=$PREFIX/etc/etpro-telemetry
STOCK=os-etpro-telemetry
TAG="emergingthreats: install"

say() { printf '%s: %s\n' "$TAG" "$*"; }
die() { printf '%s: %s\n' "$TAG" "$1" >&2; exit "${2:-1}"; }
usage() { printf '%s\n' "usage: install.sh [--root DIR] [--opnsense] [--cron] [--force] [--uninstall]"; }

ROOT=/
MODE=install
OPNSENSE=auto
CRON=no
FORCE=no
while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || die "--root needs a directory" 2; ROOT=$2; shift 2 ;;
	--root=*) ROOT=${1#--root=}; shift ;;
	--uninstall) MODE=uninstall; shift ;;
	--opnsense) OPNSENSE=yes; shift ;;
	--cron) CRON=yes; shift ;;
	--force) FORCE=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	*) printf '%s: unknown argument %s\n' "$TAG" "$1" >&2; usage >&2; exit 2 ;;
	esac
done

[ -d "$ROOT" ] || die "--root $ROOT: not a directory" 2
# Absolute, and empty for / so that "$R$path" is the path itself.
R=$(cd "$ROOT" && pwd)
[ "$R" = / ] && R=
MANIFEST=$R$LIB/MANIFEST

# sha FILE: its SHA-256 (GNU coreutils, FreeBSD's sha256, or openssl).
sha() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum <"$1" | cut -d ' ' -f 1
	elif command -v sha256 >/dev/null 2>&1; then sha256 -q "$1"
	else openssl dgst -sha256 <"$1" | sed 's/^.*= *//'; fi
}

# ours /abs/path SUM: the file is still what this script wrote there.
ours() { [ -f "$R$1" ] && [ ! -L "$R$1" ] && [ "$(sha "$R$1")" = "$2" ]; }
present() { [ -e "$R$1" ] || [ -L "$R$1" ]; }
unchanged() { ! present "$1" || ours "$1" "$2"; }
in_manifest() { awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' "$MANIFEST"; }

# ---------------------------------------------------------------------------------------------- uninstall
uninstall() {
	[ -f "$MANIFEST" ] || die "nothing to uninstall: $MANIFEST not found" 2
	rc=no systemd=no opnsense=no
	in_manifest "$PREFIX/etc/rc.d/etpro_telemetry" && rc=yes
	in_manifest "$PREFIX/lib/systemd/system/etpro-telemetry.service" && command -v systemctl >/dev/null 2>&1 && systemd=yes
	in_manifest "$PREFIX/opnsense/service/conf/actions.d/actions_etpro_telemetry.conf" && opnsense=yes
	# Stopped first: the agent finishes its delivery and writes its checkpoint while its files are there.
	if [ -z "$R" ] && [ "$rc" = yes ]; then "$PREFIX/etc/rc.d/etpro_telemetry" onestop >/dev/null 2>&1 || true; fi
	if [ -z "$R" ] && [ "$systemd" = yes ]; then systemctl stop etpro-telemetry.service >/dev/null 2>&1 || true; fi
	list=$(awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$MANIFEST")
	rm -f "$MANIFEST"
	# Newest first: files before the directories that hold them, a file removed before its original returns.
	printf '%s\n' "$list" | while read -r kind path sum; do
		case $kind in
		f)
			if unchanged "$path" "$sum"; then rm -f "$R$path"; else say "left $path: changed since installation, so no longer this release's"; fi
			;;
		b)
			if unchanged "$path" "$sum"; then
				rm -f "$R$path"
				mv -f "$R$LIB/backup$path" "$R$path" && say "restored $path"
			else
				say "left $path: changed since installation; the file it had replaced is $LIB/backup$path"
			fi
			;;
		c)
			if unchanged "$path" "$sum"; then
				rm -f "$R$path"
			elif [ "${path#*/cron.d/}" != "$path" ]; then
				# cron would go on running the command that is no longer there.
				mkdir -p "$R$KEPT"
				mv -f "$R$path" "$R$KEPT/${path##*/}.kept"
				say "kept $path, changed after installation: moved out of cron.d to $KEPT/${path##*/}.kept"
			else
				say "kept $path: it was changed after installation"
			fi
			;;
		l) if [ -L "$R$path" ] && [ "$(readlink "$R$path")" = "$sum" ]; then rm -f "$R$path"; fi ;;
		d) rmdir "$R$path" 2>/dev/null || say "left $path: not empty" ;;
		'') ;;
		*) say "MANIFEST: unknown line '$kind $path' ignored" ;;
		esac
	done
	if [ -z "$R" ] && [ "$opnsense" = yes ]; then service configd restart >/dev/null 2>&1 || say "could not restart configd: service configd restart"; fi
	if [ -z "$R" ] && [ "$systemd" = yes ]; then systemctl daemon-reload || true; fi
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

# place MODE SOURCE /abs/target [config]: installs one file, recording it with its hash.
place() {
	mkdirs "$(dirname "$3")"
	kind=f
	[ "${4:-}" = config ] && kind=c
	if present "$3"; then
		if [ -f "$R$3" ] && cmp -s "$2" "$R$3"; then
			return 0 # already there, byte for byte: not ours to remove later
		elif [ "$kind" = c ]; then
			say "kept $3 as it is (changed by an administrator); this release's version: $LIB/${2#"$SRC"/}"
			return 0
		fi
		mkdirs "$(dirname "$LIB/backup$3")"
		mv "$R$3" "$R$LIB/backup$3"
		kind=b
		say "moved aside $3 (restored by --uninstall)"
	fi
	cp "$2" "$R$3.etpro-tmp"
	chmod "$1" "$R$3.etpro-tmp"
	mv -f "$R$3.etpro-tmp" "$R$3"
	echo "$kind $3 $(sha "$R$3")" >>"$LOG"
}

# link TARGET /abs/link: a symbolic link, recorded; one already there is left alone.
link() {
	mkdirs "$(dirname "$2")"
	if present "$2"; then
		say "left $2 as it is"
		return 0
	fi
	ln -s "$1" "$R$2"
	echo "l $2 $1" >>"$LOG"
}

stock_installed() {
	if command -v pkg >/dev/null 2>&1 && pkg info -e "$STOCK" >/dev/null 2>&1; then
		return 0
	fi
	[ -d "$R$PREFIX/opnsense/scripts/etpro_telemetry" ]
}

# node_major NODE: its major version, or 0.
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# OPNsense: node must be where FreeBSD's package puts it, as every service starts with a short PATH.
need_node_on_opnsense() {
	node=$R$PREFIX/bin/node
	if [ ! -x "$node" ]; then
		cat >&2 <<EOF
$TAG: node not found at $PREFIX/bin/node: OPNsense's own repository has no Node.js. Get FreeBSD's node22:
  sed -i '' 's/enabled: no/enabled: yes/' /usr/local/etc/pkg/repos/FreeBSD.conf
  pkg install node22      # read the list first: answer no if it would replace OPNsense's own packages
  sed -i '' 's/enabled: yes/enabled: no/' /usr/local/etc/pkg/repos/FreeBSD.conf
then run install.sh again (INSTALL.md, section A, step 1).
EOF
		exit 2
	fi
	major=$(node_major "$node")
	[ "$major" != 0 ] || die "$PREFIX/bin/node does not run here: the agent needs Node.js 20.19 or later (pkg install node22)" 2
	[ "$major" -ge 20 ] 2>/dev/null || die "node $major at $PREFIX/bin/node: the agent needs Node.js 20.19 or later (pkg install node22)" 2
}

warn_node() {
	node=$(PATH="$R$PREFIX/bin:/usr/local/bin:/usr/bin:/bin:$PATH" command -v node 2>/dev/null || true)
	if [ -z "$node" ]; then
		say "node not found: install Node.js 20.19 or later (FreeBSD: pkg install node22) before the service can run"
		return 0
	fi
	major=$(node_major "$node")
	[ "$major" -ge 20 ] 2>/dev/null || say "node $major found: the agent needs Node.js 20.19 or later"
}

install_all() {
	[ -f "$SRC/dist/bin.js" ] && [ -f "$SRC/bin/etpro-telemetry" ] && [ -f "$SRC/launcher.sh" ] || die "run install.sh from the unpacked release ($SRC has no dist/bin.js)" 2
	[ -e "$MANIFEST" ] && die "already installed ($MANIFEST): run install.sh --uninstall first (changed configuration files are kept)" 2
	[ "$OPNSENSE" = auto ] && { [ -d "$R$PREFIX/opnsense" ] && OPNSENSE=yes || OPNSENSE=no; }
	FREEBSD=no SYSTEMD=no
	{ [ -f "$R/etc/rc.subr" ] || [ "$OPNSENSE" = yes ]; } && FREEBSD=yes
	[ "$FREEBSD" = no ] && [ -d "$R/etc/systemd" ] && SYSTEMD=yes
	# Both would send every event and heartbeat twice; and they install at the same paths.
	if [ "$FORCE" = no ] && stock_installed; then
		die "the stock $STOCK plugin is installed: remove it first (pkg delete $STOCK), or install.sh --force to install beside it" 2
	fi
	[ "$OPNSENSE" = yes ] && need_node_on_opnsense

	LOG=$(mktemp "${TMPDIR:-/tmp}/etpro-install.XXXXXX")
	trap finish EXIT
	trap 'exit 1' HUP INT TERM

	# The release itself, in its own directory.
	(cd "$SRC" && find . -type f | sort) | while read -r f; do
		f=${f#./}
		case $f in install.sh | bin/etpro-telemetry | contrib/rc.d/etpro_telemetry) mode=0555 ;; *) mode=0444 ;; esac
		place "$mode" "$SRC/$f" "$LIB/$f"
	done

	# The launcher: scripts/release/launcher.sh with this release's directory written in.
	launcher=$(mktemp "${TMPDIR:-/tmp}/etpro-launcher.XXXXXX")
	sed "s|@LIB@|$LIB|g" "$SRC/launcher.sh" >"$launcher"
	place 0555 "$launcher" "$PREFIX/bin/etpro-telemetry"
	rm -f "$launcher"

	place 0444 "$SRC/README" "$PREFIX/share/doc/etpro-telemetry/README"
	place 0444 "$SRC/INSTALL.md" "$PREFIX/share/doc/etpro-telemetry/INSTALL.md"

	if [ "$FREEBSD" = yes ]; then
		place 0555 "$SRC/contrib/rc.d/etpro_telemetry" "$PREFIX/etc/rc.d/etpro_telemetry"
	fi
	if [ "$SYSTEMD" = yes ]; then
		place 0444 "$SRC/contrib/systemd/etpro-telemetry.service" "$PREFIX/lib/systemd/system/etpro-telemetry.service"
	fi

	plugin=$SRC/contrib/opnsense/src
	rcconf=$plugin/opnsense/service/templates/OPNsense/ETProTelemetry/rc.conf.d
	if [ "$OPNSENSE" = yes ]; then
		(cd "$plugin" && find . -type f | sort) | while read -r f; do
			f=${f#./}
			# With cron, no template: OPNsense would render it into rc.conf.d and start the service as well.
			case $CRON/$f in yes/opnsense/service/templates/*) continue ;; esac
			place 0644 "$plugin/$f" "$PREFIX/$f"
		done
	fi

	# Debian's cron skips file names with a dot in /etc/cron.d.
	crontab=/etc/cron.d/etpro-telemetry
	[ "$FREEBSD" = no ] || crontab=$PREFIX/etc/cron.d/etpro-telemetry.cron
	if [ "$CRON" = yes ]; then
		place 0644 "$SRC/contrib/cron/etpro-telemetry.cron" "$crontab" config
	elif [ "$OPNSENSE" = yes ]; then
		# What OPNsense renders from the template, so the service runs before the next template reload too.
		place 0644 "$rcconf" /etc/rc.conf.d/etpro_telemetry config
	elif [ "$FREEBSD" = yes ]; then
		place 0644 "$SRC/contrib/rc.d/etpro_telemetry.rc.conf" /etc/rc.conf.d/etpro_telemetry config
	elif [ "$SYSTEMD" = yes ]; then
		link "$PREFIX/lib/systemd/system/etpro-telemetry.service" /etc/systemd/system/multi-user.target.wants/etpro-telemetry.service
	else
		say "no rc.subr and no systemd under ${ROOT}: no service installed; install.sh --cron for the cron file"
	fi

	[ "$OPNSENSE" = yes ] || warn_node
	say "installed into ${ROOT} (record: $LIB/MANIFEST; undo: $LIB/install.sh --uninstall)"

	# configd reads actions files only when it starts.
	if [ -z "$R" ] && [ "$OPNSENSE" = yes ]; then
		service configd restart >/dev/null 2>&1 && say "restarted configd" || say "could not restart configd: service configd restart"
	fi
	if [ -z "$R" ] && [ "$CRON" = no ] && [ "$FREEBSD" = yes ]; then
		"$PREFIX/etc/rc.d/etpro_telemetry" start || say "the service did not start: service etpro_telemetry start"
	elif [ -z "$R" ] && [ "$CRON" = no ] && [ "$SYSTEMD" = yes ] && [ -d /run/systemd/system ]; then
		{ systemctl daemon-reload && systemctl start etpro-telemetry.service; } || say "the service did not start: systemctl start etpro-telemetry"
	fi
	next="etpro-telemetry token set -; etpro-telemetry sensor-info"
	[ "$OPNSENSE" = no ] || next="the token under Services > Intrusion Detection > Administration > Download"
	say "next: $next (see $PREFIX/share/doc/etpro-telemetry/INSTALL.md)"
}

case $MODE in
install) install_all ;;
uninstall) uninstall ;;
esac
