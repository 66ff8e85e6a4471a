// Deterministic eve.json generator for benchmarks: a seeded PRNG, so the same options always give the same
// bytes. About 25% alerts (with http / tls / metadata / payload, 600-1500 bytes), the rest a mix of flow, dns,
// http, tls, fileinfo, anomaly and the occasional large stats record; local and public IPv4/IPv6 addresses;
// timestamps at many offsets (+0000, +0530, -0700, +1030, +0545, -0330) and not in time order, as Suricata's
// threads write them.
//
//   node bench/generate.mjs [--lines N] [--seed S] [--alerts 0.25] [--out FILE]
//
// As a module: `ensureLog({ lines, seed, alertShare })` returns the path of a cached file in bench/data/.
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const REPO = fileURLToPath(new URL("../", import.meta.url))
export const DATA = `${REPO}bench/data/`
/** Bump when the output of a given seed changes, so cached files are regenerated. */
const VERSION = 1

/** mulberry32: small, fast, good enough for test data, and the same on every machine. */
const prng = (seed) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function makeGenerator({ seed = 42, alertShare = 0.25, start = Date.UTC(2026, 10, 27, 0, 0, 0) } = {}) {
  const rnd = prng(seed)
  const int = (n) => Math.floor(rnd() * n)
  const pick = (xs) => xs[int(xs.length)]
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[int(16)]).join("")
  const b64 = (n) => Array.from({ length: n }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[int(64)]).join("")

  const localV4 = () =>
    pick([() => `10.${int(4)}.${int(256)}.${1 + int(254)}`, () => `192.168.${int(4)}.${1 + int(254)}`, () => `172.16.${int(16)}.${1 + int(254)}`])()
  const publicV4 = () => `${pick([8, 23, 31, 45, 52, 66, 93, 104, 142, 151, 185, 203])}.${int(256)}.${int(256)}.${1 + int(254)}`
  const localV6 = () => `fd00:${hex(4)}:${hex(3)}::${hex(3)}`
  const publicV6 = () => `2a00:${hex(4)}:${hex(4)}:${hex(4)}::${hex(2)}`
  /** A flow between a local and a public host, either direction; 12% IPv6. */
  const endpoints = () => {
    const v6 = rnd() < 0.12
    const local = v6 ? localV6() : localV4()
    const remote = v6 ? publicV6() : publicV4()
    const lport = 1024 + int(64000)
    const rport = pick([80, 443, 443, 443, 53, 22, 25, 8080, 123, 3389])
    return rnd() < 0.6
      ? { src_ip: local, src_port: lport, dest_ip: remote, dest_port: rport }
      : { src_ip: remote, src_port: rport, dest_ip: local, dest_port: lport }
  }

  const OFFSETS = [["+0000", 0], ["+0000", 0], ["+0530", 330], ["-0700", -420], ["+1030", 630], ["+0545", 345], ["-0330", -210], ["+0100", 60]]
  let clock = start
  const pad = (n, w = 2) => String(n).padStart(w, "0")
  const timestamp = () => {
    // Mostly forward, sometimes a little back: many threads write the log.
    clock += int(40)
    const t = clock - (rnd() < 0.1 ? int(2000) : 0)
    // Mostly one offset, as one sensor writes; the others so that every form is parsed.
    const offset = rnd() < 0.7 ? OFFSETS[2] : pick(OFFSETS)
    const d = new Date(t + offset[1] * 60_000)
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${pad(int(1000), 3)}${offset[0]}`
  }
  // 16 digits: some below 2^53, most above (kept exact as 64-bit values).
  const flowId = () => `${1 + int(9)}${pad(int(1e9), 9)}${pad(int(1e6), 6)}`
  const iface = pick(["em0", "igb0", "vtnet0", "ix1"])
  const head = (type, e, proto = "TCP") =>
    `{"timestamp":"${timestamp()}","flow_id":${flowId()},"in_iface":"${iface}","event_type":"${type}",` +
    `"src_ip":"${e.src_ip}","src_port":${e.src_port},"dest_ip":"${e.dest_ip}","dest_port":${e.dest_port},"proto":"${proto}"`

  const HOSTS = ["www.example.com", "cdn.example.net", "api.example.org", "update.vendor.example", "intranet.lan", "files.example.io"]
  const UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "curl/8.4.0", "Microsoft-CryptoAPI/10.0", "python-requests/2.31.0"]
  const SIGS = [
    [2019401, "ET POLICY Vulnerable Java Version 1.8.x Detected", "Potential Corporate Privacy Violation"],
    [2024897, "ET USER_AGENTS Go HTTP Client User-Agent", "Misc activity"],
    [2013028, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak"],
    [2027865, "ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic"],
    [2210054, "SURICATA STREAM excessive retransmissions", "Generic Protocol Command Decode"],
    [2100498, "GPL ATTACK_RESPONSE id check returned root", "Potentially Bad Traffic"],
    [2030358, "ET TROJAN Observed Malicious SSL Cert (Cobalt Strike)", "A Network Trojan was detected"]
  ]
  const httpObj = (e) =>
    `{"hostname":"${rnd() < 0.1 ? e.dest_ip : pick(HOSTS)}","url":"/${b64(8 + int(40)).replace(/\//g, "_")}?id=${int(1e6)}",` +
    `"http_user_agent":"${pick(UAS)}","http_content_type":"${pick(["text/html", "application/json", "application/octet-stream"])}",` +
    `"http_method":"${pick(["GET", "GET", "POST", "HEAD"])}","protocol":"HTTP/1.1","status":${pick([200, 200, 301, 404, 500])},"length":${int(100000)}` +
    (rnd() < 0.3 ? `,"http_refer":"https://${pick(HOSTS)}/"` : "") +
    (rnd() < 0.05 ? `,"xff":"${localV4()}"` : "") +
    "}"
  const tlsObj = () => {
    const host = pick(HOSTS)
    return `{"subject":"CN=${host}","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serialnumber":"${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}",` +
      `"fingerprint":"${Array.from({ length: 20 }, () => hex(2)).join(":")}","sni":"${host}","version":"TLS 1.${2 + int(2)}",` +
      `"notbefore":"2026-09-01T00:00:00","notafter":"2026-12-01T00:00:00",` +
      `"ja3":{"hash":"${hex(32)}","string":"771,4865-4866-4867-49195-49199-49196-49200-52393-52392,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0"},` +
      `"ja3s":{"hash":"${hex(32)}","string":"771,4865,51-43"}}`
  }
  const flowObj = () =>
    `{"pkts_toserver":${1 + int(500)},"pkts_toclient":${int(800)},"bytes_toserver":${int(200000)},"bytes_toclient":${int(2000000)},` +
    `"start":"${timestamp()}","end":"${timestamp()}","age":${int(120)},"state":"${pick(["new", "established", "closed"])}","reason":"timeout","alerted":${rnd() < 0.2}}`

  const alert = () => {
    const e = endpoints()
    const [sid, msg, cat] = pick(SIGS)
    const app = pick(["http", "http", "tls", "tls", "dns", "failed"])
    let s = head("alert", e)
    s += `,"tx_id":${int(10)},"alert":{"action":"${pick(["allowed", "allowed", "blocked"])}","gid":1,"signature_id":${sid},"rev":${1 + int(9)},` +
      `"signature":"${msg}","category":"${cat}","severity":${1 + int(3)},` +
      `"source":{"ip":"${e.src_ip}","port":${e.src_port}},"target":{"ip":"${e.dest_ip}","port":${e.dest_port}},` +
      `"metadata":{"affected_product":["Any"],"attack_target":["Client_Endpoint"],"created_at":["2019_0${1 + int(9)}_1${int(10)}"],` +
      `"signature_severity":["${pick(["Minor", "Major", "Informational"])}"],"updated_at":["2024_0${1 + int(9)}_2${int(10)}"]}}`
    if (app === "http") s += `,"http":${httpObj(e)}`
    if (app === "tls") s += `,"tls":${tlsObj()}`
    s += `,"app_proto":"${app}"`
    if (rnd() < 0.4) s += `,"flow":${flowObj()}`
    if (rnd() < 0.5) s += `,"payload":"${b64(20 + int(200))}","payload_printable":"${b64(10 + int(100)).replace(/\//g, ".")}","stream":${int(2)}`
    if (rnd() < 0.3) s += `,"packet":"${b64(40 + int(60))}","packet_info":{"linktype":1}`
    return `${s}}`
  }
  const flow = () => {
    const e = endpoints()
    return `${head("flow", e, pick(["TCP", "TCP", "UDP"]))},"app_proto":"${pick(["http", "tls", "dns", "failed"])}","flow":${flowObj()},` +
      `"tcp":{"tcp_flags":"${hex(2)}","tcp_flags_ts":"${hex(2)}","tcp_flags_tc":"${hex(2)}","syn":true,"fin":true,"ack":true,"state":"closed"}}`
  }
  const dns = () => {
    const e = endpoints()
    const name = `${pick(["www", "mail", "api", "cdn", "alert-feed", "x" + hex(6)])}.${pick(["example.com", "example.net", "lan", "cloud"])}`
    return rnd() < 0.5
      ? `${head("dns", e, "UDP")},"dns":{"type":"query","id":${int(65536)},"rrname":"${name}","rrtype":"${pick(["A", "AAAA", "HTTPS"])}","tx_id":0,"opcode":0}}`
      : `${head("dns", e, "UDP")},"dns":{"version":2,"type":"answer","id":${int(65536)},"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,` +
        `"rrname":"${name}","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"${name}","rrtype":"A","ttl":${int(3600)},"rdata":"${publicV4()}"}],` +
        `"grouped":{"A":["${publicV4()}"]}}}`
  }
  const http = () => {
    const e = endpoints()
    return `${head("http", e)},"tx_id":${int(5)},"http":${httpObj(e)}}`
  }
  const tls = () => `${head("tls", endpoints())},"tls":${tlsObj()}}`
  const fileinfo = () => {
    const e = endpoints()
    return `${head("fileinfo", e)},"http":${httpObj(e)},"app_proto":"http","fileinfo":{"filename":"/${b64(12).replace(/\//g, "_")}.bin","gaps":false,` +
      `"state":"CLOSED","md5":"${hex(32)}","sha256":"${hex(64)}","stored":false,"size":${int(1e6)},"tx_id":0}}`
  }
  const anomaly = () =>
    `${head("anomaly", endpoints(), "UDP")},"anomaly":{"type":"decode","event":"${pick(["ipv4.trunc_pkt", "tcp.invalid_optlen", "udp.hlen_invalid"])}","layer":"proto_detect"}}`
  const stats = () => {
    // Suricata's periodic stats record is large and holds `"alert"` (detect.alert): it passes the prefilter.
    const counters = Array.from({ length: 120 }, (_, k) => `"counter_${k}":${int(1e9)}`).join(",")
    return `{"timestamp":"${timestamp()}","event_type":"stats","stats":{"uptime":${int(1e6)},"capture":{"kernel_packets":${int(1e9)},"kernel_drops":${int(1000)}},` +
      `"decoder":{${counters}},"detect":{"engines":[{"id":0,"last_reload":"${timestamp()}","rules_loaded":${40000 + int(10000)},"rules_failed":0}],"alert":${int(1e6)},"alert_queue_overflow":0}}}`
  }

  const rest = [[flow, 0.4], [dns, 0.3], [http, 0.1], [tls, 0.1], [fileinfo, 0.05], [anomaly, 0.05]]
  return {
    next(i) {
      if (i % 8000 === 7999) return stats()
      if (rnd() < alertShare) return alert()
      let r = rnd()
      for (const [f, p] of rest) {
        if ((r -= p) < 0) return f()
      }
      return flow()
    }
  }
}

