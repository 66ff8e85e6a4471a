/** One example per rule of SPEC section 3 (the sanitiser); Select.test.ts has the selection rules. */
import { describe, expect, it } from "@effect/vitest"
import { localNetworks, parseCidrs } from "../../src/domain/Network.js"
import { emptyExplanation, eventToJson, makeSanitiser, parseEveLine } from "../../src/domain/Sanitise.js"

// HOME_NET of a sensor with public addresses of its own, besides the always-private ranges.
const sanitise = makeSanitiser(localNetworks(parseCidrs(["203.0.113.0/24", "2001:db8:1::/48"]).cidrs, []))
const event = (record: unknown) => sanitise(record).event

describe("top-level allow-list", () => {
  it("keeps exactly timestamp, flow_id, in_iface, event_type, vlan, src/dest ip and port, proto, app_proto, alert, http, tls", () => {
    const record = {
      timestamp: "2026-11-27T10:00:00.123456+0000",
      flow_id: 123,
      in_iface: "em0",
      event_type: "alert",
      vlan: [10, 20],
      src_ip: "8.8.4.4",
      src_port: 51234,
      dest_ip: "8.8.8.8",
      dest_port: 53,
      proto: "UDP",
      app_proto: "dns",
      alert: { signature_id: 1 },
      http: { status: 200 },
      tls: { version: "TLS 1.3" },
      payload: "c2VjcmV0",
      payload_printable: "secret",
      packet: "AAAA",
      packet_info: { linktype: 1 },
      flow: { pkts_toserver: 1 },
      metadata: { flowbits: ["x"] },
      host: "sensor1",
      community_id: "1:abc",
      dns: { query: [{ rrname: "intranet.lan" }] },
      tx_id: 0,
      pcap_cnt: 7,
      ether: { src_mac: "00:11:22:33:44:55" }
    }
    expect(event(record)).toEqual({
      timestamp: "2026-11-27T10:00:00.123456+0000",
      flow_id: 123,
      in_iface: "em0",
      event_type: "alert",
      vlan: [10, 20],
      src_ip: "8.8.4.4",
      src_port: 51234,
      dest_ip: "8.8.8.8",
      dest_port: 53,
      proto: "UDP",
      app_proto: "dns",
      alert: { signature_id: 1 },
      http: { status: 200 },
      tls: { version: "TLS 1.3" }
    })
  })

  it("drops allowed keys whose value has the wrong type", () => {
    expect(
      event({ src_port: "80", dest_port: 70000, flow_id: -1, vlan: ["a"], proto: 6, alert: "x", http: [1], tls: null })
    ).toEqual({})
  })
})

describe("alert allow-list", () => {
  it("keeps action, signature_id, rev and source/target as {ip (masked), port}; drops the rest", () => {
    const alert = {
      action: "allowed",
      gid: 1,
      signature_id: 2019401,
      rev: 3,
      signature: "ET POLICY internal host 192.168.1.23",
      category: "Potential Corporate Privacy Violation",
      severity: 2,
      metadata: { created_at: ["2014_10_13"] },
      rule: "alert http any any -> any any (...)",
      xff: "192.168.1.23",
      context: { secret: 1 },
      references: ["url,example.com"],
      source: { ip: "192.168.1.23", port: 51234, mac: "00:11:22:33:44:55" },
      target: { ip: "8.8.8.8", port: 80, hostname: "dns.google" }
    }
    expect(event({ alert })).toEqual({
      alert: {
        action: "allowed",
        signature_id: 2019401,
        rev: 3,
        source: { ip: "xxx.xxx.xxx.23", port: 51234 },
        target: { ip: "8.8.8.8", port: 80 }
      }
    })
  })
})

