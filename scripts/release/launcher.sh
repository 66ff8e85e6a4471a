#!/bin/sh
# etpro-telemetry launcher, written by install.sh (@LIB@: where the release is). cron, configd and daemon(8)
# start commands with a short PATH; node lives in /usr/local/bin on FreeBSD and OPNsense.
PATH="/usr/local/bin:/usr/bin:/bin:${PATH:-}"
export PATH
LIB=@LIB@

# dump reads whole logs: V8's young generation at its default size (up to 16 MB a semi-space) made most of
# its peak RSS; 4 MB a semi-space took a dump of 400k lines from 115 to 88 MiB for ~5 % more CPU (BENCHMARKS.md
# "Issue 14"). Only a launcher can set it: V8 sizes the heap before any script runs.
[ "${1:-}" = dump ] && exec node --max-semi-space-size=4 @LIB@/bin/etpro-telemetry "$@"
exec node @LIB@/bin/etpro-telemetry "$@"
