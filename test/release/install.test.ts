/**
 * install.sh from the unpacked release, under --root: what it installs on an OPNsense-like and a Linux-like
 * root, and that --uninstall leaves each root byte for byte (and mode for mode) as it was found. Run by
 * dash where there is one, as the strictest POSIX sh at hand.
 */
import { createHash } from "node:crypto"
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, unpackRelease } from "./support.js"

const SH = existsSync("/usr/bin/dash") ? "/usr/bin/dash" : "/bin/sh"

let dir: string
let top: string
const roots: Array<string> = []

beforeAll(async () => {
  ;({ dir, top } = await unpackRelease())
})

afterAll(() => {
  for (const d of [dir, ...roots]) if (d !== undefined) rmSync(d, { recursive: true, force: true })
})

const install = (root: string, ...args: ReadonlyArray<string>) => run(SH, [join(top, "install.sh"), "--root", root, ...args], dir)

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

const opnsenseRoot = () =>
  newRoot({
    "etc/rc.subr": "# rc.subr\n",
    "usr/local/bin/": "",
    "usr/local/etc/suricata/rule-updater.config": "[__properties__]\n",
    "usr/local/opnsense/service/conf/actions.d/actions_ids.conf": "[status]\n",
    // Another package's file where the widget goes: moved aside, then put back.
    "usr/local/opnsense/www/js/widgets/ETProTelemetry.js": "// someone else's widget\n"
  })

const CRON = "/usr/local/etc/cron.d/etpro-telemetry.cron"

describe("install.sh --root", () => {
  it("installs the release, the launcher, rc.d and the OPNsense files; --uninstall leaves the root as found", async () => {
    const root = opnsenseRoot()
    chmodSync(join(root, "usr/local/opnsense/www/js/widgets/ETProTelemetry.js"), 0o640)
    const before = listing(root)

    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    const at = (p: string) => join(root, p)
    expect(readFileSync(at("usr/local/lib/etpro-telemetry/dist/bin.js"))).toEqual(readFileSync(join(top, "dist/bin.js")))
    expect(statSync(at("usr/local/bin/etpro-telemetry")).mode & 0o777).toBe(0o555)
    expect(readFileSync(at("usr/local/bin/etpro-telemetry"), "utf8")).toContain("exec node /usr/local/lib/etpro-telemetry/bin/etpro-telemetry \"$@\"")
    expect(readFileSync(at("usr/local/etc/rc.d/etpro_telemetry"))).toEqual(readFileSync(join(top, "contrib/rc.d/etpro_telemetry")))
    for (const f of [
      "opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml",
      "opnsense/www/js/widgets/ETProTelemetry.js",
      "opnsense/www/js/widgets/Metadata/etpro-telemetry.xml",
      "etc/cron.d/etpro-telemetry.cron"
    ]) expect(readFileSync(at(`usr/local/${f}`)), f).toEqual(readFileSync(join(top, "contrib/opnsense/src", f)))
    expect(existsSync(at("usr/local/lib/systemd"))).toBe(false)
    expect(r.stdout).toContain("moved aside /usr/local/opnsense/www/js/widgets/ETProTelemetry.js")

    // The installed copy runs by itself.
    const version = await run(process.execPath, [at("usr/local/lib/etpro-telemetry/bin/etpro-telemetry"), "--version"], dir)
    expect(version.stdout.trim()).toBe("0.1.0")

    const again = await install(root)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^emergingthreats: install: already installed \(.*MANIFEST\): run install.sh --uninstall first .*\)\n$/)

    // The launcher runs the installed release.
    expect(readFileSync(at("usr/local/bin/etpro-telemetry"), "utf8")).toContain("LIB=/usr/local/lib/etpro-telemetry\n")

    const u = await run(SH, [at("usr/local/lib/etpro-telemetry/install.sh"), "--root", root, "--uninstall"], dir)
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)
  }, 120_000)

  it("on Linux installs the systemd unit under /usr/local/lib/systemd and no OPNsense files", async () => {
    const root = newRoot({ "etc/systemd/system/": "" })
    const before = listing(root)
    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(root, "usr/local/lib/systemd/system/etpro-telemetry.service"))).toEqual(
      readFileSync(join(top, "contrib/systemd/etpro-telemetry.service"))
    )
    expect(existsSync(join(root, "usr/local/opnsense"))).toBe(false)
    expect(existsSync(join(root, "usr/local/etc/rc.d"))).toBe(false)
    const u = await install(root, "--uninstall")
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)
  })

  it("never overwrites an administrator's cron file, before or after installing", async () => {
    const root = opnsenseRoot()
    file(root, CRON, "# mine\n*/5 * * * * root /usr/local/bin/etpro-telemetry send-events\n")
    const before = listing(root)
    const r = await install(root)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`kept ${CRON}`)
    expect(readFileSync(join(root, CRON), "utf8")).toContain("# mine")
    const u = await install(root, "--uninstall")
    expect(u.code, u.stderr).toBe(0)
    expect(listing(root)).toEqual(before)

    // Installed by us, then edited: --uninstall keeps it.
    const other = opnsenseRoot()
    expect((await install(other)).code).toBe(0)
    writeFileSync(join(other, CRON), "# edited\n", { flag: "a" })
    const u2 = await install(other, "--uninstall")
    expect(u2.code, u2.stderr).toBe(0)
    expect(u2.stdout).toContain(`kept ${CRON}`)
    expect(readFileSync(join(other, CRON), "utf8")).toContain("# edited")
  }, 120_000)

  it("refuses, changing nothing, next to the stock os-etpro-telemetry plugin or with a bad argument", async () => {
    const root = opnsenseRoot()
    file(root, "usr/local/opnsense/scripts/etpro_telemetry/send_telemetry.py", "#!/usr/local/bin/python3\n")
    const before = listing(root)
    const r = await install(root)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("emergingthreats: install: the os-etpro-telemetry plugin is installed: remove it first (pkg delete os-etpro-telemetry)\n")
    expect(listing(root)).toEqual(before)

    const bad = await install(root, "--frobnicate")
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unknown argument --frobnicate")
    const none = await install(root, "--uninstall")
    expect(none.code).toBe(2)
    expect(listing(root)).toEqual(before)
  })
})
