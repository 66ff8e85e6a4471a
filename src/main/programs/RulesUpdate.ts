/**
 * `rules update` (SPEC section 8) and `rules list`. Update: on an OPNsense tree, say that OPNsense downloads
 * the ruleset itself and touch nothing. Elsewhere ask the service for the ruleset version; when it is the
 * installed one and the agent's install is as it installed it, stop (unless `--force`); else download the
 * archive with the token (retried like every request, src/domain/Retry.ts), verify and install it through
 * RulesStore (old set or new, never a mix), record the result in the agent state, and tell Suricata (USR2,
 * or `--reload-command`). Never fails: every outcome, good or bad, is a value with its exit code, so `run`
 * can log it and go on.
 */
import { Clock, Effect, Option } from "effect"
import { Output } from "../../adapters/Output.js"
import { Credentials } from "../../adapters/Credentials.js"
import { RulesStore } from "../../adapters/RulesStore.js"
import { StateStore } from "../../adapters/StateStore.js"
import { Processes } from "../../adapters/Processes.js"
import * as TelemetryApi from "../../adapters/TelemetryApi.js"
import type { AgentState } from "../../domain/AgentState.js"
import { type ApiError, BadResponseError, TransportError } from "../../domain/ApiError.js"
import { decodeRulesetVersion } from "../../domain/ServiceAnswer.js"
import {
  defaultPolicy, RetryBudget, type RetryPolicy, retryWaitLine, runDeadlineMs, schedule as retrySchedule
} from "../../domain/Retry.js"
import { redact } from "../../domain/Token.js"
import { formatSelection, type Manifest, sameSelection, sameVersion, type Selection } from "../../domain/RulesPlan.js"
import { type ApiOptions, describeApiError } from "./SensorInfo.js"
import type { RulesUpdateOptions } from "./RulesOptions.js"

/** What one update reads: the API settings, fields of its options Schema (./RulesOptions.ts), and knobs. */
export type RulesUpdateRun = ApiOptions &
  Pick<RulesUpdateOptions, "force"> &
  Partial<Pick<RulesUpdateOptions, "categories" | "reloadCommand" | "opnsense">> & {
    /** Suricata's pidfile, for the default reload (USR2); without it, no reload. */
    readonly pidfile?: string | undefined
    /** Reload command time limit [120 s]. */
    readonly reloadTimeoutMs?: number
    readonly retry?: RetryPolicy
    /** Told once per retry wait (`retrying in 4 s (attempt 3), giving up in 1m 40s`). */
    readonly onRetryWait?: (text: string) => Effect.Effect<void>
  }

/**
 * What went wrong, for the command to map to its exit code: none; a usage or configuration error (no token);
 * the service refused the token; anything else (download, verification, install, reload).
 */
export type RulesFault = "none" | "usage" | "refused" | "failed"

export interface RulesUpdateOutcome {
  readonly kind: "installed" | "unchanged" | "deferred" | "busy" | "failed"
  readonly fault: RulesFault
  /** One line for the operator; never the token. */
  readonly message: string
  readonly warnings: ReadonlyArray<string>
  readonly version?: string | undefined
}

type LastRules = NonNullable<AgentState["lastRules"]>

const remembered = (s: AgentState, m: Manifest | undefined): Selection => s.lastRules?.enabled ?? m?.enabled ?? "all"

/** What `rules update` says on OPNsense, where the ruleset metadata the agent ships drives OPNsense's download. */
export const deferredMessage = (marker: string) =>
  `this is an OPNsense firewall (${marker}): OPNsense downloads and installs the ET telemetry ruleset itself ` +
  `(Services > Intrusion Detection > Download); nothing done`

