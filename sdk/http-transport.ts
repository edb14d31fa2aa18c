// One HTTP exchange for the REST client: send a request, read the whole answer under one deadline.
//
// The default transport is `node:http`/`node:https` with a keep-alive agent per process. The global
// `fetch` (undici) works too and is what an injected `fetch` goes through, but it costs 3–4× the CPU per
// call (WHATWG streams, header objects): measured 207–287 ms vs 67–73 ms CPU for 200 keep-alive GETs in
// the provider host, which is most of what a `pulumi refresh` of 200 applications costs over a no-op.
// Both transports behave the same way: no redirects followed, one timeout for connect + headers + body,
// a streamed request body sent chunked, the answer decompressed when the server compresses it.

import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { readWithout, TopLevelFieldFilter } from "./json-field-filter";

export interface TransportRequest {
  url: string | URL;
  method: string;
  headers: Record<string, string>;
  /** a JSON text, or a producer of a streamed body (sent chunked; text pieces as UTF-8) */
  body?: string | (() => AsyncIterable<Uint8Array | string>);
  /** for the whole exchange: connect, send, headers and body */
  timeoutMs: number;
  /**
   * for a new connection to be made (name lookup + connect), when shorter than `timeoutMs`; a miss fails with
   * code ECONNECTTIMEOUT (nothing was sent). The `fetch` transport ignores it.
   */
  connectTimeoutMs?: number;
  /** top-level keys to leave out of a 2xx JSON object answer while it streams in */
  omitFields?: readonly string[];
}

export interface TransportResponse {
  status: number;
  header(name: string): string | null;
  /** the answer's text (without `omitFields` for a 2xx) */
  text: string;
  /** the 2xx answer was not a JSON object `omitFields` could filter; `text` is what was read */
  malformed: boolean;
}

/** Performs one exchange; rejects with an error named `TimeoutError` past the deadline, else the network error. */
export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** The error a transport rejects with when the deadline passes. */
export function deadlineError(timeoutMs: number): Error {
  const e = new Error(`no complete answer within ${timeoutMs} ms`);
  e.name = "TimeoutError";
  return e;
}

// One keep-alive agent per protocol for the process; idle sockets are unref'd by the agent and do not
// keep the process alive. Concurrency is bounded by the request limiter, not here. An idle socket is
// closed after 4 s, or 1 s before the server's `Keep-Alive: timeout=…` hint (Node's agent reads it),
// so we rarely write to a connection the server is closing.
const IDLE_SOCKET_MS = 4000;
const AGENTS = Symbol.for("pulumi-doover.http-agents.v1");
function agents(): { http: http.Agent; https: https.Agent } {
  const g = globalThis as unknown as Record<symbol, { http: http.Agent; https: https.Agent } | undefined>;
  return (g[AGENTS] ??= {
    http: new http.Agent({ keepAlive: true, scheduling: "lifo", timeout: IDLE_SOCKET_MS }),
    https: new https.Agent({ keepAlive: true, scheduling: "lifo", timeout: IDLE_SOCKET_MS }),
  });
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * The default transport: `node:http`/`node:https` with keep-alive. A connection the server drops (its idle
 * timeout closing a pooled socket as we reuse it, or a crash) is a network error like any other: the
 * request may have landed, so what to do is the caller's (rest-client retries only what is safe to repeat,
 * the create path looks a POST up first). It is never re-sent here, out of the caller's sight.
 */
