// `npm run dist`: the release. One self-contained JavaScript file for every agent command (the CLI's own
// esbuild settings, without code splitting, so nothing is looked up in node_modules at run time), and
// release/etpro-telemetry-<version>.tar.gz holding it with bin/, the service files, the OPNsense plugin
// files, a README and install.sh. Staged beside the tarball and renamed into place, so a reader (tests in
// parallel) never sees half a tarball.
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

// Fixed modes and times: the same sources give the same tarball.
const EXECUTABLE = new Set(["install.sh", "bin/etpro-telemetry", "contrib/rc.d/etpro_telemetry"])
const when = new Date("2026-01-01T00:00:00Z")
const fix = (dir, rel = "") => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    const r = rel === "" ? e.name : `${rel}/${e.name}`
    if (e.isDirectory()) {
      fix(p, r)
      chmodSync(p, 0o755)
    } else chmodSync(p, EXECUTABLE.has(r) ? 0o755 : 0o644)
    utimesSync(p, when, when)
  }
}
fix(top)
utimesSync(top, when, when)

const bundleBytes = statSync(join(top, "dist/bin.js")).size
const tarball = join(out, `${name}.tar.gz`)
const tmp = join(out, `.${name}.tar.gz.${process.pid}`)
await create({ gzip: { level: 9 }, file: tmp, cwd: stage, portable: true, noMtime: false, mtime: when }, [name])
renameSync(tmp, tarball)
rmSync(stage, { recursive: true, force: true })

process.stdout.write(`${tarball}: ${statSync(tarball).size} bytes (dist/bin.js ${bundleBytes} bytes)\n`)
