/**
 * Each command's options Schema (issue 22: one per command, decoded once) on flag records as @effect/cli hands
 * them over (Option for a flag without a default): what a good record decodes to, and the one operator line a
 * bad value is refused with (the same words the commands used before the Schemas; README, exit 2).
 */
import { Either, Option, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { CronOptions } from "../../../src/domain/CronOptions.js"
import { firstMessage } from "../../../src/domain/OptionSchemas.js"
import { DumpOptions } from "../../../src/main/programs/DumpOptions.js"
import { SendHeartbeatOptions } from "../../../src/main/programs/SendHeartbeatOptions.js"
import { ReplayOptions } from "../../../src/main/programs/ReplayOptions.js"
import { RulesListOptions, RulesUpdateOptions } from "../../../src/main/programs/RulesOptions.js"
import { RunOptions } from "../../../src/main/programs/RunOptions.js"
import { SendEventsOptions } from "../../../src/main/programs/SendEventsOptions.js"
import { SensorInfoOptions } from "../../../src/main/programs/SensorInfoOptions.js"
import { StatusOptions } from "../../../src/main/programs/StatusOptions.js"
import { TokenSetOptions } from "../../../src/main/programs/TokenSetOptions.js"
import { DemoOptions } from "../../../src/reference/DemoOptions.js"
import { ServiceOptions } from "../../../src/reference/ServiceOptions.js"

const none = Option.none<string>()
const some = Option.some

const decode = <A, I>(schema: Schema.Schema<A, I>, flags: unknown) =>
  Either.mapLeft(Schema.decodeUnknownEither(schema)(flags), firstMessage)

const refused = <A, I>(schema: Schema.Schema<A, I>, flags: unknown): string => {
  const r = decode(schema, flags)
  if (Either.isRight(r)) throw new Error(`accepted: ${JSON.stringify(r.right)}`)
  return r.left
}

const accepted = <A, I>(schema: Schema.Schema<A, I>, flags: unknown): A => {
  const r = decode(schema, flags)
  if (Either.isLeft(r)) throw new Error(`refused: ${r.left}`)
  return r.right
}

const paths = { root: none, config: none, suricataYaml: none, log: none, state: none }
const service = { baseUrl: "https://opnsense.emergingthreats.net", insecure: false, timeout: "5s" }
const account = { root: none, config: none, state: none, ...service }
const delivery = { maxAge: "1d", homeNet: none, sids: none, internalDomains: none, delivery: "skip", noAudit: false }
const sendEvents = { ...paths, ...service, ...delivery, direct: false }
const run = {
  ...paths, ...service, ...delivery, tasks: "events,heartbeat,sensor-info,rules", rulesAt: "03:00", rulesJitter: "1h",
  categories: none, reloadCommand: none, statusListen: none, now: false, graceSeconds: 10, tick: none
}
const dump = { ...paths, sids: none, since: "1h", parsed: false, explain: false, limit: Option.none<number>(), homeNet: none, internalDomains: none, sent: false }
const status = { ...account, json: false, serve: none, check: false, unreachableAfter: "1h" }
const rulesUpdate = { ...account, force: false, categories: none, reloadCommand: none, opnsense: false }
const replay = {
  log: "/x", speed: Option.none<number>(), instant: false, baseUrl: none, token: none, insecure: false,
  homeNet: none, suricataYaml: none, sids: none, maxAge: "1d"
}
const cron = {
  bin: "/usr/local/bin/etpro-telemetry", user: none, rulesAt: "03:00", plain: false, reloadCommand: none,
  root: none, config: none, log: none, state: none, baseUrl: none, insecure: false, delivery: none
}

describe("each command's options Schema", () => {
  it("send-events: durations in ms, off as undefined, paths and lists as strings", () => {
    expect(accepted(SendEventsOptions, { ...sendEvents, root: some("/r"), sids: some("/s") })).toMatchObject({
      root: "/r", log: undefined, timeoutMs: 5_000, maxAgeMs: 86_400_000, sids: "/s", homeNet: undefined, delivery: "skip"
    })
    expect(accepted(SendEventsOptions, { ...sendEvents, maxAge: "off" }).maxAgeMs).toBeUndefined()
    expect(refused(SendEventsOptions, { ...sendEvents, maxAge: "soon" })).toBe('--max-age "soon" is not a duration (90s, 30m, 1h, 2d) or off')
    expect(refused(SendEventsOptions, { ...sendEvents, maxAge: "0s" })).toBe('--max-age "0s" is not a duration (90s, 30m, 1h, 2d) or off')
    expect(refused(SendEventsOptions, { ...sendEvents, timeout: "0s" })).toBe('--timeout "0s" is not a duration (5s, 90s, 2m)')
    expect(refused(SendEventsOptions, { ...sendEvents, baseUrl: "ftp://x" })).toBe('--base-url "ftp://x" is not an http(s) URL')
    // The first bad flag in the order the command always checked them: --timeout before --base-url before --max-age.
    expect(refused(SendEventsOptions, { ...sendEvents, maxAge: "x", baseUrl: "x", timeout: "x" })).toMatch(/^--timeout /)
    expect(refused(SendEventsOptions, { ...sendEvents, delivery: "never" })).toMatch(/never/)
  })

  it("run: tasks as names, times in ms, the listen address read", () => {
    const o = accepted(RunOptions, { ...run, tasks: "send-events, rules,events", tick: some("100ms"), statusListen: some("8080"), categories: some("emerging-dns,all-x") })
    expect(o).toMatchObject({ tasks: ["events", "rules"], tickMs: 100, rulesAtMs: 3 * 3_600_000, rulesJitterMs: 3_600_000, statusListen: { host: "127.0.0.1", port: 8080, text: "8080" } })
    expect(accepted(RunOptions, run).tickMs).toBe(60_000)
    expect(refused(RunOptions, { ...run, tasks: "events,mail" })).toBe('--tasks: "mail" is not one of events, heartbeat, sensor-info, rules')
    expect(refused(RunOptions, { ...run, graceSeconds: -1 })).toBe("--stop-grace -1 must be 0 or more seconds")
    expect(refused(RunOptions, { ...run, tick: some("2m") })).toBe('--tick "2m" is not a duration of at most 1m')
    expect(refused(RunOptions, { ...run, rulesAt: "25:00" })).toBe('--rules-at "25:00" is not a time of day (HH:MM)')
    expect(refused(RunOptions, { ...run, rulesJitter: "2d" })).toBe('--rules-jitter "2d" is not a duration up to 1d')
    expect(refused(RunOptions, { ...run, categories: some(",") })).toBe("--categories: no categories given (a comma-separated list, or all)")
    expect(refused(RunOptions, { ...run, statusListen: some("nope") })).toMatch(/^--status-listen: "nope" is not HOST:PORT/)
  })

  it("dump: --since as ms and text, or all; --limit 0 or more", () => {
    expect(accepted(DumpOptions, { ...dump, since: "90s", limit: some(0) })).toMatchObject({ since: { ms: 90_000, text: "90s" }, limit: 0 })
    expect(accepted(DumpOptions, { ...dump, since: "all" }).since).toBe("all")
    expect(refused(DumpOptions, { ...dump, since: "yesterday" })).toBe('--since "yesterday" is not a duration (90s, 30m, 1h, 2d) or all')
    expect(refused(DumpOptions, { ...dump, limit: some(-1) })).toBe("--limit -1 must be 0 or more")
  })

  it("send-heartbeat and sensor-info: the service's settings", () => {
    expect(accepted(SendHeartbeatOptions, { ...paths, ...service, direct: true, print: false })).toMatchObject({ timeoutMs: 5_000, direct: true })
    expect(refused(SendHeartbeatOptions, { ...paths, ...service, timeout: "5", direct: true, print: false })).toBe('--timeout "5" is not a duration (5s, 90s, 2m)')
    expect(accepted(SensorInfoOptions, { ...account, timeout: "90s" })).toMatchObject({ timeoutMs: 90_000, insecure: false })
    expect(refused(SensorInfoOptions, { ...account, baseUrl: "opnsense.emergingthreats.net" })).toBe('--base-url "opnsense.emergingthreats.net" is not an http(s) URL')
  })

  it("rules update and rules list", () => {
    expect(accepted(RulesUpdateOptions, { ...rulesUpdate, categories: some("all") }).categories).toBe("all")
    expect(accepted(RulesUpdateOptions, { ...rulesUpdate, categories: some("a.rules,b,a") }).categories).toEqual(["a", "b"])
    expect(refused(RulesUpdateOptions, { ...rulesUpdate, categories: some("../x") })).toBe('--categories: "../x" is not a category name')
    expect(accepted(RulesListOptions, { root: some("/r"), state: none, json: true })).toEqual({ root: "/r", state: undefined, json: true })
  })

  it("status: --check takes neither --json nor --serve", () => {
    expect(accepted(StatusOptions, { ...status, check: true, unreachableAfter: "2h" })).toMatchObject({ check: true, unreachableAfterMs: 7_200_000 })
    expect(refused(StatusOptions, { ...status, check: true, json: true })).toBe("--check prints one line: it takes neither --json nor --serve")
    expect(refused(StatusOptions, { ...status, check: true, serve: some("8080") })).toBe("--check prints one line: it takes neither --json nor --serve")
    expect(refused(StatusOptions, { ...status, unreachableAfter: "1" })).toBe('--unreachable-after "1" is not a duration (90s, 30m, 1h, 2d)')
    expect(refused(StatusOptions, { ...status, serve: some("[::1]") })).toMatch(/^--serve: "\[::1\]" is not HOST:PORT/)
  })

  it("replay: the pace from --speed or --instant, and its rules in their order", () => {
    expect(accepted(ReplayOptions, { ...replay, speed: some(60) })).toMatchObject({ pace: { _tag: "speed", factor: 60 }, maxAgeMs: 86_400_000 })
    expect(accepted(ReplayOptions, replay).pace).toEqual({ _tag: "instant" })
    expect(refused(ReplayOptions, { ...replay, speed: some(2), instant: true })).toBe("--speed and --instant exclude each other")
    expect(refused(ReplayOptions, { ...replay, speed: some(0), maxAge: "x" })).toBe("--speed must be a positive number")
    expect(refused(ReplayOptions, { ...replay, baseUrl: some("http://x") })).toBe("--base-url needs --token")
    expect(refused(ReplayOptions, { ...replay, baseUrl: some("x"), token: some("t") })).toBe('--base-url "x" is not an http(s) URL')
    expect(refused(ReplayOptions, { ...replay, token: some(" ") })).toBe("--token is empty")
    expect(refused(ReplayOptions, { ...replay, maxAge: "x" })).toBe('--max-age "x" is not a duration (90s, 30m, 1h, 2d) or off')
  })

  it("cron, token set, service, demo", () => {
    expect(accepted(CronOptions, { ...cron, user: some("root"), delivery: some("at-least-once") })).toMatchObject({ user: "root", rulesAtMs: 3 * 3_600_000, delivery: "at-least-once" })
    expect(refused(CronOptions, { ...cron, user: some("a b") })).toBe('--user "a b" is not a user name')
    expect(refused(CronOptions, { ...cron, rulesAt: "3" })).toBe('--rules-at "3" is not a time of day (HH:MM)')
    expect(accepted(TokenSetOptions, { root: none, config: some("/c"), token: "-" })).toEqual({ root: undefined, config: "/c", token: "-" })
    const svc = { listen: "127.0.0.1:8080", db: ":memory:", token: ["t1"], adminKey: none, etproRules: none, etopenRules: none }
    expect(accepted(ServiceOptions, svc)).toEqual({ host: "127.0.0.1", port: 8080, db: ":memory:", tokens: ["t1"], adminKey: undefined, etproDir: undefined, etopenDir: undefined })
    expect(refused(ServiceOptions, { ...svc, listen: "x" })).toMatch(/^--listen "x" is not HOST:PORT/)
    expect(refused(ServiceOptions, { ...svc, token: ["t1", " "] })).toBe("--token is empty")
    expect(accepted(DemoOptions, { serve: false, root: none, listen: "127.0.0.1:0", statusListen: "127.0.0.1:0" }).listen).toMatchObject({ host: "127.0.0.1", port: 0 })
    expect(refused(DemoOptions, { serve: false, root: none, listen: "99999", statusListen: "x" })).toBe("--listen port 99999 is out of range (0-65535)")
  })
})
