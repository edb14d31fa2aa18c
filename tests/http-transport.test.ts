// The two transports behind RestClient (sdk/http-transport.ts) against a real loopback server: the
// built-in node:http one (the default) and the fetch one (injected fetch) must answer alike.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fetchTransport, nodeTransport, type Transport } from "../sdk/http-transport";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

/** A port-0 server whose handler each test sets; counts the TCP connections it accepted. */
function useServer(): { url: () => string; handle: (h: Handler) => void; connections: () => number } {
  let server: http.Server;
  let handler: Handler = (_q, res) => res.end();
  let connections = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => handler(req, res, Buffer.concat(chunks)));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(async () => {
    server.closeIdleConnections(); // every test starts without pooled sockets…
    await new Promise((r) => setTimeout(r, 50)); // …once the client has seen them close
    connections = 0;
  });
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle: (h) => {
      handler = h;
    },
    connections: () => connections,
  };
}

const TRANSPORTS: [string, Transport][] = [
  ["node:http", nodeTransport],
  ["fetch", fetchTransport(globalThis.fetch)],
];

for (const [label, transport] of TRANSPORTS) {
  describe(`http transport: ${label}`, () => {
    const srv = useServer();
    const send = (over: Partial<Parameters<Transport>[0]> = {}) =>
      transport({ url: `${srv.url()}/x/`, method: "GET", headers: {}, timeoutMs: 2000, ...over });

    it("sends method, headers and a JSON text; returns status, headers and text", async () => {
      let seen: { method?: string; auth?: string; length?: string; body?: string } = {};
      srv.handle((req, res, body) => {
        seen = {
          method: req.method,
          auth: req.headers.authorization,
          length: req.headers["content-length"],
          body: body.toString(),
        };
        res.writeHead(201, { "Content-Type": "application/json", "X-Thing": "a" }).end('{"id":1}');
      });
      const res = await send({ method: "POST", headers: { Authorization: "Bearer t" }, body: '{"name":"é"}' });
      assert.equal(res.status, 201);
      assert.equal(res.header("x-thing"), "a");
      assert.equal(res.header("X-Thing"), "a");
      assert.equal(res.header("missing"), null);
      assert.equal(res.text, '{"id":1}');
      assert.deepEqual(seen, { method: "POST", auth: "Bearer t", length: "13", body: '{"name":"é"}' });
    });

    it("sends a bodiless POST with Content-Length 0, not an empty chunked body", async () => {
      let seen: { length?: string; te?: string } = {};
      srv.handle((req, res) => {
        seen = { length: req.headers["content-length"], te: req.headers["transfer-encoding"] };
        res.end("{}");
      });
      await send({ method: "POST" });
      assert.deepEqual(seen, { length: "0", te: undefined });
    });

    it("does not follow redirects: the 3xx comes back with its Location", async () => {
      srv.handle((req, res) => {
        if (req.url === "/x/") res.writeHead(301, { Location: "/elsewhere/" }).end();
        else res.end('{"followed":true}');
      });
      const res = await send({ method: "POST", body: "{}" });
      assert.equal(res.status, 301);
      assert.equal(res.header("location"), "/elsewhere/");
    });

    for (const [encoding, compress] of [
      ["gzip", zlib.gzipSync],
      ["br", zlib.brotliCompressSync],
      ["deflate", zlib.deflateSync],
    ] as const) {
      it(`decodes a ${encoding} answer`, async () => {
        srv.handle((_q, res) => res.writeHead(200, { "Content-Encoding": encoding }).end(compress('{"a":"b"}')));
        assert.equal((await send()).text, '{"a":"b"}');
      });
    }

    it("sends a streamed body chunked, whole and in order", async () => {
      let seen: { te?: string; length?: string; body?: string } = {};
      srv.handle((req, res, body) => {
        seen = { te: req.headers["transfer-encoding"], length: req.headers["content-length"], body: body.toString() };
        res.end("{}");
      });
      async function* parts() {
        for (let i = 0; i < 50; i++) yield Buffer.from(`${i},`.repeat(1000));
      }
      await send({ method: "POST", body: parts });
      assert.equal(seen.te, "chunked");
      assert.equal(seen.length, undefined);
      let expected = "";
      for (let i = 0; i < 50; i++) expected += `${i},`.repeat(1000);
      assert.equal(seen.body, expected);
    });

    it("leaves out the named top-level fields of a 2xx answer, not of an error", async () => {
      srv.handle((req, res) =>
        res.writeHead(req.url === "/bad/" ? 400 : 200).end('{"id":5,"deployment_data":"QUJD","name":"n"}'),
      );
      const ok = await send({ omitFields: ["deployment_data"] });
      assert.deepEqual(JSON.parse(ok.text), { id: 5, name: "n" });
      assert.equal(ok.malformed, false);
      const bad = await send({ url: `${srv.url()}/bad/`, omitFields: ["deployment_data"] });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /deployment_data/);
      srv.handle((_q, res) => res.end("<html>proxy</html>"));
      const page = await send({ omitFields: ["deployment_data"] });
      assert.deepEqual([page.text, page.malformed], ["<html>proxy</html>", false], "not an object: as is");
      srv.handle((_q, res) => res.end('{"id":5 "deployment_data":"QUJD"}'));
      assert.equal((await send({ omitFields: ["deployment_data"] })).malformed, true, "a broken object");
    });

    it("times out when the headers do not come, naming the error TimeoutError", async () => {
      srv.handle(() => {}); // never answers
      const started = Date.now();
      await assert.rejects(send({ timeoutMs: 200 }), (e: Error) => e.name === "TimeoutError");
      assert.ok(Date.now() - started < 1500);
    });

    it("times out when the body stalls after the headers", async () => {
      srv.handle((_q, res) => {
        res.writeHead(200, { "Content-Length": "100" });
        res.write('{"partial":');
      });
      await assert.rejects(send({ timeoutMs: 300 }), (e: Error) => e.name === "TimeoutError");
    });

    it("rejects (not a short text) when the connection drops mid-answer", async () => {
      srv.handle((req, res) => {
        res.writeHead(200, { "Content-Length": "100" });
        res.write('{"partial":', () => req.socket.destroy());
      });
      await assert.rejects(send(), (e: Error) => e.name !== "TimeoutError");
    });

    it("rejects with ECONNREFUSED in the cause chain when nothing listens", async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      await assert.rejects(send({ url: `http://127.0.0.1:${port}/x/` }), (e: unknown) => {
        for (let c = e as { code?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c)
          if (c.code === "ECONNREFUSED") return true;
        return false;
      });
    });
  });
}

