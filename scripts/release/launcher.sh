#!/bin/sh
# etpro-telemetry launcher, written by install.sh (@LIB@: where the release is). cron, configd and daemon(8)
# start commands with a short PATH; node lives in /usr/local/bin on FreeBSD and OPNsense.
PATH="/usr/local/bin:/usr/bin:/bin:${PATH:-}"
export PATH
LIB=@LIB@

# send-events, which cron starts every minute, starts from a V8 startup snapshot with Effect's modules
# already compiled and evaluated (src/main/SendEventsSnapshot.ts; BENCHMARKS.md "Issue 14"). A snapshot
# loads only in the node that made it and without extra V8 options, so it is made here, for the node found,
# on first use and again when node or the bundle changed (their size and time, as ls shows them, kept in
# send-events.blob.id). Made beside and renamed into place; one that could not be made is not tried again
# until they change (the id is kept without a blob), and without a usable one the command starts as usual.
if [ "${1:-}" = send-events ] && [ -z "${NODE_OPTIONS:-}" ] && [ -f "$LIB/dist/snapshot.cjs" ]; then
	blob=$LIB/dist/send-events.blob
	id=$(ls -lLn "$(command -v node)" "$LIB/dist/snapshot.cjs" 2>/dev/null)
	if [ -n "$id" ] && [ "$id" != "$(cat "$blob.id" 2>/dev/null)" ] && [ -w "$LIB/dist" ]; then
		rm -f "$blob"
		node --snapshot-blob "$blob.$$" --build-snapshot "$LIB/dist/snapshot.cjs" >/dev/null 2>&1 && mv -f "$blob.$$" "$blob"
		rm -f "$blob.$$"
		printf '%s\n' "$id" >"$blob.id.$$" && mv -f "$blob.id.$$" "$blob.id"
	fi
	[ -n "$id" ] && [ -f "$blob" ] && [ "$id" = "$(cat "$blob.id" 2>/dev/null)" ] &&
		exec node --snapshot-blob "$blob" "$LIB/bin/etpro-telemetry" "$@"
fi
# dump reads whole logs: V8's young generation at its default size (up to 16 MB a semi-space) made most of
# its peak RSS; 4 MB a semi-space took a dump of 400k lines from 115 to 88 MiB for ~5 % more CPU (BENCHMARKS.md
# "Issue 14"). Only a launcher can set it: V8 sizes the heap before any script runs.
[ "${1:-}" = dump ] && exec node --max-semi-space-size=4 @LIB@/bin/etpro-telemetry "$@"
exec node @LIB@/bin/etpro-telemetry "$@"