/** Writes `lines` lines to `out`; resolves with the byte size. */
export async function generate({ lines = 1_000_000, seed = 42, alertShare = 0.25, out }) {
  const g = makeGenerator({ seed, alertShare })
  const tmp = `${out}.tmp`
  const ws = createWriteStream(tmp)
  let buf = ""
  for (let i = 0; i < lines; i++) {
    buf += g.next(i) + "\n"
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise((r) => ws.once("drain", r))
      buf = ""
    }
  }
  ws.write(buf)
  await new Promise((r, j) => ws.end((e) => (e ? j(e) : r())))
  renameSync(tmp, out)
  return statSync(out).size
}

/** The cached log for these options (generated when missing). */
export async function ensureLog({ lines = 1_000_000, seed = 42, alertShare = 0.25, log = () => {} } = {}) {
  mkdirSync(DATA, { recursive: true })
  const out = `${DATA}eve-v${VERSION}-s${seed}-n${lines}-a${alertShare}.json`
  if (!existsSync(out)) {
    const t = performance.now()
    const size = await generate({ lines, seed, alertShare, out })
    log(`generated ${out.slice(REPO.length)}: ${lines.toLocaleString("en")} lines, ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  }
  return out
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`)
    return i < 0 ? dflt : process.argv[i + 1]
  }
  const lines = Number(arg("lines", 1_000_000))
  const seed = Number(arg("seed", 42))
  const alertShare = Number(arg("alerts", 0.25))
  const out = arg("out", undefined)
  if (out === undefined) console.log(await ensureLog({ lines, seed, alertShare, log: console.log }))
  else console.log(`${out}: ${await generate({ lines, seed, alertShare, out })} bytes`)
}