export const nodeTransport: Transport = (req) =>
  new Promise<TransportResponse>((resolve, reject) => {
    const url = typeof req.url === "string" ? new URL(req.url) : req.url;
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      reject(new TypeError(`unsupported protocol ${url.protocol} in ${url.origin}`));
      return;
    }
    const headers: Record<string, string> = { "Accept-Encoding": "gzip, deflate, br", ...req.headers };
    if (typeof req.body === "string") headers["Content-Length"] = String(Buffer.byteLength(req.body));
    // A bodiless POST (archive, unarchive…) says so, as fetch does: node:http would send an empty chunked body.
    else if (req.body === undefined && BODY_METHODS.has(req.method)) headers["Content-Length"] = "0";
    let settled = false;
    let sent = false;
    const timer = setTimeout(() => fail(deadlineError(req.timeoutMs)), req.timeoutMs);
    const outgoing = (secure ? https : http).request(url, {
      method: req.method,
      headers,
      agent: secure ? agents().https : agents().http,
      // What the agent would work out from the Host header on every request (no SNI for an IP address).
      servername: isIP(url.hostname.replace(/^\[|\]$/g, "")) ? "" : url.hostname,
    });
    function fail(e: unknown): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      reject(e);
    }
    outgoing.on("error", fail);
    const connectMs = req.connectTimeoutMs;
    if (connectMs !== undefined && connectMs < req.timeoutMs) {
      outgoing.on("socket", (socket) => {
        if (!socket.connecting) return; // a pooled keep-alive socket
        const t = setTimeout(() => fail(connectTimeoutError(connectMs)), connectMs);
        socket.once("connect", () => clearTimeout(t));
        socket.once("close", () => clearTimeout(t));
      });
    }
    outgoing.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const encoding = String(res.headers["content-encoding"] ?? "")
        .trim()
        .toLowerCase();
      let body: Readable = res;
      const decoder = DECODERS[encoding];
      if (decoder) {
        const d = decoder();
        res.on("error", fail);
        body = res.pipe(d);
      }
      const filter =
        status >= 200 && status < 300 && req.omitFields?.length ? new TopLevelFieldFilter(req.omitFields) : undefined;
      const chunks: Buffer[] = [];
      body.on("data", (c: Buffer) => (filter ? filter.push(c) : chunks.push(c)));
      body.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(cutOff());
      });
      body.on("end", () => {
        if (settled) return;
        if (!res.complete) return fail(cutOff());
        settled = true;
        clearTimeout(timer);
        if (!sent) outgoing.destroy(); // answered before the body was sent: stop producing it
        const out = filter ? filter.end() : { body: Buffer.concat(chunks), malformed: false };
        resolve({
          status,
          header: (name) => headerValue(res.headers[name.toLowerCase()]),
          text: out.body.toString("utf8"),
          malformed: out.malformed,
        });
      });
    });
    const body = req.body;
    if (body === undefined || typeof body === "string") {
      sent = true;
      outgoing.end(body);
      return;
    }
    void (async () => {
      for await (const chunk of body()) {
        if (settled) return;
        if (!outgoing.write(chunk)) await waitForDrain(outgoing);
      }
      sent = true;
      outgoing.end();
    })().catch(fail);
  });

function waitForDrain(stream: http.ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      stream.off("drain", done);
      stream.off("close", closed);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => done(new Error("the connection closed while sending the body"));
    stream.on("drain", done);
    stream.on("close", closed);
  });
}

/** fetch streams bytes only: text pieces are encoded as UTF-8. */
async function* asBytes(pieces: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array> {
  for await (const p of pieces) yield typeof p === "string" ? Buffer.from(p, "utf8") : p;
}

function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`no connection within ${ms} ms`), { code: "ECONNECTTIMEOUT" });
}

function cutOff(): Error {
  return Object.assign(new Error("the connection closed before the whole answer arrived"), { code: "ECONNRESET" });
}

function headerValue(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(", ") : v;
}

/** A transport over a `fetch` implementation (an injected one, for tests or custom agents). */
export function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (req) => {
    const signal = AbortSignal.timeout(req.timeoutMs);
    const streamed = typeof req.body === "function";
    // A string, as before: injected fakes may expect one.
    const res = await fetchImpl(String(req.url), {
      method: req.method,
      headers: req.headers,
      body: streamed
        ? asBytes((req.body as () => AsyncIterable<Uint8Array | string>)())
        : (req.body as string | undefined),
      ...(streamed ? { duplex: "half" as const } : {}),
      redirect: "manual",
      signal,
    } as RequestInit);
    // The body is read under the same signal: a stalled body is a timeout too.
    const omit = res.ok && req.omitFields?.length ? req.omitFields : undefined;
    const filtered = omit ? await readWithout(res.body, omit) : undefined;
    return {
      status: res.status,
      header: (name) => res.headers.get(name),
      text: filtered ? filtered.text : await res.text(),
      malformed: filtered?.malformed ?? false,
    };
  };
}
