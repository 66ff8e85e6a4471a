/** `--listen` / `--serve` / `--status-listen` values. */
import { parseIp, parseIPv6 } from "./Ip.js"

/**
 * Parses `HOST:PORT`, `PORT`, `:PORT` or `[V6]:PORT` (default host 127.0.0.1); an error text otherwise.
 * Shared by `service`, `demo`, `status --serve` and `run --status-listen`.
 */
export const parseListenAddress = (
  input: string,
  defaultHost = "127.0.0.1"
): { readonly host: string; readonly port: number } | { readonly error: string } => {
  const s = input.trim()
  const bad = { error: `${JSON.stringify(input)} is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 8080)` }
  let host: string
  let portText: string
  if (/^\d+$/.test(s)) {
    host = defaultHost
    portText = s
  } else if (s.startsWith("[")) {
    const end = s.indexOf("]")
    if (end < 0 || s[end + 1] !== ":") return bad
    host = s.slice(1, end)
    portText = s.slice(end + 2)
    if (parseIPv6(host) === undefined) return bad
  } else {
    const i = s.lastIndexOf(":")
    if (i < 0) return bad
    host = s.slice(0, i) || defaultHost
    portText = s.slice(i + 1)
    // An IPv6 address needs brackets: "::1:80" is ambiguous.
    if (host.includes(":") || (parseIp(host) === undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host))) return bad
  }
  if (!/^\d{1,5}$/.test(portText)) return bad
  const port = Number(portText)
  if (port > 65535) return { error: `port ${port} is out of range (0-65535)` }
  return { host, port }
}

/** Whether only this machine can reach HOST (the status page has no login: anything else deserves a warning). */
export const isLoopbackHost = (host: string): boolean =>
  host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

/** The warning for a status page served beyond loopback, or undefined. */
export const exposureWarning = (host: string, port: number): string | undefined =>
  isLoopbackHost(host)
    ? undefined
    : `warning: the status page has no login and ${host.includes(":") ? `[${host}]` : host}:${port} is reachable from other machines; bind 127.0.0.1 unless a firewall guards it`
