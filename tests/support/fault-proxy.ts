// A small fault-injecting HTTP proxy on loopback, in front of the emulator: what a real API
// gateway does on a bad day. Every fault is bounded (a count or a probability with a cap) and
// seeded, so a run is repeatable.
//
// - rate limit: a token bucket of `ratePerSecond` (burst = one second's worth); a request
//   without a token gets 429 + `Retry-After` (whole seconds, like real gateways) and is not
//   forwarded. Refused requests do not count against the rate (like DRF's throttles).
// - 503 bursts: `fail503` of the forwarded requests answer 503 (optionally with Retry-After)
//   before reaching the API.
// - connection resets: `resetBefore` drop the connection before forwarding (nothing done);
//   `resetAfter` forward, let the API commit, then drop the connection (an ambiguous failure).
// - stalls: `stall` forward and commit, then never answer; the socket is closed after `stallMs`.
// - token rotation: with `auth`, only `Bearer <accept>` passes (forwarded as the API's own token);
//   any other token gets 401, as after a rotation.
// - latency: `latencyMs` delays every request, as a remote API's round trip does.
// `forwardedLog` keeps when each forwarded request left (how busy the API was kept, under a rate limit).

import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** Probability of a fault per request (0..1) and the most it may happen in total. */
export interface FaultRate {
  probability: number;
  max: number;
}

export interface FaultProxyOptions {
  /** the API to forward to, e.g. the emulator's url */
  target: string;
  ratePerSecond?: number;
  fail503?: FaultRate & { retryAfter?: string };
  resetBefore?: FaultRate;
  resetAfter?: FaultRate;
  stall?: FaultRate & { stallMs: number };
  /** only `Bearer <accept>` is let through, rewritten to `Bearer <forwardAs>`; others get 401 */
  auth?: { accept: string; forwardAs: string };
  /** only requests whose path starts with this are faulted (rate limiting applies to all) */
  pathPrefix?: string;
  /** only requests with this method are faulted, e.g. "POST" (default: any) */
  method?: string;
  seed?: number;
  /** every request waits this long before it is handled: a remote API's round trip (applies to all) */
  latencyMs?: number;
}

/** A request the proxy forwarded to the API (`FaultProxy.forwardedLog`). */
export interface ForwardedRequest {
  /** Date.now() when it was forwarded */
  at: number;
  method: string;
  path: string;
}

export interface FaultProxyStats {
  requests: number;
  forwarded: number;
  rateLimited: number;
  failed503: number;
  resetBefore: number;
  resetAfter: number;
  stalled: number;
  outages: number;
}

export class FaultProxy {
  readonly stats: FaultProxyStats = {
    requests: 0,
    forwarded: 0,
    rateLimited: 0,
    failed503: 0,
    resetBefore: 0,
    resetAfter: 0,
    stalled: 0,
    outages: 0,
  };
  /** Every request forwarded to the API, in order (clear it with `forwardedLog.length = 0`). */
  readonly forwardedLog: ForwardedRequest[] = [];
  /** stats at the last configure(): `max` bounds count from there */
  private base: FaultProxyStats = { ...this.stats };
  private tokens = 0;
  private lastRefill = Date.now();
  private rng: () => number;
  private readonly sockets = new Set<import("node:net").Socket>();
  /** `auth` survives configure() calls that do not mention it (set with setAuth) */
  private keepAuth: FaultProxyOptions["auth"];

  private constructor(
    private readonly server: http.Server,
    private opts: FaultProxyOptions,
    readonly url: string,
  ) {
    this.rng = mulberry32(opts.seed ?? 1);
    this.tokens = opts.ratePerSecond ?? 0;
  }

  static async start(opts: FaultProxyOptions): Promise<FaultProxy> {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const proxy = new FaultProxy(server, opts, `http://127.0.0.1:${port}`);
    server.on("request", (req, res) => void proxy.handle(req, res));
    server.on("connection", (s) => {
      proxy.sockets.add(s);
      s.on("close", () => proxy.sockets.delete(s));
    });
    return proxy;
  }

