/**
 * `send-events [--base-url URL] [--max-age DURATION|off] [--direct] [--insecure]`: one delivery run (SPEC 5).
 * The flags are decoded once into the options Schema (programs/SendEventsOptions.ts); `run`'s events task
 * builds the run from the same Schema's type with the same function (./RunCommand.ts).
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import * as AuditLog from "../../adapters/AuditLog.js"
import { Credentials } from "../../adapters/Credentials.js"
import { HostNetworks } from "../../adapters/HostNetworks.js"
import { StateStore } from "../../adapters/StateStore.js"
import type { Paths } from "../../domain/Paths.js"
import { DEFAULT_MAX_AGE } from "../FlagDefaults.js"
import { auditLayer, sensorLayer } from "../layers.js"
import { loadPrivacy, rememberHostNetworks, type Privacy } from "../Privacy.js"
import { eventsPending } from "../programs/EventsPending.js"
import type { SendEventsRun } from "../programs/SendEvents.js"
import { SendEventsOptions } from "../programs/SendEventsOptions.js"
import { apiFlags, apiOf } from "./ApiFlags.js"
import { decodeFlags, delivery, SIDS_DEFAULT } from "./Common.js"

/**
 * The program's options from a delivery run's flags: the privacy set-up (read only when there is something
 * new) and the audit file (absent with `--no-audit`), on this host's networks and the AuditLog in context.
 */
export const sendEventsOptions = (
  o: Pick<SendEventsOptions, "maxAgeMs" | "direct" | "homeNet" | "sids" | "internalDomains" | "noAudit" | "delivery"> & {
    readonly paths: Paths
    readonly tokenWarnings?: boolean
    /** `run`: HOME_NET and SIDs as read now, else the daemon's last good ones (programs/DaemonConfig.ts). */
    readonly privacy?: <E>(fresh: Effect.Effect<Privacy, E>) => Effect.Effect<Privacy, E>
  }
) =>
  Effect.gen(function* () {
    const hosts = yield* HostNetworks
    // This host's networks with those earlier runs saw (issue 25, point 3); deliverPending puts them on record.
    const privacy = (o.privacy ?? ((fresh) => fresh))(
      loadPrivacy({
        suricataYaml: o.paths.suricataYaml,
        sidsFile: o.sids ?? o.paths.telemetrySids,
        homeNet: o.homeNet,
        internalDomains: o.internalDomains,
        siteRoot: o.paths.root,
        statePath: o.paths.state,
        maxAgeMs: o.maxAgeMs
      }).pipe(Effect.provideService(HostNetworks, hosts))
    )
    const options: SendEventsRun = {
      log: o.paths.logDir,
      maxAgeMs: o.maxAgeMs,
      direct: o.direct,
      delivery: o.delivery,
      privacy,
      ...(o.noAudit ? {} : { audit: yield* AuditLog.AuditLog }),
      ...(o.tokenWarnings === false ? { tokenWarnings: false } : {})
    }
    return options
  })

/** A delivery run once the log holds something past the checkpoint: the program, loaded only then. */
export const deliverPending = (options: SendEventsRun) =>
  Effect.gen(function* () {
    const store = yield* StateStore
    const { sendEvents } = yield* Effect.promise(() => import("../programs/SendEvents.js"))
    const privacy = options.privacy.pipe(
      Effect.flatMap((p) => rememberHostNetworks(p, options.maxAgeMs)),
      Effect.provideService(StateStore, store)
    )
    yield* Effect.scoped(sendEvents({ ...options, privacy }))
  })

/**
 * One delivery run: the program (loaded when there is something to read) on the options and the services in
 * context. When the eve files hold nothing past the checkpoint, the token is still checked (no token is exit 2)
 * and the run ends there, silently: no lock, no state write, no HTTP stack (cron every minute; `run` asks
 * eventsPending itself, before its per-run layers are built, then calls deliverPending).
 */
export const sendEventsRun = (options: SendEventsRun) =>
  Effect.flatMap(eventsPending(options.log), (pending) =>
    pending ? deliverPending(options) : Effect.asVoid(Effect.flatMap(Credentials, (c) => c.token))
  )

export const sendEventsCommand = Command.make(
  "send-events",
  {
    ...apiFlags,
    maxAge: Options.text("max-age").pipe(
      Options.withPseudoName("DURATION"),
      Options.withDefault(DEFAULT_MAX_AGE),
      Options.withDescription("never send alerts older than this (90s, 30m, 1h, 2d) or off")
    ),
    direct: Options.boolean("direct").pipe(Options.withDescription("send now, without the random 0-60 s spread delay")),
    homeNet: Options.text("home-net").pipe(Options.withPseudoName("CIDRS"), Options.optional, Options.withDescription("replaces HOME_NET, e.g. 10.0.0.0/8,fd00::/8")),
    sids: Options.text("sids").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("telemetry SID list"), Options.withDescription(SIDS_DEFAULT)),
    internalDomains: Options.text("internal-domains").pipe(Options.withPseudoName("DOMAINS"), Options.optional, Options.withDescription("names under these domains are internal (masked), e.g. acme.example,corp.example")),
    delivery,
    noAudit: Options.boolean("no-audit").pipe(Options.withDescription("keep no local record of the bodies sent (dump --sent)"))
  },
  (flags) =>
    Effect.gen(function* () {
      const decoded = yield* decodeFlags(SendEventsOptions)(flags)
      const { paths, api } = yield* apiOf(decoded)
      const options = yield* sendEventsOptions({ ...decoded, paths }).pipe(Effect.provide(auditLayer(paths)))
      yield* sendEventsRun(options).pipe(Effect.provide(sensorLayer(paths, api)))
    })
).pipe(Command.withDescription("deliver new alerts from the eve logs to the service (one run, cron-friendly)"))
