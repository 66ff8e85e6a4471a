# etpro-telemetry: the agent runs as a service (/usr/local/etc/rc.d/etpro_telemetry, under daemon(8)).
# Rules are OPNsense's (Intrusion Detection downloads the ET telemetry ruleset), so not one of its tasks.
etpro_telemetry_enable="YES"
etpro_telemetry_args="--tasks events,heartbeat,sensor-info"
