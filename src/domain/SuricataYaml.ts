/**
 * suricata.yaml loaded into a configuration tree the way Suricata's own loader builds it (OISF/suricata
 * src/conf-yaml-loader.c `ConfYamlParse` and src/conf.c, identical in 7.0.17 and 8.0.x): a stand-in written
 * from reading that code, driven by the same event stream (scalars with their tag and style, sequence and
 * mapping starts and ends, aliases) taken from the `yaml` package's syntax tree.
 *
 * What it reproduces: keys kept in document order, a key defined again emptied and redefined where it first
 * stood; `include:` at any level of a mapping (a name or a list) inlined where it stands, as often as it
 * appears; the `!include` tag (the file becomes the key's content); include paths relative to the folder of
 * the MAIN file; `_` in new key names read as `-` (not under address-groups/port-groups); dotted keys
 * (`vars.address-groups.HOME_NET:`) neither renamed nor emptied; plain `~`/`null`/empty values that leave a
 * value unset; aliases, which Suricata's loader skips (they never redefine anything).
 * What it refuses (the caller fails closed): a tag other than `!include`/`!!str`, a key that is not a scalar,
 * an include that is absent, unreadable, cyclic or nested deeper than MAX_INCLUDE_DEPTH, invalid YAML.
 * Not reproduced, on purpose: the `%YAML 1.1` header Suricata demands is not required (a file without it is
 * read, not refused).
 */
import { Alias, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from "yaml"

/** One node of the tree, as Suricata's SCConfNode: a name, a value, children in order. */
export interface ConfNode {
  readonly name: string | undefined
  val: string | undefined
  /** The file that set `val`, for `dump --explain`. */
  origin: string | undefined
  isSeq: boolean
  readonly children: Array<ConfNode>
}

/** A file as read: its text, absent, or unreadable (why). */
export type FileText =
  | { readonly _tag: "text"; readonly text: string }
  | { readonly _tag: "absent" }
  | { readonly _tag: "unreadable"; readonly reason: string }

export type ConfigLoad =
  | { readonly _tag: "loaded"; readonly root: ConfNode; readonly files: ReadonlyArray<string> }
  /** The loader needs this file's content (the adapter reads it and loads again). */
  | { readonly _tag: "need"; readonly path: string }
  | { readonly _tag: "failed"; readonly reason: string }
  /** The main file does not exist. */
  | { readonly _tag: "absent" }

/** Includes nested deeper than this are refused (Suricata has no bound of its own and loops forever). */
export const MAX_INCLUDE_DEPTH = 8
/** conf-yaml-loader.c RECURSION_LIMIT. */
const RECURSION_LIMIT = 128

type Ev =
  | { readonly t: "scalar"; readonly value: string; readonly plain: boolean; readonly tag: string | undefined }
  | { readonly t: "seqStart" | "seqEnd" | "mapStart" | "mapEnd" | "alias" | "end" }

class Refused {
  constructor(readonly reason: string) {}
}
class Need {
  constructor(readonly path: string) {}
}

const ALLOWED_TAGS = new Set(["!include", "tag:yaml.org,2002:str"])

/** The event stream libyaml would give for one document's syntax tree. */
const eventsOf = (node: YamlNode | Alias | null | undefined, out: Array<Ev>, asKey: boolean): void => {
  if (node === null || node === undefined) return void out.push({ t: "scalar", value: "", plain: true, tag: undefined })
  if (node instanceof Alias) {
    if (asKey) throw new Refused("an alias used as a key")
    return void out.push({ t: "alias" })
  }
  if (isScalar(node)) {
    if (node.tag !== undefined && !ALLOWED_TAGS.has(node.tag)) throw new Refused(`the YAML tag ${node.tag} is not understood`)
    const plain = node.type === "PLAIN"
    return void out.push({ t: "scalar", value: node.value === null ? "" : String(node.value), plain, tag: node.tag })
  }
  if (asKey) throw new Refused("a key that is not a name")
  if (node.tag !== undefined) throw new Refused(`the YAML tag ${node.tag} is not understood`)
  if (isMap(node)) {
    out.push({ t: "mapStart" })
    for (const p of node.items) {
      eventsOf(p.key as YamlNode | null, out, true)
      eventsOf(p.value as YamlNode | null, out, false)
    }
    return void out.push({ t: "mapEnd" })
  }
  if (isSeq(node)) {
    out.push({ t: "seqStart" })
    for (const x of node.items) eventsOf(x as YamlNode | null, out, false)
    return void out.push({ t: "seqEnd" })
  }
  throw new Refused("a YAML node that is not understood")
}

const streamOf = (text: string): Array<Ev> => {
  const out: Array<Ev> = []
  for (const d of parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, prettyErrors: false })) {
    if ("errors" in d && d.errors.length > 0) throw new Refused(`not valid YAML (${d.errors[0]!.message.split("\n")[0]})`)
    if (d.contents !== null) eventsOf(d.contents as YamlNode, out, false)
  }
  out.push({ t: "end" })
  return out
}

