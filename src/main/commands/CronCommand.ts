/**
 * `cron [--bin PATH] [--user USER] [--rules-at HH:MM] [--plain] [--reload-command CMD] [flags passed on]`:
 * prints crontab lines that run the one-shot commands (minute / hour / day), for firewalls that prefer cron
 * to a long-running process. Install with `(crontab -l; etpro-telemetry cron) | crontab -` (as root) or append
 * `cron --user root` output to /etc/crontab.
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { hostname } from "node:os"
import { Output } from "../../adapters/Output.js"
import { crontab, hostMinute } from "../../domain/Crontab.js"
import { DELIVERY_POLICIES } from "../../domain/Delivery.js"
import { CronOptions } from "../../domain/CronOptions.js"
import { decodeFlags } from "./Common.js"

const text = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudo), Options.optional, Options.withDescription(description))

export const cronCommand = Command.make(
  "cron",
  {
    bin: Options.text("bin").pipe(Options.withPseudoName("PATH"), Options.withDefault("/usr/local/bin/etpro-telemetry"), Options.withDescription("the agent's executable")),
    user: text("user", "USER", "add a user column (system crontab: /etc/crontab, /etc/cron.d)"),
    rulesAt: Options.text("rules-at").pipe(Options.withPseudoName("HH:MM"), Options.withDefault("03:00"), Options.withDescription("local time of the daily rules update (HH:MM)")),
    plain: Options.boolean("plain").pipe(Options.withDescription("leave output to cron (mail) instead of piping it to logger(1)")),
    reloadCommand: text("reload-command", "CMD", "passed to rules update"),
    root: text("root", "DIR", "passed to every command"),
    config: text("config", "FILE", "passed to every command"),
    log: text("log", "PATH", "passed to send-events and send-heartbeat"),
    state: text("state", "FILE", "passed to every command"),
    baseUrl: text("base-url", "URL", "passed to every command"),
    insecure: Options.boolean("insecure").pipe(Options.withDescription("passed to every command")),
    delivery: Options.choice("delivery", DELIVERY_POLICIES).pipe(Options.optional, Options.withDescription("passed to send-events"))
  },
  (flags) =>
    Effect.gen(function* () {
      const o = yield* decodeFlags(CronOptions)(flags)
      const pass = (flag: string, v: string | undefined) => (v !== undefined ? [flag, v] : [])
      const args = [
        ...pass("--root", o.root),
        ...pass("--config", o.config),
        ...pass("--state", o.state),
        ...pass("--base-url", o.baseUrl),
        ...(o.insecure ? ["--insecure"] : [])
      ]
      const out = yield* Output
      yield* out.out(
        crontab({
          bin: o.bin,
          args,
          // sensor-info and rules update read no eve log and take no --log.
          logArgs: pass("--log", o.log),
          eventArgs: pass("--delivery", o.delivery),
          rulesArgs: pass("--reload-command", o.reloadCommand),
          user: o.user,
          rulesAtMs: o.rulesAtMs,
          sensorInfoMinute: hostMinute(hostname()),
          syslog: !o.plain
        })
      )
    })
).pipe(Command.withDescription("print crontab lines that run the one-shot commands (instead of `run`)"))