describe("http transport: node:http only", () => {
  const srv = useServer();

  // A server that drops any connection on its second request, unanswered: what a client sees when it
  // reuses a pooled connection just as the server's idle timeout closes it.
  const dropsReused = (): Handler => {
    const served = new WeakMap<object, number>();
    return (req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) req.socket.destroy();
      else res.end('{"ok":true}');
    };
  };

  it("reuses one connection for calls one after another (keep-alive)", async () => {
    srv.handle((_q, res) => res.end("{}"));
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await nodeTransport({ url: `${srv.url()}/x/`, method: "GET", headers: {}, timeoutMs: 2000 })).status,
        200,
      );
    assert.equal(srv.connections(), 1);
  });

  for (const method of ["GET", "POST"]) {
    it(`a ${method} whose pooled connection the server drops is a network error, never re-sent unseen`, async () => {
      const seen: string[] = [];
      const drop = dropsReused();
      srv.handle((req, res, body) => {
        seen.push(`${req.method} ${body}`);
        drop(req, res, body);
      });
      const send = (body: string) =>
        nodeTransport({ url: `${srv.url()}/x/`, method, headers: {}, body, timeoutMs: 2000 });
      assert.equal((await send("1")).status, 200);
      await assert.rejects(send("2"), (e: NodeJS.ErrnoException) => e.code === "ECONNRESET");
      assert.deepEqual(seen, [`${method} 1`, `${method} 2`], "the second went out once: the caller decides");
    });
  }

  it("stops producing a streamed body once the server has answered", async () => {
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced++;
        yield Buffer.alloc(64 * 1024);
        await new Promise((r) => setImmediate(r));
      }
    }
    // useServer answers after the request's body ends, which never happens here: answer at the headers.
    const server = http.createServer((_req, res) => res.writeHead(413).end('{"detail":"too large"}'));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await nodeTransport({
        url: `http://127.0.0.1:${port}/x/`,
        method: "POST",
        headers: {},
        body: endless,
        timeoutMs: 5000,
      });
      assert.equal(res.status, 413);
      const atAnswer = produced;
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(produced <= atAnswer + 1, `kept producing: ${atAnswer} → ${produced}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("does not keep the process alive with idle pooled sockets", async () => {
    srv.handle((_q, res) => res.end("{}"));
    await nodeTransport({ url: `${srv.url()}/x/`, method: "GET", headers: {}, timeoutMs: 2000 });
    const { execFile } = await import("node:child_process");
    const script =
      `const {nodeTransport}=require(${JSON.stringify(require.resolve("../sdk/http-transport"))});` +
      `nodeTransport({url:${JSON.stringify(`${srv.url()}/x/`)},method:"GET",headers:{},timeoutMs:2000})` +
      `.then(r=>console.log(r.status))`;
    const started = Date.now();
    // async: this process serves the child's request
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["-e", script], { timeout: 10_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    assert.equal(out.trim(), "200");
    assert.ok(Date.now() - started < 4000, "the child exited without waiting for the idle socket");
  });
});

describe("http transport: node:https", () => {
  // A self-signed certificate for localhost and 127.0.0.1 (tests/fixtures/tls, valid until 2126).
  const tls = path.resolve(__dirname, "..", "..", "tests", "fixtures", "tls");
  let server: https.Server;
  let port = 0;
  let handshakes = 0;
  const sni: (string | false | null)[] = [];
  let rejectUnauthorized: string | undefined;

  before(async () => {
    server = https.createServer(
      { key: fs.readFileSync(path.join(tls, "localhost.key")), cert: fs.readFileSync(path.join(tls, "localhost.crt")) },
      (req, res) => {
        sni.push((req.socket as import("node:tls").TLSSocket).servername);
        res.end('{"secure":true}');
      },
    );
    server.on("secureConnection", () => handshakes++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    // Trust the test certificate for these requests only (the agent has the system CAs).
    rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  });
  after(async () => {
    if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("sends SNI for a host name, none for an IP address, and keeps the TLS connection alive", async () => {
    const get = (host: string) =>
      nodeTransport({ url: `https://${host}:${port}/x/`, method: "GET", headers: {}, timeoutMs: 5000 });
    for (let i = 0; i < 3; i++) assert.equal((await get("localhost")).text, '{"secure":true}');
    assert.equal((await get("127.0.0.1")).status, 200);
    assert.deepEqual(sni, ["localhost", "localhost", "localhost", false]);
    assert.equal(handshakes, 2, "one TLS connection per host, reused");
  });
});