const newNode = (name: string | undefined): ConfNode => ({ name, val: undefined, origin: undefined, isSeq: false, children: [] })

/** The first child of that name (SCConfNodeLookupChild). */
export const lookupChild = (node: ConfNode, name: string): ConfNode | undefined => node.children.find((c) => c.name === name)

/** A node by its dotted name from the root (SCConfGetNode). */
export const getNode = (root: ConfNode, dotted: string): ConfNode | undefined => {
  let node: ConfNode | undefined = root
  for (const k of dotted.split(".")) {
    node = lookupChild(node, k)
    if (node === undefined) return undefined
  }
  return node
}

/** SCConfNodePrune: children and value gone, the node kept where it stands. */
const prune = (node: ConfNode) => {
  node.children.length = 0
  node.val = undefined
  node.origin = undefined
}

const mangle = (s: string) => s.replaceAll("_", "-")
const NULLS = new Set(["", "~", "null", "Null", "NULL"])

const dirOf = (path: string) => {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return i < 0 ? "." : path.slice(0, i)
}

/** `a/./b/../c` → `a/c`, for recognising a file met again. */
const normalise = (path: string) => {
  const out: Array<string> = []
  for (const seg of path.split("/")) {
    if (seg === "." || (seg === "" && out.length > 0)) continue
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop()
    else out.push(seg)
  }
  return out.join("/")
}

/**
 * Loads `mainPath` and its includes from `files` (absolute-or-main-relative path → content). When a file is
 * missing from `files`, the answer is `need`: read it and call again.
 */
