/**
 * Names that give the site away (issue 25), read by the reference side apart from the agent's sanitiser:
 * a name under a special-use or private-use suffix (or under one of the site's own domains, when known) may
 * be sent only with every label but its suffix masked as `xxx`; in a host name field (`http.hostname`,
 * `tls.sni`) a single label is a site name too, `localhost` excepted. Certificate `DC=` components are read
 * as one name. Texts are read as given and as a resolver reads them (HostSpellings.resolverForm).
 */
import { resolverForm } from "./HostSpellings.js"

/** SPEC section 3's suffixes, written out here again on purpose. */
const SUFFIXES: ReadonlyArray<ReadonlyArray<string>> = [
  ["local"], ["home", "arpa"], ["internal"], ["lan"], ["localdomain"], ["intranet"], ["corp"], ["home"], ["private"]
]

export interface NameFound {
  readonly text: string
  readonly why: string
}

const endsWith = (labels: ReadonlyArray<string>, suffix: ReadonlyArray<string>) =>
  labels.length >= suffix.length && suffix.every((l, i) => labels[labels.length - suffix.length + i] === l)

/** The labels of an internal name that are not masked, judged on its lower-case labels. */
const unmasked = (labels: ReadonlyArray<string>, domains: ReadonlyArray<ReadonlyArray<string>>): string | undefined => {
  if (labels.at(-1) === "localhost") return undefined
  for (const s of SUFFIXES) {
    if (!endsWith(labels, s)) continue
    const shown = labels.slice(0, labels.length - s.length).filter((l) => l !== "xxx")
    return shown.length > 0 ? `under .${s.join(".")}` : undefined
  }
  for (const d of domains) {
    if (!endsWith(labels, d)) continue
    // Only the top-level label of a site domain may show.
    const shown = labels.slice(0, -1).filter((l) => l !== "xxx")
    return shown.length > 0 ? `under the site's domain ${d.join(".")}` : undefined
  }
  return undefined
}

const readOne = (text: string, domains: ReadonlyArray<ReadonlyArray<string>>, hostField: boolean, out: Array<NameFound>) => {
  // From the start of a run only (a dotless run tried from each character is quadratic).
  for (const m of text.matchAll(/(?<![A-Za-z0-9_*-])[A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)+/g)) {
    const why = unmasked(m[0].toLowerCase().split("."), domains)
    if (why !== undefined) out.push({ text: m[0], why })
  }
  const dcs = [...text.matchAll(/\bDC\s*=\s*([^,+/=]*[^,+/=\s])/gi)].map((m) => m[1]!.toLowerCase())
  if (dcs.length > 0) {
    const why = unmasked(dcs, domains)
    if (why !== undefined) out.push({ text: dcs.map((d) => `DC=${d}`).join(","), why: `DC components ${why}` })
  }
  if (hostField) {
    const single = /^([A-Za-z0-9_-]+)\.?(?::\d+)?$/.exec(text.trim())?.[1]?.toLowerCase()
    if (single !== undefined && single !== "localhost" && !/^x+$/.test(single) && !/^\d+$/.test(single)) {
      out.push({ text: single, why: "a single-label host name" })
    }
  }
}

/** Internal names shown in a text. `domains`: the site's own domains, when known. */
export const internalNamesIn = (text: string, opts: { readonly domains?: ReadonlyArray<string>; readonly hostField?: boolean } = {}): Array<NameFound> => {
  const domains = (opts.domains ?? []).map((d) => d.toLowerCase().split("."))
  const out: Array<NameFound> = []
  readOne(text, domains, opts.hostField === true, out)
  const form = resolverForm(text)
  if (form !== text) readOne(form, domains, opts.hostField === true, out)
  return out
}
