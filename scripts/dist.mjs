// `npm run dist`: the release. One self-contained JavaScript file for every agent command (the CLI's own
// esbuild settings, without code splitting, so nothing is looked up in node_modules at run time), and
// release/etpro-telemetry-<version>.tar.gz holding it with bin/, the service files, the OPNsense plugin
// files, a README and install.sh. Beside it, release/security/etpro-telemetry-agent/: the OPNsense plugin
// port (contrib/opnsense with the bundle, the launcher and the rc.d script added under src/), ready to be
// copied into a checkout of opnsense/plugins for `make package`. Both are staged beside their final place
// and renamed into it, so a reader (tests in parallel) never sees half of either.
import { build } from "esbuild"
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { create } from "tar"
import { bundleOptions } from "./esbuild-options.mjs"

const repo = fileURLToPath(new URL("../", import.meta.url))
const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"))
const name = `etpro-telemetry-${version}`
const out = join(repo, "release")
const stage = join(out, `stage-${process.pid}`)
const top = join(stage, name)

rmSync(stage, { recursive: true, force: true })
mkdirSync(top, { recursive: true })

await build({
  ...bundleOptions,
  absWorkingDir: repo,
  splitting: false,
  // better-sqlite3 stays external: only the reference service needs it, and it loads it at run time.
  entryPoints: ["src/main/bin.ts"],
  outfile: join(top, "dist/bin.js"),
  // The bundled packages' license notices stay in the one file, at its end.
  legalComments: "eof",
  minify: true
})

const copy = (from, to = from) => cpSync(join(repo, from), join(top, to), { recursive: true })
copy("bin")
copy("contrib")
copy("docs/INSTALL.md", "INSTALL.md")
copy("scripts/release/README", "README")
copy("scripts/release/install.sh", "install.sh")
copy("scripts/release/launcher.sh", "launcher.sh")
// Without it Node would read dist/bin.js (ESM) as CommonJS.
writeFileSync(join(top, "package.json"), `${JSON.stringify({ name: "etpro-telemetry", version, type: "module", private: true, license: "BSD-2-Clause" }, null, 2)}\n`)

// Fixed modes and times: the same sources give the same tarball and port.
const when = new Date("2026-01-01T00:00:00Z")
const fix = (dir, executable, rel = "") => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    const r = rel === "" ? e.name : `${rel}/${e.name}`
    if (e.isDirectory()) {
      fix(p, executable, r)
      chmodSync(p, 0o755)
    } else chmodSync(p, executable.has(r) ? 0o755 : 0o644)
    utimesSync(p, when, when)
  }
}
fix(top, new Set(["install.sh", "bin/etpro-telemetry", "contrib/rc.d/etpro_telemetry"]))
utimesSync(top, when, when)

// The plugin port: src/ is what pkg installs under /usr/local (Mk/plugins.mk keeps each file's mode).
const PORT = "security/etpro-telemetry-agent"
const portVersion = /^PLUGIN_VERSION=\s*(\S+)$/m.exec(readFileSync(join(repo, "contrib/opnsense/Makefile"), "utf8"))?.[1]
if (portVersion !== version) throw new Error(`contrib/opnsense/Makefile: PLUGIN_VERSION ${portVersion} is not package.json's ${version}`)
const portStage = join(stage, "port")
const portSrc = join(portStage, "src")
cpSync(join(repo, "contrib/opnsense"), portStage, { recursive: true })
const LIB = "/usr/local/lib/etpro-telemetry"
for (const f of ["bin/etpro-telemetry", "dist/bin.js", "package.json"]) cpSync(join(top, f), join(portSrc, "lib/etpro-telemetry", f))
mkdirSync(join(portSrc, "bin"), { recursive: true })
writeFileSync(join(portSrc, "bin/etpro-telemetry"), readFileSync(join(repo, "scripts/release/launcher.sh"), "utf8").replaceAll("@LIB@", LIB))
cpSync(join(repo, "contrib/rc.d/etpro_telemetry"), join(portSrc, "etc/rc.d/etpro_telemetry"))
cpSync(join(repo, "docs/INSTALL.md"), join(portSrc, "share/doc/etpro-telemetry/INSTALL.md"))
fix(portStage, new Set(["src/bin/etpro-telemetry", "src/lib/etpro-telemetry/bin/etpro-telemetry", "src/etc/rc.d/etpro_telemetry"]))
const portDir = join(out, PORT)
const portOld = join(out, `.port-old-${process.pid}`)
mkdirSync(join(out, "security"), { recursive: true })
rmSync(portOld, { recursive: true, force: true })
try {
  renameSync(portDir, portOld)
} catch {
  // no earlier port tree
}
renameSync(portStage, portDir)
rmSync(portOld, { recursive: true, force: true })

const bundleBytes = statSync(join(top, "dist/bin.js")).size
const tarball = join(out, `${name}.tar.gz`)
const tmp = join(out, `.${name}.tar.gz.${process.pid}`)
await create({ gzip: { level: 9 }, file: tmp, cwd: stage, portable: true, noMtime: false, mtime: when }, [name])
renameSync(tmp, tarball)
rmSync(stage, { recursive: true, force: true })

process.stdout.write(`${tarball}: ${statSync(tarball).size} bytes (dist/bin.js ${bundleBytes} bytes)\n${portDir}: the OPNsense plugin port\n`)