export const loadSuricataConfig = (mainPath: string, files: ReadonlyMap<string, FileText>): ConfigLoad => {
  const main = files.get(mainPath)
  if (main === undefined) return { _tag: "need", path: mainPath }
  if (main._tag === "absent") return { _tag: "absent" }
  if (main._tag === "unreadable") return { _tag: "failed", reason: `${mainPath}: cannot be read (${main.reason})` }
  const confDir = dirOf(mainPath)
  const root = newNode(undefined)
  const read: Array<string> = []

  const include = (parent: ConfNode, name: string, chain: ReadonlyArray<string>) => {
    const path = name.startsWith("/") ? name : `${confDir}/${name}`
    const key = normalise(path)
    if (chain.includes(key)) throw new Refused(`${path} includes itself (${[...chain, key].join(" → ")})`)
    if (chain.length > MAX_INCLUDE_DEPTH) throw new Refused(`${path}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`)
    const f = files.get(path)
    if (f === undefined) throw new Need(path)
    if (f._tag === "absent") throw new Refused(`${path}: included but not found`)
    if (f._tag === "unreadable") throw new Refused(`${path}: cannot be read (${f.reason})`)
    parseFile(parent, path, f.text, [...chain, key])
  }

  const parseFile = (parent: ConfNode, path: string, text: string, chain: ReadonlyArray<string>) => {
    read.push(path)
    let evs: Array<Ev>
    try {
      evs = streamOf(text)
    } catch (e) {
      throw e instanceof Refused ? new Refused(`${path}: ${e.reason}`) : e
    }
    let pos = 0
    // One level of ConfYamlParse: a mapping's keys and values, or a sequence's items, into `parent`.
    const level = (parent: ConfNode, inSeq: boolean, rlevel: number, initial: "key" | "include"): void => {
      if (rlevel > RECURSION_LIMIT) throw new Refused(`${path}: nested deeper than ${RECURSION_LIMIT}`)
      let node = parent
      let state: "key" | "val" | "include" = initial
      let seqIdx = 0
      let wasEmpty: boolean | undefined
      const seqChild = (into: ConfNode): [ConfNode, boolean] => {
        const name = String(seqIdx++)
        if (wasEmpty === undefined) wasEmpty = into.children.length === 0
        const existing = wasEmpty ? undefined : lookupChild(into, name)
        if (existing !== undefined) into.children.splice(into.children.indexOf(existing), 1)
        const n = existing ?? newNode(name)
        into.children.push(n)
        return [n, existing === undefined]
      }
      for (;;) {
        const ev = evs[pos++]!
        if (ev.t === "end" || ev.t === "seqEnd" || ev.t === "mapEnd") return
        if (ev.t === "alias") continue // conf-yaml-loader.c has no case for YAML_ALIAS_EVENT: skipped
        if (ev.t === "scalar") {
          if (state === "key" && ev.value === "") continue
          const value = (inSeq || state === "val") && ev.plain && NULLS.has(ev.value) ? undefined : ev.value
          if (inSeq) {
            if (state === "include") {
              if (value !== undefined) include(parent, value, chain)
              continue
            }
            if (ev.tag === "!include") throw new Refused(`${path}: !include inside a list is not understood`)
            const [n, fresh] = seqChild(parent)
            if (fresh) {
              n.val = value
              n.origin = path
            }
          } else if (state === "include") {
            include(parent, ev.value, chain)
            state = "key"
          } else if (state === "key") {
            if (ev.value === "include") {
              state = "include"
              continue
            }
            if (parent.isSeq && parent.val === undefined) parent.val = mangle(ev.value)
            if (ev.value.includes(".")) {
              // SCConfNodeGetNodeOrCreate: each part found or created, never renamed nor emptied.
              let at = parent
              for (const k of ev.value.split(".")) {
                let c = lookupChild(at, k)
                if (c === undefined) at.children.push((c = newNode(k)))
                at = c
              }
              node = at
            } else {
              const existing = lookupChild(parent, ev.value)
              if (existing !== undefined) {
                prune(existing)
                node = existing
              } else {
                const groups = parent.name === "address-groups" || parent.name === "port-groups"
                node = newNode(groups ? ev.value : mangle(ev.value))
                parent.children.push(node)
              }
            }
            state = "val"
          } else {
            if (value !== undefined && ev.tag === "!include") include(node, value, chain)
            else if (value !== undefined) {
              node.val = value
              node.origin = path
            }
            state = "key"
          }
        } else if (ev.t === "seqStart") {
          level(state === "include" ? parent : node, true, rlevel + 1, state === "include" ? "include" : "key")
          if (state !== "include") node.isSeq = true
          state = "key"
        } else {
          if (state === "include") throw new Refused(`${path}: an include cannot be a mapping`)
          if (inSeq) {
            const [n] = seqChild(node)
            n.isSeq = true
            level(n, false, rlevel + 1, "key")
          } else level(node, false, rlevel + 1, "key")
          state = "key"
        }
      }
    }
    level(parent, false, 0, "key")
  }

  try {
    parseFile(root, mainPath, main.text, [normalise(mainPath)])
    return { _tag: "loaded", root, files: read }
  } catch (e) {
    if (e instanceof Need) return { _tag: "need", path: e.path }
    if (e instanceof Refused) return { _tag: "failed", reason: e.reason }
    // A stack overflow on absurdly deep nesting is a configuration not understood, not a crash.
    if (e instanceof RangeError) return { _tag: "failed", reason: `${mainPath}: nested too deeply to read` }
    throw e
  }
}