describe("http allow-list", () => {
  it("keeps hostname, http_port, http_method, protocol, status, length, http_content_type; drops the rest", () => {
    const http = {
      hostname: "www.example.com",
      http_port: 8080,
      http_method: "GET",
      protocol: "HTTP/1.1",
      status: 200,
      length: 1234,
      http_content_type: "text/html",
      url: "/login?user=alice",
      http_user_agent: "Mozilla/5.0",
      redirect: "https://intranet.lan/",
      http_refer: "https://intranet.lan/",
      xff: "10.1.2.3",
      request_headers: [{ name: "Cookie", value: "a=b" }],
      response_headers: [{ name: "Set-Cookie", value: "a=b" }],
      cookies: "a=b",
      http_response_body: "PGh0bWw+"
    }
    expect(event({ http })).toEqual({
      http: {
        hostname: "www.example.com",
        http_port: 8080,
        http_method: "GET",
        protocol: "HTTP/1.1",
        status: 200,
        length: 1234,
        http_content_type: "text/html"
      }
    })
  })

  it("masks the hostname when it is a local IP literal, and only then", () => {
    expect(event({ http: { hostname: "192.168.1.1" } })).toEqual({ http: { hostname: "xxx.xxx.xxx.1" } })
    expect(event({ http: { hostname: "[fd00::1]" } })).toEqual({ http: { hostname: "xxxx:xxxx:0000:0001" } })
    expect(event({ http: { hostname: "203.0.113.80" } })).toEqual({ http: { hostname: "xxx.xxx.xxx.80" } })
    expect(event({ http: { hostname: "93.184.216.34" } })).toEqual({ http: { hostname: "93.184.216.34" } })
    expect(event({ http: { hostname: "intranet.example" } })).toEqual({ http: { hostname: "intranet.example" } })
  })
})

describe("tls allow-list", () => {
  it("keeps subject, issuerdn, serial, fingerprint, sni, version, notbefore, notafter, ja3, ja3s; drops the rest", () => {
    const tls = {
      subject: "CN=example.com",
      issuerdn: "C=US, O=Let's Encrypt, CN=R3",
      serial: "04:A1:B2",
      fingerprint: "ab:cd:ef:01",
      sni: "example.com",
      version: "TLS 1.2",
      notbefore: "2026-01-01T00:00:00",
      notafter: "2026-04-01T00:00:00",
      ja3: { hash: "e7d705a3286e19ea42f587b344ee6865", string: "771,4865-4866,0-23,29-23,0", extra: "x" },
      ja3s: { hash: "f4febc55ea12b31ae17cfb7e614afda8", string: "771,4865,43-51", other: 1 },
      certificate: "MIIB...",
      chain: ["MIIB..."],
      session_resumed: false,
      from_proto: "http"
    }
    expect(event({ tls })).toEqual({
      tls: {
        subject: "CN=example.com",
        issuerdn: "C=US, O=Let's Encrypt, CN=R3",
        serial: "04:A1:B2",
        fingerprint: "ab:cd:ef:01",
        sni: "example.com",
        version: "TLS 1.2",
        notbefore: "2026-01-01T00:00:00",
        notafter: "2026-04-01T00:00:00",
        ja3: { hash: "e7d705a3286e19ea42f587b344ee6865", string: "771,4865-4866,0-23,29-23,0" },
        ja3s: { hash: "f4febc55ea12b31ae17cfb7e614afda8", string: "771,4865,43-51" }
      }
    })
  })

  it("scrubs local addresses written inside its text fields", () => {
    const out = event({
      tls: {
        subject: "CN=10.1.2.3, O=fe80::1",
        issuerdn: "CN=router 192.168.1.1",
        sni: "203.0.113.5",
        serial: "2001:db8:1::5",
        ja3: { string: "::ffff:192.168.1.5" }
      }
    })
    expect(out).toEqual({
      tls: {
        subject: "CN=xxx.xxx.xxx.3, O=xxxx:xxxx:0000:0001",
        issuerdn: "CN=router xxx.xxx.xxx.1",
        sni: "xxx.xxx.xxx.5",
        serial: "xxxx:xxxx:0000:0005",
        // Issue 25: a ja3 string is a fingerprint, never scrubbed: one outside its grammar is dropped.
        ja3: {}
      }
    })
  })
})