export const rulesUpdate = (
  o: RulesUpdateRun
): Effect.Effect<RulesUpdateOutcome, never, RulesStore | StateStore | Credentials | TelemetryApi.TelemetryApi | Processes> =>
  Effect.scoped(
    Effect.gen(function* () {
      const store = yield* RulesStore
      const states = yield* StateStore
      const warnings: Array<string> = []

      // Before the lock: on OPNsense nothing is created, downloaded or recorded.
      if (o.opnsense === true || (yield* store.onOpnsense)) {
        const marker = o.opnsense === true ? "--opnsense" : store.layout.opnsenseMarker
        return { kind: "deferred", fault: "none", message: deferredMessage(marker), warnings }
      }

      const busy = yield* store.lock.pipe(
        Effect.as(undefined),
        Effect.catchTag("RulesBusy", (e) => Effect.succeed(e.message)),
        Effect.catchTag("RulesStoreError", (e) => Effect.succeed(`cannot take the rules lock: ${e.message}`))
      )
      if (busy !== undefined) {
        const failed = !busy.includes("another rules update")
        return { kind: failed ? "failed" : "busy", fault: failed ? "failed" : "none", message: busy, warnings }
      }

      const loaded = yield* states.load.pipe(Effect.option)
      const state = Option.match(loaded, { onNone: () => undefined, onSome: (l) => l.state })
      const view = yield* store.inspect.pipe(Effect.option)
      const installed = Option.getOrUndefined(view)
      const selection = o.categories ?? (state === undefined ? "all" : remembered(state, installed?.manifest))

      const record = (r: Omit<LastRules, "at">) =>
        Effect.gen(function* () {
          const at = yield* Clock.currentTimeMillis
          yield* states
            .modify((s) => ({
              ...s,
              lastRules: {
                ...(s.lastRules?.version !== undefined ? { version: s.lastRules.version } : {}),
                ...(s.lastRules?.categories !== undefined ? { categories: s.lastRules.categories } : {}),
                ...(s.lastRules?.enabled !== undefined ? { enabled: s.lastRules.enabled } : {}),
                ...r,
                at
              }
            }))
            .pipe(Effect.catchAll((e) => Effect.sync(() => void warnings.push(`the result was not recorded: ${e.message}`))))
        })

      // Every failure is said and stored scrubbed of the token: it may quote what the service sent (issue 15).
      let secret = ""
      const fail = (said: string, fault: RulesFault = "failed") => {
        const message = redact(said, secret)
        return record({ ok: false, message }).pipe(
          Effect.as<RulesUpdateOutcome>({ kind: "failed", fault, message, warnings })
        )
      }

      const token = yield* Effect.either(Effect.flatMap(Credentials, (c) => c.token))
      if (token._tag === "Left") return yield* fail(token.left.message, "usage")
      warnings.push(...token.right.warnings)
      secret = token.right.token

      const policy = o.retry ?? defaultPolicy
      const budget = new RetryBudget(policy.budgetMs)
      // Each call, retries and waits included, has its own bound (issue 15): the attempts' deadlines and the budget.
      const retried = <A>(e: Effect.Effect<A, ApiError>, url: string, attemptMs = o.timeoutMs) =>
        Effect.retry(
          e,
          retrySchedule({
            policy,
            budget,
            beforeWait: (_ms, _e, wait) => o.onRetryWait?.(retryWaitLine(wait)) ?? Effect.void
          })
        ).pipe(
          Effect.timeoutFail({
            duration: runDeadlineMs(policy, attemptMs),
            onTimeout: () =>
              new TransportError({ url, reason: "timeout", message: `no answer from ${url} within ${runDeadlineMs(policy, attemptMs)} ms` })
          })
        )
      const base = o.baseUrl.replace(/\/+$/, "")
      const scrub = (t: string) => redact(t, secret)
      const apiFailure = (what: string) => (e: ApiError) => {
        const { reason, kind } = describeApiError(e)
        const refused = kind === "refused"
        return fail(
          scrub(`${what} failed: ${refused ? "the service refused the token: " : ""}${reason}; the installed rules are unchanged`),
          refused ? "refused" : "failed"
        )
      }

      const work = Effect.gen(function* () {
        const api = yield* TelemetryApi.TelemetryApi
        const version = yield* retried(api.rulesetVersion, `${base}/api/v1/ruleset/version`).pipe(Effect.either)
        if (version._tag === "Left") return yield* apiFailure("ruleset version")(version.left)
        // Decoded, not trusted (issue 24 row 9): the version names files and fills messages.
        const decoded = decodeRulesetVersion(version.right)
        if ("error" in decoded) {
          return yield* apiFailure("ruleset version")(new BadResponseError({ url: `${base}/api/v1/ruleset/version`, message: decoded.error }))
        }
        const v = decoded.version
        const selectionChanged =
          o.categories !== undefined &&
          !(installed?.manifest !== undefined && sameSelection(installed.manifest.enabled, o.categories))
        if (!o.force && !selectionChanged && installed !== undefined && installed.complete && sameVersion(installed.version, v)) {
          const message = `ruleset version ${v} is already installed (${installed.files.length} rule files)`
          yield* record({
            ok: true,
            message,
            version: v,
            ...(installed.manifest !== undefined ? { categories: installed.manifest.categories } : {}),
            enabled: selection
          })
          return { kind: "unchanged", fault: "none", message, warnings, version: v } satisfies RulesUpdateOutcome
        }
        const dest = yield* store.downloadPath.pipe(Effect.either)
        if (dest._tag === "Left") return yield* fail(dest.left.message)
        const archive = dest.right
        return yield* Effect.gen(function* () {
          const got = yield* retried(
            api.downloadRuleset(archive, store.limits.maxArchiveBytes),
            `${base}/api/v1/ruleset/engine/suricata/5`,
            TelemetryApi.downloadDeadlineMs(o.timeoutMs)
          ).pipe(Effect.either)
          if (got._tag === "Left") return yield* apiFailure("ruleset download")(got.left)
          const at = yield* Clock.currentTimeMillis
          const done = yield* store.install(archive, { version: v, selection, at }).pipe(Effect.either)
          if (done._tag === "Left") {
            return yield* fail(`the downloaded ruleset was not installed: ${done.left.message}; the installed rules are unchanged`)
          }
          const m = done.right.manifest
          warnings.push(...done.right.warnings)
          // Same version, but the install is not what was installed: say why it was done again.
          const repaired =
            !o.force && installed?.damage !== undefined && sameVersion(installed.version, v) ? ` again (${installed.damage})` : ""
          let message =
            `installed ruleset version ${v}${repaired}: ${m.files.length} rule files from ${m.categories.length} categories ` +
            `(enabled: ${formatSelection(selection)}), ${got.right} bytes downloaded`
          yield* record({ ok: true, message, version: v, categories: m.categories, enabled: selection })
          const processes = yield* Processes
          const reload =
            o.reloadCommand !== undefined
              ? processes.runReloadCommand(o.reloadCommand, o.reloadTimeoutMs ?? 120_000)
              : o.pidfile !== undefined
              ? processes.reloadSuricata(o.pidfile)
              : undefined
          if (reload !== undefined) {
            const r = yield* reload
            if (r.problem !== undefined) {
              message = `${message}; but ${r.problem}`
              yield* record({ ok: false, message, version: v, categories: m.categories, enabled: selection })
              return { kind: "installed", fault: "failed", message, warnings, version: v } satisfies RulesUpdateOutcome
            }
            message = `${message}; ${r.note}`
          }
          return { kind: "installed", fault: "none", message, warnings, version: v } satisfies RulesUpdateOutcome
        }).pipe(Effect.ensuring(store.discard(archive)))
      })

      return yield* work.pipe(
        Effect.catchAllDefect((d) => fail(scrub(`internal error: ${String(d).split("\n")[0]}`)))
      )
    })
  )