  /** Changes the faults from now on (the target stays). */
  configure(opts: Omit<FaultProxyOptions, "target">): void {
    this.opts = { ...opts, target: this.opts.target };
    this.base = { ...this.stats };
    if (opts.auth === undefined && this.keepAuth) this.opts.auth = this.keepAuth;
    this.tokens = opts.ratePerSecond ?? 0;
    this.lastRefill = Date.now();
    if (opts.seed !== undefined) this.rng = mulberry32(opts.seed);
  }

  /** Sets (or clears) the token check for every later request, whatever configure() says. */
  setAuth(auth: FaultProxyOptions["auth"]): void {
    this.keepAuth = auth;
    this.opts = { ...this.opts, auth };
  }

  /**
   * The API goes away for `ms`: the port stops listening and open connections are dropped (so
   * requests in flight fail, ambiguously), then the same port listens again. Resolves when it is back.
   */
  async outage(ms: number): Promise<void> {
    const { port } = this.server.address() as AddressInfo;
    this.stats.outages++;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, ms));
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", r));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server.listening ? this.server.close(() => r()) : r()));
  }

  private take(rate: FaultRate | undefined, count: keyof FaultProxyStats): boolean {
    if (!rate || this.stats[count] - this.base[count] >= rate.max) return false;
    return this.rng() < rate.probability;
  }

  private allow(): { ok: true } | { ok: false; retryAfter: number } {
    const rate = this.opts.ratePerSecond;
    if (!rate) return { ok: true };
    const now = Date.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - this.tokens) / rate)) };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const auth = this.opts.auth;
    if (auth && !req.url?.startsWith("/_emulator")) {
      if (req.headers.authorization !== `Bearer ${auth.accept}`) {
        return json(res, 401, { detail: "Invalid token." });
      }
      req.headers.authorization = `Bearer ${auth.forwardAs}`;
    }
    const allowed = this.allow();
    if (!allowed.ok) {
      this.stats.rateLimited++;
      return json(res, 429, { detail: "Request was throttled." }, { "Retry-After": String(allowed.retryAfter) });
    }
    const faultable =
      req.url?.startsWith(this.opts.pathPrefix ?? "/") &&
      !req.url.startsWith("/_emulator") &&
      (this.opts.method === undefined || req.method === this.opts.method);
    if (faultable && this.take(this.opts.fail503, "failed503")) {
      this.stats.failed503++;
      const h: Record<string, string> = {};
      if (this.opts.fail503?.retryAfter) h["Retry-After"] = this.opts.fail503.retryAfter;
      return json(res, 503, { detail: "Service temporarily unavailable." }, h);
    }
    if (faultable && this.take(this.opts.resetBefore, "resetBefore")) {
      this.stats.resetBefore++;
      req.socket.destroy();
      return;
    }
    const resetAfter = faultable && this.take(this.opts.resetAfter, "resetAfter");
    const stall = !resetAfter && faultable && this.take(this.opts.stall, "stalled");
    let upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    this.forwardedLog.push({ at: Date.now(), method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0] });
    try {
      upstream = await forward(this.opts.target, req, body);
    } catch {
      req.socket.destroy();
      return;
    }
    this.stats.forwarded++;
    if (resetAfter) {
      this.stats.resetAfter++;
      req.socket.destroy();
      return;
    }
    if (stall) {
      this.stats.stalled++;
      setTimeout(() => req.socket.destroy(), this.opts.stall!.stallMs).unref();
      return;
    }
    const headers = { ...upstream.headers };
    delete headers["transfer-encoding"];
    delete headers.connection;
    headers["content-length"] = String(upstream.body.length);
    res.writeHead(upstream.status, headers);
    res.end(upstream.body);
  }
}

function forward(
  target: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(req.url ?? "/", target);
  const headers = { ...req.headers, host: url.host };
  delete headers.connection;
  return new Promise((resolve, reject) => {
    const out = http.request(url, { method: req.method, headers, agent: false }, (up) => {
      const chunks: Buffer[] = [];
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("end", () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
      up.on("error", reject);
    });
    out.on("error", reject);
    out.end(body);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A tiny seeded PRNG (repeatable fault sequences). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
