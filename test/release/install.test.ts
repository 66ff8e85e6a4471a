/**
 * install.sh from the unpacked release, under --root: it installs the agent as a service on an OPNsense-like,
 * a FreeBSD-like and a Linux-like root, refuses next to the stock os-etpro-telemetry plugin (asked through a
 * stand-in `pkg` on PATH answering `pkg info -e os-etpro-telemetry` as pkg(8) does: exit 0 when installed, 1
 * when not) and on OPNsense without node, and --uninstall leaves each root byte for byte (and mode for mode)
 * as it was found, never touching the stock plugin's files. Run by dash where there is one, as the strictest
 * POSIX sh at hand.
 */
import { createHash } from "node:crypto"
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { collect } from "../support/BuiltCli.js"
import { run, unpackRelease } from "./support.js"

const SH = existsSync("/usr/bin/dash") ? "/usr/bin/dash" : "/bin/sh"
const PLUGIN = "contrib/opnsense/src"

let dir: string
let top: string
const roots: Array<string> = []

beforeAll(async () => {
  ;({ dir, top } = await unpackRelease())
})

afterAll(() => {
  for (const d of [dir, ...roots]) if (d !== undefined) rmSync(d, { recursive: true, force: true })
})

/** A directory holding only a `pkg` that answers `pkg info -e os-etpro-telemetry` with the given exit status. */
const fakePkg = (installed: boolean) => {
  const bin = mkdtempSync(join(tmpdir(), "etpro-pkg-"))
  roots.push(bin)
  writeFileSync(join(bin, "pkg"), `#!/bin/sh\n[ "$*" = "info -e os-etpro-telemetry" ] && exit ${installed ? 0 : 1}\necho "pkg: unexpected: $*" >&2\nexit 64\n`)
  chmodSync(join(bin, "pkg"), 0o755)
  return bin
}

