/**
 * Where things are on a sensor (SPEC section 1). `--root DIR` prefixes every default path, so tests, demos
 * and replays run against a tree of their own; a path given explicitly by flag is used as given.
 */

/** `a/b`, as path.join makes it on POSIX (the agent's only platform) for the cases here: no doubled `/`. */
const join = (dir: string, name: string): string => {
  const base = dir.replace(/\/+$/, "")
  const rest = name.replace(/^\/+/, "")
  return base === "" ? (dir.startsWith("/") ? `/${rest}` : rest) : `${base}/${rest}`
}

export interface Paths {
  readonly root: string
  /** The agent's own token file (written by `token set`), read before rule-updater.config. */
  readonly tokenFile: string
  readonly ruleUpdaterConfig: string
  readonly suricataYaml: string
  readonly rulesDir: string
  readonly installedRules: string
  readonly opnsenseRulesDir: string
  /** The agent's own rules install (`rules update` off OPNsense): generations and the include file. */
  readonly agentRulesDir: string
  /** Its presence means an OPNsense tree: there OPNsense itself downloads and installs the ruleset. */
  readonly opnsenseMarker: string
  /** Suricata's pidfile: `rules update` signals that process (USR2) to reload the rules. */
  readonly suricataPidfile: string
  readonly telemetrySids: string
  readonly telemetryVersion: string
  readonly logDir: string
  readonly statsLog: string
  readonly state: string
  /** Commands probed for the heartbeat; prefixed by the root like every path. */
  readonly commands: {
    readonly opnsenseVersion: string
    readonly suricata: string
    readonly suricataRc: string
  }
}

export interface PathOverrides {
  readonly root?: string | undefined
  readonly config?: string | undefined
  readonly suricataYaml?: string | undefined
  readonly log?: string | undefined
  readonly state?: string | undefined
  readonly sids?: string | undefined
}

export const DEFAULTS = {
  tokenFile: "/usr/local/etc/etpro-telemetry/token",
  ruleUpdaterConfig: "/usr/local/etc/suricata/rule-updater.config",
  suricataYaml: "/usr/local/etc/suricata/suricata.yaml",
  rulesDir: "/usr/local/etc/suricata/rules",
  installedRules: "/usr/local/etc/suricata/installed_rules.yaml",
  opnsenseRulesDir: "/usr/local/etc/suricata/opnsense.rules",
  agentRulesDir: "/usr/local/etc/suricata/etpro-telemetry",
  opnsenseMarker: "/usr/local/opnsense",
  suricataPidfile: "/var/run/suricata.pid",
  logDir: "/var/log/suricata",
  state: "/usr/local/var/run/etpro-telemetry/state.json",
  opnsenseVersion: "/usr/local/sbin/opnsense-version",
  suricata: "/usr/local/bin/suricata",
  suricataRc: "/usr/local/etc/rc.d/suricata"
} as const

export const resolvePaths = (o: PathOverrides = {}): Paths => {
  const root = o.root ?? "/"
  const at = (p: string) => (root === "/" ? p : join(root, p))
  const rulesDir = at(DEFAULTS.rulesDir)
  const logDir = o.log ?? at(DEFAULTS.logDir)
  return {
    root,
    tokenFile: at(DEFAULTS.tokenFile),
    ruleUpdaterConfig: o.config ?? at(DEFAULTS.ruleUpdaterConfig),
    suricataYaml: o.suricataYaml ?? at(DEFAULTS.suricataYaml),
    rulesDir,
    installedRules: at(DEFAULTS.installedRules),
    opnsenseRulesDir: at(DEFAULTS.opnsenseRulesDir),
    agentRulesDir: at(DEFAULTS.agentRulesDir),
    opnsenseMarker: at(DEFAULTS.opnsenseMarker),
    suricataPidfile: at(DEFAULTS.suricataPidfile),
    telemetrySids: o.sids ?? join(rulesDir, "telemetry_sids.txt"),
    telemetryVersion: join(rulesDir, "telemetry_version.json"),
    logDir,
    statsLog: join(o.log ?? at(DEFAULTS.logDir), "stats.log"),
    state: o.state ?? at(DEFAULTS.state),
    commands: {
      opnsenseVersion: at(DEFAULTS.opnsenseVersion),
      suricata: at(DEFAULTS.suricata),
      suricataRc: at(DEFAULTS.suricataRc)
    }
  }
}

/** The audit record of bodies sent, beside the state file. */
export const AUDIT_FILE = "sent-audit.jsonl"

/** A file beside the state file (its locks, the audit record). */
export const besideState = (state: string, name: string): string => {
  const i = state.lastIndexOf("/")
  return i < 0 ? name : `${state.slice(0, i + 1)}${name}`
}

/**
 * The files the agent keeps as its own for one sensor, which must be regular files (issue 24 row 4): the
 * state and its lock, the run locks, the audit record and its rotated copy, the token file and the config.
 */
export const ownFilePaths = (p: Pick<Paths, "state" | "tokenFile" | "ruleUpdaterConfig">): ReadonlyArray<string> => [
  p.state,
  `${p.state}.lock`,
  besideState(p.state, "send-events.lock"),
  besideState(p.state, "run.lock"),
  besideState(p.state, AUDIT_FILE),
  besideState(p.state, `${AUDIT_FILE}.1`),
  p.tokenFile,
  p.ruleUpdaterConfig
]
