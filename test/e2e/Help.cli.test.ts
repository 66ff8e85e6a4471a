/**
 * `--help` of every command through the built CLI, as an operator reads it piped: exactly the flags the
 * command uses, each default named, each value named, none of @effect/cli's boilerplate, no colour, the wizard hidden.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"

beforeAll(ensureBuilt, 120_000)

const SERVICE = ["--base-url", "--insecure", "--timeout"]
const PATHS = ["--root", "--config", "--suricata-yaml", "--log", "--state"]
/** Only the token's and the state's paths: the commands that just ask the service. */
const ACCOUNT = ["--root", "--config", "--state", ...SERVICE]

const FLAGS: Record<string, ReadonlyArray<string>> = {
  status: [...ACCOUNT, "--json", "--serve", "--check", "--unreachable-after"],
  "sensor-info": ACCOUNT,
  "rules update": [...ACCOUNT, "--force", "--categories", "--reload-command", "--opnsense"],
  "rules list": ["--root", "--state", "--json"],
  "send-heartbeat": [...PATHS, ...SERVICE, "--direct", "--print"],
  "send-events": [...PATHS, ...SERVICE, "--max-age", "--direct", "--home-net", "--sids", "--no-audit", "--internal-domains", "--delivery"],
  dump: ["--root", "--suricata-yaml", "--log", "--state", "--since", "--parsed", "--explain", "--limit", "--home-net", "--sids", "--sent", "--internal-domains"],
  "token set": ["--root", "--config"],
  cron: ["--bin", "--user", "--rules-at", "--plain", "--reload-command", "--root", "--config", "--log", "--state", "--base-url", "--insecure", "--delivery"],
  service: ["--listen", "--db", "--token", "--admin-key", "--etpro-rules", "--etopen-rules"],
  demo: ["--serve", "--root", "--listen", "--status-listen"],
  replay: ["--log", "--speed", "--instant", "--base-url", "--token", "--insecure", "--home-net", "--suricata-yaml", "--sids", "--max-age"],
  run: [
    ...PATHS, ...SERVICE, "--tasks", "--max-age", "--home-net", "--sids", "--rules-at", "--rules-jitter", "--categories",
    "--reload-command", "--status-listen", "--no-audit", "--now", "--stop-grace", "--internal-domains", "--tick", "--delivery"
  ]
}

/** Defaults the help must name (a sample per kind: a fixed value, a URL, a path under --root). */
const DEFAULTS: Record<string, Record<string, string>> = {
  status: { "--base-url": "https://opnsense.emergingthreats.net", "--timeout": "5s", "--unreachable-after": "1h", "--state": "/usr/local/var/run/etpro-telemetry/state.json (under --root)" },
  "send-events": { "--delivery": "skip", "--max-age": "1d", "--log": "/var/log/suricata (under --root)", "--sids": "/usr/local/etc/suricata/rules/telemetry_sids.txt (under --root)" },
  dump: { "--since": "1h", "--suricata-yaml": "/usr/local/etc/suricata/suricata.yaml (under --root)" },
  run: { "--stop-grace": "10", "--tasks": "events,heartbeat,sensor-info,rules" },
  service: { "--listen": "127.0.0.1:8080" }
}

/** Each flag's entry: its name line, then its indented paragraphs. */
const entries = (help: string): Map<string, string> => {
  const options = help.slice(help.indexOf("\nOPTIONS\n"))
  const out = new Map<string, string>()
  let current: string | undefined
  for (const l of options.split("\n")) {
    if (l.startsWith("-")) out.set((current = l.split(" ")[0]!), "")
    else if (current !== undefined && l.trim() !== "") out.set(current, `${out.get(current)}${l.trim()}\n`)
  }
  return out
}

describe("help", () => {
  for (const [command, flags] of Object.entries(FLAGS)) {
    it(`${command} --help lists exactly its flags, with their defaults`, async () => {
      const r = await runBuilt([...command.split(" "), "--help"])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain(`$ etpro-telemetry ${command} `)
      const listed = entries(r.stdout)
      expect([...listed.keys()].sort()).toEqual([...flags].sort())
      for (const [flag, value] of Object.entries(DEFAULTS[command] ?? {})) expect(listed.get(flag)).toContain(`Default: ${value}\n`)
      expect(r.stdout).not.toMatch(/A user-defined|This setting is optional|A true or false value|--wizard|--completions/)
      // Values are named for what they are (`--since DURATION`, `--log PATH`), not @effect/cli's `text`.
      expect(r.stdout).not.toMatch(/--[a-z-]+ (text|integer|float)\b/)
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).not.toMatch(/\x1b\[/)
      // The boilerplate dropped leaves no runs of blank lines.
      expect(r.stdout).not.toContain("\n\n\n")
    })
  }

  it("every command with a help entry is in the table", async () => {
    const r = await runBuilt(["--help"])
    const commands = [...r.stdout.matchAll(/^ {2}- ([a-z-]+(?: [a-z][a-z-]*)?)/gm)].map((m) => m[1]!)
    const leaves = commands.filter((c) => !commands.some((d) => d.startsWith(`${c} `)))
    expect(leaves.sort()).toEqual(Object.keys(FLAGS).sort())
  })

  it("--completions bash prints a script to source (README: shell completions)", async () => {
    const r = await runBuilt(["--completions", "bash"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("complete -F")
    expect(r.stdout).toContain("send-events")
  })
})