describe("masking of address fields", () => {
  const masked = (ip: string) => event({ src_ip: ip }).src_ip

  it.each([
    ["192.168.1.23", "xxx.xxx.xxx.23"],
    ["10.0.0.1", "xxx.xxx.xxx.1"],
    ["172.16.5.4", "xxx.xxx.xxx.4"],
    ["100.64.0.9", "xxx.xxx.xxx.9"],
    ["127.0.0.1", "xxx.xxx.xxx.1"],
    ["169.254.10.20", "xxx.xxx.xxx.20"],
    ["203.0.113.77", "xxx.xxx.xxx.77"],
    ["fd00::1", "xxxx:xxxx:0000:0001"],
    ["FD00::ABCD:1", "xxxx:xxxx:abcd:0001"],
    ["fd00:0000:0000:0000:0000:0000:0000:0001", "xxxx:xxxx:0000:0001"],
    ["fe80::1", "xxxx:xxxx:0000:0001"],
    ["[fe80::1]", "xxxx:xxxx:0000:0001"],
    ["fe80::21b:21ff:fe3c:4d5e%em0", "xxxx:xxxx:fe3c:4d5e"],
    ["::1", "xxxx:xxxx:0000:0001"],
    ["2001:db8:1:2:3:4:5678:9abc", "xxxx:xxxx:5678:9abc"],
    ["::ffff:192.168.1.5", "xxx.xxx.xxx.5"],
    ["::ffff:c0a8:105", "xxx.xxx.xxx.5"],
    ["0:0:0:0:0:FFFF:C0A8:0105", "xxx.xxx.xxx.5"]
  ])("%s → %s", (from, to) => {
    expect(masked(from)).toBe(to)
  })

  it.each(["8.8.8.8", "2001:4860:4860::8888", "2001:DB8:2::1", "::ffff:8.8.8.8", "172.32.0.1"])(
    "non-local %s passes unchanged",
    (ip) => {
      expect(masked(ip)).toBe(ip)
    }
  )

  it("masks every address field: src_ip, dest_ip, alert.source.ip, alert.target.ip", () => {
    expect(
      event({
        src_ip: "10.0.0.1",
        dest_ip: "fd00::2",
        alert: { source: { ip: "10.0.0.1", port: 1 }, target: { ip: "fd00::2", port: 2 } }
      })
    ).toEqual({
      src_ip: "xxx.xxx.xxx.1",
      dest_ip: "xxxx:xxxx:0000:0002",
      alert: { source: { ip: "xxx.xxx.xxx.1", port: 1 }, target: { ip: "xxxx:xxxx:0000:0002", port: 2 } }
    })
  })

  it("a non-local address whose spelling embeds a local dotted quad is not sent as written", () => {
    const ip = event({ dest_ip: "2001:db8::10.1.2.3" }).dest_ip
    expect(ip).toBe("2001:db8::a01:203")
  })

  it("an IPv6 address carrying a local IPv4 address is masked as that IPv4 address (issue 10, class 1)", () => {
    for (const a of ["64:ff9b::10.1.2.3", "::10.1.2.3", "::a01:203", "::ffff:0:10.1.2.3", "64:ff9b:1:a01:2:300::", "2002:a01:203::1"]) {
      expect(event({ dest_ip: a }).dest_ip, a).toBe("xxx.xxx.xxx.3")
    }
    // Teredo: the client address is stored inverted (10.1.2.3 → f5fe:fdfc).
    expect(event({ dest_ip: "2001:0:4136:e378:8000:63bf:f5fe:fdfc" }).dest_ip).toBe("xxx.xxx.xxx.3")
  })
})