/** `rules update` as a command: the outcome on stderr, the exit code for the CLI. */
export const rulesUpdateProgram = (o: RulesUpdateRun) =>
  Effect.gen(function* () {
    const out = yield* Output
    const outcome = yield* rulesUpdate({ ...o, onRetryWait: (t) => out.err(`emergingthreats: rules update: ${t}`) })
    for (const w of outcome.warnings) yield* out.err(`emergingthreats: rules update: warning: ${w}`)
    return outcome
  })

export interface CategoryLine {
  readonly category: string
  readonly enabled: boolean
}

/** `rules list`: the categories of the last download and which are enabled. */
export const rulesList = Effect.gen(function* () {
  const store = yield* RulesStore
  const states = yield* StateStore
  const view = yield* store.inspect
  const state = yield* states.load.pipe(
    Effect.map((l) => l.state),
    Effect.orElseSucceed(() => undefined)
  )
  const m = view.manifest
  const categories = m?.categories ?? state?.lastRules?.categories ?? []
  const enabled: Selection = m?.enabled ?? state?.lastRules?.enabled ?? "all"
  const installedFiles = new Set(view.files)
  const lines: ReadonlyArray<CategoryLine> = [...categories].sort().map((c) => ({
    category: c,
    enabled: m !== undefined ? installedFiles.has(`${c}.rules`) : enabled === "all" || enabled.includes(c)
  }))
  return {
    version: view.version,
    selection: enabled,
    lines,
    lastResult: state?.lastRules,
    complete: view.complete,
    // On OPNsense its own downloader installs the rules: `rules update` does nothing there to suggest.
    onOpnsense: yield* store.onOpnsense
  }
})
