// The inboxes of bench/federation: one HTTP server on PORT of every loopback address, playing
// INSTANCES fediverse servers (127.0.0.1, 127.0.0.2, ...), each with a shared inbox that
// answers 202 and counts what it is sent. GET /count (on any address) answers
// { requests, instances, bytes, first, last } (times in ms since the epoch).
import { createServer } from "node:http";

let requests = 0;
let bytes = 0;
let first = 0;
let last = 0;
const hosts = new Set();

const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/count") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ requests, instances: hosts.size, bytes, first, last }));
        return;
    }
    let size = 0;
    request.on("data", (chunk) => (size += chunk.length));
    request.on("end", () => {
        const now = Date.now();
        if (requests === 0) first = now;
        last = now;
        requests += 1;
        bytes += size;
        hosts.add(request.headers.host);
        response.writeHead(202, { "content-type": "text/plain" });
        response.end();
    });
});
// Every loopback address: 127.0.0.0/8 reaches a socket bound to any address only.
server.listen(Number(process.env.PORT ?? 0), "0.0.0.0", () => {
    console.log(`listening ${server.address().port}`);
});
