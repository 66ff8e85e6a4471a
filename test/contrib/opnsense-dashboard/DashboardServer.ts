/**
 * The server side of the stand-in dashboard: OPNsense's web server as the widget sees it.
 *
 * - /ui/js/widgets/<file>: the widget directory (contrib/opnsense/src/opnsense/www/js/widgets), with
 *   BaseWidget.js and BaseTableWidget.js from ./ (our stand-ins) or, when OPNSENSE_CORE names a checkout of
 *   opnsense/core, from that checkout (src/opnsense/www/js/widgets/, and its jQuery), a check this project
 *   does not control.
 * - /api/core/dashboard/get_dashboard: built from every Metadata/*.xml as Core/Api/DashboardController.php
 *   (getDashboardAction, core stable/25.7) builds it: one module per child of <metadata>, id = its tag,
 *   module = <filename>, translations = the children of <translations>; a widget whose <endpoints> the user
 *   may not call (ACL.php urlMatch: "/" + pattern, `*` a wildcard) or whose file is missing is left out.
 *   The user here holds only the privilege our ACL.xml defines, as a non-admin given the widget would.
 * - the API answers set by the test, and a log of every path requested.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"

const PLUGIN = join(import.meta.dirname, "../../../contrib/opnsense/src/opnsense")
export const WIDGETS = join(PLUGIN, "www/js/widgets")
export const ACL = join(PLUGIN, "mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml")
const STANDIN = import.meta.dirname
const CORE = process.env["OPNSENSE_CORE"]
export const usingRealCore = CORE !== undefined && CORE !== ""

const decode = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&")
const children = (xml: string): Array<[string, string]> =>
  [...xml.replace(/<!--[\s\S]*?-->/g, "").matchAll(/<([A-Za-z_][\w.-]*)>([\s\S]*?)<\/\1>/g)].map((m) => [m[1]!, m[2]!])

export interface Module {
  readonly id: string
  readonly module: string
  readonly link: string
  readonly endpoints: ReadonlyArray<string>
  readonly translations: Record<string, string>
}

/** The widgets the metadata files describe (one file may describe several). */
export const readMetadata = (dir: string): Array<Module> =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".xml"))
    .flatMap((f) => {
      const root = /<metadata>([\s\S]*)<\/metadata>/.exec(readFileSync(join(dir, f), "utf8"))
      if (root === null) return []
      return children(root[1]!).map(([id, body]) => {
        const part = (tag: string) => children(body).find(([t]) => t === tag)?.[1] ?? ""
        const one = (tag: string) => decode(part(tag).trim())
        const endpoints = children(part("endpoints")).map(([, v]) => decode(v.trim()))
        const translations = Object.fromEntries(children(part("translations")).map(([k, v]) => [k, decode(v)]))
        return { id, module: one("filename"), link: one("link"), endpoints, translations }
      })
    })

/** ACL.php urlMatch: "." and "?" literal, "*" any run, a trailing "/*" also matches the bare path. */
export const urlMatch = (url: string, mask: string): boolean => {
  let re = mask.replace(/[.?+^$()[\]{}|\\]/g, (c) => `\\${c}`).replace(/\*/g, ".*")
  re = re.replace(/([/&?])\.\*$/, "($1.*)?")
  return new RegExp(`^/${re}$`).test(url.replace(/#.*$/, ""))
}

/** The patterns of every privilege in an ACL.xml. */
export const aclPatterns = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/<pattern>([^<]*)<\/pattern>/g)].map((m) => decode(m[1]!.trim()))

const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".xml": "application/xml" }
const type = (p: string) => TYPES[/\.[a-z]+$/.exec(p)?.[0] ?? ""] ?? "application/octet-stream"

export interface Dashboard {
  readonly url: string
  readonly requested: Array<string>
  /** What /api/diagnostics/proofpoint_et/status answers next: JSON, an HTTP status, or raw text. */
  answer: unknown
  /** When set, served instead of the widget's own file (to show what a broken widget does). */
  widgetSource: string | undefined
  close(): Promise<void>
}

export const startDashboard = async (): Promise<Dashboard> => {
  const masks = aclPatterns(ACL)
  const files = (path: string): string | undefined => {
    if (path === "/") return join(STANDIN, "index.html")
    if (path === "/ui/js/opnsense_widget_manager.js") return join(STANDIN, "widget-manager.js")
    if (path === "/ui/js/jquery.js") return usingRealCore ? join(CORE!, "src/opnsense/www/js/jquery-3.5.1.min.js") : join(STANDIN, "jquery-standin.js")
    const base = /^\/ui\/js\/widgets\/(BaseWidget|BaseTableWidget)\.js$/.exec(path)
    if (base !== null) return usingRealCore ? join(CORE!, "src/opnsense/www/js/widgets", `${base[1]}.js`) : join(STANDIN, `${base[1]}.js`)
    const widget = /^\/ui\/js\/widgets\/([\w-]+\.js)$/.exec(path)
    return widget === null ? undefined : join(WIDGETS, widget[1]!)
  }
  const state: Dashboard = { url: "", requested: [], answer: null, widgetSource: undefined, close: async () => {} }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!
    state.requested.push(path)
    if (path === "/api/core/dashboard/get_dashboard") {
      const modules = readMetadata(join(WIDGETS, "Metadata"))
        .filter((m) => m.endpoints.every((e) => masks.some((mask) => urlMatch(e, mask))))
        .filter((m) => existsSync(join(WIDGETS, m.module)))
        .map(({ id, module, link, translations }) => ({ id, module, link, translations }))
      const widgets = modules.map((m, i) => ({ id: m.id, x: 0, y: i, w: 4 }))
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ modules, dashboard: { options: [], widgets } }))
    }
    if (path === "/api/diagnostics/proofpoint_et/status") {
      const a = state.answer
      if (typeof a === "number") return void res.writeHead(a).end()
      if (typeof a === "string") return void res.writeHead(200, { "content-type": "text/html" }).end(a)
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(a))
    }
    if (path === "/ui/js/widgets/ETProTelemetry.js" && state.widgetSource !== undefined) {
      return void res.writeHead(200, { "content-type": "text/javascript" }).end(state.widgetSource)
    }
    if (path === "/favicon.ico") return void res.writeHead(204).end()
    const file = files(path)
    if (file === undefined || !existsSync(file)) return void res.writeHead(404).end()
    res.writeHead(200, { "content-type": type(file) }).end(readFileSync(file))
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => server.close(() => r()))
  })
}