const install = (root: string, args: ReadonlyArray<string> = [], stockInstalled = false) =>
  collect(SH, [join(top, "install.sh"), "--root", root, ...args], {
    cwd: dir,
    env: { PATH: `${fakePkg(stockInstalled)}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmpdir(), NO_COLOR: "1" }
  }, 110_000)

/** Every entry under root: type and mode, and a content hash for files, a target for links. */
const listing = (root: string): Array<string> => {
  const walk = (d: string): Array<string> =>
    readdirSync(d).sort().flatMap((name) => {
      const p = join(d, name)
      const s = lstatSync(p)
      const rel = p.slice(root.length)
      const mode = s.mode.toString(8)
      if (s.isDirectory()) return [`${rel} ${mode}`, ...walk(p)]
      if (s.isSymbolicLink()) return [`${rel} ${mode} -> ${readlinkSync(p)}`]
      return [`${rel} ${mode} ${createHash("sha256").update(readFileSync(p)).digest("hex")}`]
    })
  return walk(root)
}

const file = (root: string, path: string, body: string, mode = 0o644) => {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), body)
  chmodSync(join(root, path), mode)
}

const newRoot = (layout: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), "etpro-root-"))
  roots.push(root)
  for (const [path, body] of Object.entries(layout)) {
    if (path.endsWith("/")) mkdirSync(join(root, path), { recursive: true })
    else file(root, path, body)
  }
  return root
}

/** OPNsense's layout as far as install.sh looks, with node where FreeBSD's node22 package puts it. */
const opnsenseRoot = (withNode = true) => {
  const root = newRoot({
    "etc/rc.subr": "# rc.subr\n",
    "etc/rc.conf.d/": "",
    "usr/local/bin/": "",
    "usr/local/etc/suricata/rule-updater.config": "[__properties__]\n",
    "usr/local/opnsense/service/conf/actions.d/actions_ids.conf": "[status]\n"
  })
  if (withNode) symlinkSync(process.execPath, join(root, "usr/local/bin/node"))
  return root
}

/** The stock plugin's files at the paths ours share, and its own (security/etpro-telemetry in opnsense/plugins). */
const STOCK_FILES: Record<string, string> = {
  "usr/local/opnsense/scripts/etpro_telemetry/send_telemetry.py": "#!/usr/local/bin/python3\n# stock\n",
  "usr/local/opnsense/service/conf/actions.d/actions_proofpoint.conf": "[et.status]\n",
  "usr/local/opnsense/www/js/widgets/ETProTelemetry.js": "// stock widget\n",
  "usr/local/opnsense/www/js/widgets/Metadata/etpro-telemetry.xml": "<metadata><!-- stock --></metadata>\n",
  "usr/local/opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php": "<?php // stock\n",
  "usr/local/opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml": "<acl><!-- stock --></acl>\n",
  "usr/local/opnsense/scripts/suricata/metadata/rules/et-telemetry.xml": "<ruleset><!-- stock --></ruleset>\n",
  "usr/local/etc/cron.d/etpro-telemetry.cron": "# stock cron\n"
}

const CRON = "/usr/local/etc/cron.d/etpro-telemetry.cron"
const RC_CONF = "etc/rc.conf.d/etpro_telemetry"

// Each install copies and hashes the whole release: slow on a loaded machine.
describe("install.sh --root", { timeout: 240_000 }, () => {
  it("on OPNsense installs the release, the launcher, the service (rc.d, enabled) and the plugin files; --uninstall leaves the root as found", async () => {
    const root = opnsenseRoot()
    // Another package's file where the widget goes: moved aside, then put back, mode and all.
    file(root, "usr/local/opnsense/www/js/widgets/ETProTelemetry.js", "// someone else's widget\n", 0o640)
    const before = listing(root)

    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    const at = (p: string) => join(root, p)
    expect(readFileSync(at("usr/local/lib/etpro-telemetry/dist/bin.js"))).toEqual(readFileSync(join(top, "dist/bin.js")))
    expect(statSync(at("usr/local/bin/etpro-telemetry")).mode & 0o777).toBe(0o555)
    expect(readFileSync(at("usr/local/bin/etpro-telemetry"), "utf8")).toContain("exec node --max-semi-space-size=1 /usr/local/lib/etpro-telemetry/bin/etpro-telemetry \"$@\"")
    expect(readFileSync(at("usr/local/etc/rc.d/etpro_telemetry"))).toEqual(readFileSync(join(top, "contrib/rc.d/etpro_telemetry")))
    expect(statSync(at("usr/local/etc/rc.d/etpro_telemetry")).mode & 0o111).not.toBe(0)
    for (const f of [
      "opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "opnsense/service/templates/OPNsense/ETProTelemetry/+TARGETS",
      "opnsense/service/templates/OPNsense/ETProTelemetry/rc.conf.d",
      "opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml",
      "opnsense/www/js/widgets/ETProTelemetry.js",
      "opnsense/www/js/widgets/Metadata/etpro-telemetry.xml",
      "etc/inc/plugins.inc.d/etpro_telemetry.inc"
    ]) expect(readFileSync(at(`usr/local/${f}`)), f).toEqual(readFileSync(join(top, PLUGIN, f)))
    // The service is on: what OPNsense renders from the template, written now.
    expect(readFileSync(at(RC_CONF), "utf8")).toMatch(/^etpro_telemetry_enable="YES"$/m)
    expect(readFileSync(at(RC_CONF))).toEqual(readFileSync(join(top, PLUGIN, "opnsense/service/templates/OPNsense/ETProTelemetry/rc.conf.d")))
    // cron is the alternative, not installed by default.
    expect(existsSync(at(CRON.slice(1)))).toBe(false)
    expect(existsSync(at("usr/local/lib/systemd"))).toBe(false)
    expect(r.stdout).toContain("moved aside /usr/local/opnsense/www/js/widgets/ETProTelemetry.js")
    // Every entry of the record names what it wrote by its hash.
    const manifest = readFileSync(at("usr/local/lib/etpro-telemetry/MANIFEST"), "utf8").trim().split("\n")
    for (const line of manifest.filter((l) => /^[fbc] /.test(l))) {
      const [, path, sum] = line.split(" ")
      expect(createHash("sha256").update(readFileSync(at(path!.slice(1)))).digest("hex"), path).toBe(sum)
    }

    // The installed copy runs by itself.
    const version = await run(process.execPath, [at("usr/local/lib/etpro-telemetry/bin/etpro-telemetry"), "--version"], dir)
    expect(version.stdout.trim()).toBe("0.1.0")

    const again = await install(root)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^emergingthreats: install: already installed \(.*MANIFEST\): run install.sh --uninstall first .*\)\n$/)

    // The launcher runs the installed release.
    expect(readFileSync(at("usr/local/bin/etpro-telemetry"), "utf8")).toContain("LIB=/usr/local/lib/etpro-telemetry\n")

    const u = await collect(SH, [at("usr/local/lib/etpro-telemetry/install.sh"), "--root", root, "--uninstall"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } }, 110_000)
    expect(u.code, u.stderr).toBe(0)
    expect(u.stdout).toContain("restored /usr/local/opnsense/www/js/widgets/ETProTelemetry.js")
    expect(listing(root)).toEqual(before)
  })

  it("on FreeBSD enables the rc.d service in /etc/rc.conf.d, and no OPNsense files", async () => {
    const root = newRoot({ "etc/rc.subr": "# rc.subr\n" })
    const before = listing(root)
    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(root, RC_CONF), "utf8")).toMatch(/^etpro_telemetry_enable="YES"$/m)
    expect(existsSync(join(root, "usr/local/etc/rc.d/etpro_telemetry"))).toBe(true)
    expect(existsSync(join(root, "usr/local/opnsense"))).toBe(false)
    const u = await install(root, ["--uninstall"])
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)
  })

  it("on Linux installs the systemd unit under /usr/local/lib/systemd and enables it as systemctl enable would", async () => {
    const root = newRoot({ "etc/systemd/system/": "" })
    const before = listing(root)
    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(root, "usr/local/lib/systemd/system/etpro-telemetry.service"))).toEqual(readFileSync(join(top, "contrib/systemd/etpro-telemetry.service")))
    expect(readlinkSync(join(root, "etc/systemd/system/multi-user.target.wants/etpro-telemetry.service"))).toBe("/usr/local/lib/systemd/system/etpro-telemetry.service")
    expect(existsSync(join(root, "usr/local/opnsense"))).toBe(false)
    expect(existsSync(join(root, "usr/local/etc/rc.d"))).toBe(false)
    const u = await install(root, ["--uninstall"])
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)
  })

  it("--cron installs the cron file instead of the service, never overwrites an administrator's, and moves an edited one out of cron.d", async () => {
    const root = opnsenseRoot()
    file(root, CRON.slice(1), "# mine\n*/5 * * * * root /usr/local/bin/etpro-telemetry send-events\n")
    const before = listing(root)
    const r = await install(root, ["--cron"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`kept ${CRON}`)
    expect(readFileSync(join(root, CRON.slice(1)), "utf8")).toContain("# mine")
    // Not enabled, and no template OPNsense would render into rc.conf.d.
    expect(existsSync(join(root, RC_CONF))).toBe(false)
    expect(existsSync(join(root, "usr/local/opnsense/service/templates/OPNsense/ETProTelemetry"))).toBe(false)
    const u = await install(root, ["--uninstall"])
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)

    // Installed by us, then edited: --uninstall keeps it, out of cron.d, and says where.
    const other = opnsenseRoot()
    expect((await install(other, ["--cron"])).code).toBe(0)
    expect(readFileSync(join(other, CRON.slice(1)))).toEqual(readFileSync(join(top, "contrib/cron/etpro-telemetry.cron")))
    writeFileSync(join(other, CRON.slice(1)), "# edited\n", { flag: "a" })
    const u2 = await install(other, ["--uninstall"])
    expect(u2.code, u2.stderr).toBe(0)
    const kept = "/usr/local/etc/etpro-telemetry/etpro-telemetry.cron.kept"
    expect(u2.stdout).toContain(`kept ${CRON}, changed after installation: moved out of cron.d to ${kept}`)
    expect(existsSync(join(other, CRON.slice(1)))).toBe(false)
    expect(readFileSync(join(other, kept.slice(1)), "utf8")).toContain("# edited")
  })

  it("refuses next to the stock plugin (pkg says it is installed, or its files are there), changing nothing", async () => {
    const root = opnsenseRoot()
    const before = listing(root)
    const r = await install(root, [], true)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      "emergingthreats: install: the stock os-etpro-telemetry plugin is installed: remove it first (pkg delete os-etpro-telemetry), or install.sh --force to install beside it\n"
    )
    expect(r.stdout).toBe("")
    expect(listing(root)).toEqual(before)

    const withFiles = opnsenseRoot()
    for (const [p, body] of Object.entries(STOCK_FILES)) file(withFiles, p, body)
    const same = listing(withFiles)
    const r2 = await install(withFiles)
    expect(r2.code).toBe(2)
    expect(listing(withFiles)).toEqual(same)
  })

  it("--force beside the stock plugin, then --uninstall: the stock plugin's files are back, byte for byte", async () => {
    const root = opnsenseRoot()
    for (const [p, body] of Object.entries(STOCK_FILES)) file(root, p, body)
    const before = listing(root)
    const r = await install(root, ["--force"], true)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(root, "usr/local/opnsense/www/js/widgets/ETProTelemetry.js"))).toEqual(readFileSync(join(top, PLUGIN, "opnsense/www/js/widgets/ETProTelemetry.js")))
    const u = await install(root, ["--uninstall"])
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)
  })

  it("the stock plugin installed after us (pkg overwrites our files): --uninstall leaves every one of its files untouched", async () => {
    const root = opnsenseRoot()
    expect((await install(root)).code).toBe(0)
    for (const [p, body] of Object.entries(STOCK_FILES)) file(root, p, body)
    const u = await install(root, ["--uninstall"])
    expect(u.code, u.stderr).toBe(0)
    for (const [p, body] of Object.entries(STOCK_FILES)) expect(readFileSync(join(root, p), "utf8"), p).toBe(body)
    expect(u.stdout).toContain("left /usr/local/opnsense/www/js/widgets/ETProTelemetry.js: changed since installation")
    // Ours alone are gone.
    expect(existsSync(join(root, "usr/local/bin/etpro-telemetry"))).toBe(false)
    expect(existsSync(join(root, "usr/local/opnsense/service/conf/actions.d/actions_etpro_telemetry.conf"))).toBe(false)
    expect(existsSync(join(root, "usr/local/lib/etpro-telemetry"))).toBe(false)
  })

  it("on OPNsense without /usr/local/bin/node: exit 2 with the steps to get it, nothing changed", async () => {
    const root = opnsenseRoot(false)
    const before = listing(root)
    const r = await install(root)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^emergingthreats: install: node not found at \/usr\/local\/bin\/node: OPNsense's own repository has no Node\.js/)
    expect(r.stderr).toContain("pkg install node22")
    expect(listing(root)).toEqual(before)
  })

  it("a bad argument, or --uninstall with nothing installed: exit 2, nothing changed", async () => {
    const root = opnsenseRoot()
    const before = listing(root)
    const bad = await install(root, ["--frobnicate"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unknown argument --frobnicate")
    const none = await install(root, ["--uninstall"])
    expect(none.code).toBe(2)
    expect(listing(root)).toEqual(before)
  })
})
