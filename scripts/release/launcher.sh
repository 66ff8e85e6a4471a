#!/bin/sh
# etpro-telemetry launcher, written by install.sh (@LIB@: where the release is). cron, configd and daemon(8)
# start commands with a short PATH; node lives in /usr/local/bin on FreeBSD and OPNsense.
PATH="/usr/local/bin:/usr/bin:/bin:${PATH:-}"
export PATH
LIB=@LIB@

# V8 sizes its young generation before any script runs, so only a launcher can set it. At its default (up to 16 MB
# a semi-space) it made most of the peak: 4 MB a semi-space took a dump of 400k lines from 115 to 88 MiB for
# ~5 % more CPU; 1 MB took `run` over 100 alerts a minute from ~126 to ~92 MiB resident, and a one-shot
# send-events of a 30k-alert backlog from 188 to 160 MiB (the old generation's growth is set in
# src/main/bin.ts; BENCHMARKS.md, "Issue 22").
[ "${1:-}" = dump ] && exec node --max-semi-space-size=4 @LIB@/bin/etpro-telemetry "$@"
exec node --max-semi-space-size=1 @LIB@/bin/etpro-telemetry "$@"
