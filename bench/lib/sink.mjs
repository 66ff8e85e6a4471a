// A loopback telemetry sink for the delivery figures: `node bench/lib/sink.mjs MODE` answers every POST
// (events, heartbeats) with 201 and a short JSON body like the reference service's, framed as MODE says, and prints its port.
//   length   content-length (keep-alive)
//   chunked  transfer-encoding: chunked (keep-alive)
//   eof      neither: the body ends when the server closes the connection (a new connection per request)
// A client must cost the same whatever the framing (issue 14); the three modes show whether it does.
import { createServer } from "node:http"

const mode = process.argv[2] ?? "length"
if (!["length", "chunked", "eof"].includes(mode)) {
  process.stderr.write(`sink: unknown mode ${mode}\n`)
  process.exit(2)
}
let id = 0
const server = createServer({ keepAlive: true }, (req, res) => {
  req.resume()
  req.on("end", () => {
    // The daemon's hourly sensor info (bench/sections/30-daemon.mjs): the service's JSON object, 200.
    if (req.url === "/api/v1/sensorinfo") {
      const info = JSON.stringify({ sensor_status: "ACTIVE", ruleset: "ET Pro", last_event: null, last_heartbeat: null })
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(info) }).end(info)
      return
    }
    const body = JSON.stringify({ status: "created", id: ++id })
    if (mode === "length") res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    else if (mode === "chunked") res.writeHead(201, { "content-type": "application/json", "transfer-encoding": "chunked" })
    else {
      // No length and no chunking: HTTP/1.1 then delimits the body by closing the connection.
      res.useChunkedEncodingByDefault = false
      res.shouldKeepAlive = false
      res.writeHead(201, { "content-type": "application/json", connection: "close" })
    }
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`))