describe("non-IP values in address fields", () => {
  it("are dropped and counted, never a crash; the other fields are still sent", () => {
    const r = sanitise({
      event_type: "alert",
      src_ip: "not-an-ip",
      src_port: 1234,
      dest_ip: 42,
      dest_port: 80,
      alert: { signature_id: 7, source: { ip: "10.0.0.256", port: 1 }, target: { ip: null, port: 2 } },
      http: { hostname: "www.example.com" }
    })
    expect(r.event).toEqual({
      event_type: "alert",
      src_port: 1234,
      dest_port: 80,
      alert: { signature_id: 7, source: { port: 1 }, target: { port: 2 } },
      http: { hostname: "www.example.com" }
    })
    expect(r.droppedAddresses).toBe(4)
  })

  it.each([[""], ["1.2.3"], ["fd00::1::2"], ["[fd00::1"], [" 10.0.0.1"], [{}], [[]], [true]])("%j is dropped", (v) => {
    const r = sanitise({ src_ip: v, proto: "TCP" })
    expect(r.event).toEqual({ proto: "TCP" })
    expect(r.droppedAddresses).toBe(1)
  })

  it("are listed by --explain with what was dropped and masked", () => {
    const explanation = emptyExplanation()
    sanitise({ src_ip: "bogus", dest_ip: "10.0.0.1", payload: "x", alert: { signature: "s" } }, explanation)
    expect(explanation.invalidAddresses).toEqual([{ path: "src_ip", value: "bogus" }])
    expect(explanation.masked).toEqual([{ path: "dest_ip", from: "10.0.0.1", to: "xxx.xxx.xxx.1", rule: "10.0.0.0/8 (always private)" }])
    expect([...explanation.dropped].sort()).toEqual(["alert.signature", "payload"])
  })
})

describe("records that are not objects or have hostile keys", () => {
  it.each([[null], [42], ["alert"], [[1, 2]], [undefined]])("%j gives an empty event", (v) => {
    expect(event(v)).toEqual({})
  })

  it("keys named after Object.prototype members are dropped like any other", () => {
    const record = JSON.parse('{"__proto__":{"src_ip":"10.0.0.1"},"constructor":"x","toString":1,"alert":{"hasOwnProperty":2,"rev":1}}')
    expect(event(record)).toEqual({ alert: { rev: 1 } })
    expect(Object.keys(event(record))).toEqual(["alert"])
  })
})

describe("64-bit flow_id", () => {
  it("is kept exact from the eve line to the JSON body", () => {
    for (const id of ["1234567890123456789", "18446744073709551615", "9007199254740993"]) {
      const line = `{"timestamp":"2026-11-27T10:00:00.000000+0000","flow_id":${id},"event_type":"alert"}`
      const body = eventToJson(event(parseEveLine(line)))
      expect(body).toBe(`{"timestamp":"2026-11-27T10:00:00.000000+0000","flow_id":${id},"event_type":"alert"}`)
    }
  })

  it("stays a plain number when it is small enough", () => {
    const rec = parseEveLine('{"flow_id":123456}') as { flow_id: unknown }
    expect(rec.flow_id).toBe(123456)
    expect(eventToJson(event(rec))).toBe('{"flow_id":123456}')
  })

  it("never takes a nested flow_id's digits when the top-level key is spelled with an escape", () => {
    // The one literal `"flow_id"` is the nested one; its value rounds to the same double as the top-level one.
    const line = '{"alert":{"flow_id":1234567890123456801},"flow\\u005fid":1234567890123456800}'
    expect(eventToJson(event(parseEveLine(line)))).not.toContain("1234567890123456801")
  })

  it("takes the top-level digits even when a nested flow_id comes first", () => {
    const line = '{"pre":{"flow_id":5},"flow_id":1234567890123456789 }'
    expect(eventToJson(event(parseEveLine(line)))).toBe('{"flow_id":1234567890123456789}')
  })

  it("does not turn look-alike text into numbers", () => {
    const rec = parseEveLine('{"flow_id":1234567890123456789,"tls":{"subject":"\\u00001\\u0000","sni":"\\"flow_id\\":\\"1\\""}}')
    const body = JSON.parse(eventToJson(event(rec))) as { tls: { subject: unknown; sni: unknown } }
    expect(body.tls).toEqual({ subject: "\u00001\u0000", sni: '"flow_id":"1"' })
  })
})
