// The HTTP layer: auth headers, JSON in/out (lossless ids), per-attempt
// timeout, retries with backoff, typed errors, optional debug logging.
//
// Retry policy (why each method is safe to repeat):
// - GET/HEAD: reads.
// - PUT: replaces the whole object with the same body; repeating it lands in the same state.
// - PATCH: we only ever PATCH absolute field values (never increments or list appends), so
//   applying the same PATCH twice gives the same object as applying it once.
// - DELETE: a repeat after a lost response sees 404, which callers may treat as success.
// - POST is never re-sent blindly: a create that failed ambiguously is resolved by a
//   lookup by name (see applications-api.ts / tunnels-api.ts). State-transition POSTs
//   (archive, unarchive, activate, deactivate) opt in with `idempotent: true`: doing them
//   twice leaves the object in the same state.
// - 429 is retried for every method: the server refused the request without doing it.
// - 500 is not retried: it usually means a bug that answers the same every time (502/503/504
//   are the transient gateway/overload statuses).
// Redirects are never followed: fetch would turn a redirected POST into a GET (reporting a
// bogus success) and drop the token on a cross-origin hop; a 3xx is an error naming Location.

import { jsonBodyChunks } from "./deployment-folder";
import {
  errorFromResponse,
  HTTPException,
  invalidBodyError,
  networkError,
  parseRetryAfter,
  RateLimited,
  redirectError,
  timeoutError,
} from "./errors";
import { parseLossless } from "./lossless-json";
import { VERSION } from "./version";

export interface RestClientOptions {
  baseUrl: string;
  token: string;
  organisationId?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retries?: number;
  userAgent?: string;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  debug?: boolean;
  logger?: (line: string) => void;
  /** injectable for tests */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method: string;
  /** API path with trailing slash, e.g. `/applications/` */
  path: string;
  query?: Query;
  body?: unknown;
  /** override the method-based retry decision */
  idempotent?: boolean;
  /** X-Doover-Organisation for this call (defaults to the client's) */
  organisationId?: string | null;
  /** statuses that count as success (undefined result) when they answer a repeated attempt, e.g. 404 on DELETE */
  okOnRepeat?: number[];
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]);
const RETRY_STATUS = new Set([429, 502, 503, 504]);

export class RestClient {
  readonly baseUrl: string;
  readonly organisationId?: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly debug: boolean;
  private readonly logger: (line: string) => void;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(o: RestClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, "");
    this.token = o.token;
    if (o.organisationId !== undefined) this.organisationId = o.organisationId;
    this.fetchImpl = o.fetch ?? globalThis.fetch;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.retries = Math.max(0, o.retries ?? 3);
    this.userAgent = o.userAgent ?? `pulumi-doover/${VERSION}`;
    this.baseDelay = o.retryBaseDelayMs ?? 500;
    this.maxDelay = o.maxRetryDelayMs ?? 30_000;
    this.debug = o.debug ?? false;
    this.logger = o.logger ?? ((line) => console.error(line));
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
    // Keep the token off enumerable state so util.inspect/JSON of the client never shows it.
    Object.defineProperty(this, "token", { enumerable: false });
  }

  url(path: string, query?: Query): string {
    const u = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  /** Log a line with any occurrence of the token masked. */
  log(line: string): void {
    this.logger(this.redact(line));
  }

  redact(text: string): string {
    return this.token ? text.split(this.token).join("***") : text;
  }

  async request<T>(req: RequestOptions): Promise<T> {
    const method = req.method.toUpperCase();
    const url = this.url(req.path, req.query);
    const retryable = req.idempotent ?? IDEMPOTENT.has(method);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: "application/json",
      "User-Agent": this.userAgent,
    };
    const org = req.organisationId === undefined ? this.organisationId : req.organisationId;
    if (org) headers["X-Doover-Organisation"] = org;
    let payload: string | undefined;
    const streamed = jsonBodyChunks(req.body); // deployment data: zip + base64 streamed, never one string
    if (req.body !== undefined) {
      headers["Content-Type"] = "application/json";
      if (!streamed) payload = JSON.stringify(req.body);
    }

    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      let err: HTTPException;
      try {
        const res = await this.fetchImpl(url, {
          method,
          headers,
          body: streamed ? streamed() : payload,
          ...(streamed ? { duplex: "half" as const } : {}),
          redirect: "manual",
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        // Read the body under the same timeout signal: a stalled body is a timeout too.
        const text = await res.text();
        this.trace(method, req.path, res.status, attempt, started);
        if (res.ok) return this.parseSuccess(res.status, text, method, url) as T;
        if (res.status >= 300 && res.status < 400) throw redirectError(res.status, method, url, res.headers.get("location"));
        if (attempt > 1 && req.okOnRepeat?.includes(res.status)) return undefined as T;
        err = errorFromResponse(res.status, method, url, this.redactBody(this.parse(text)), res.headers);
        if (!RETRY_STATUS.has(res.status) || (!retryable && res.status !== 429) || attempt > this.retries) throw err;
        const wait = this.backoff(attempt, err, res.headers.get("retry-after"));
        // The server asks for a longer pause than we are willing to wait: give up now (the error says how long).
        if (wait === undefined) throw err;
        await this.sleep(wait);
      } catch (e) {
        if (HTTPException.isInstance(e)) throw e;
        const timedOut = (e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError";
        this.trace(method, req.path, timedOut ? "timeout" : "network error", attempt, started);
        err = timedOut ? timeoutError(method, url, this.timeoutMs) : networkError(method, url, e, (t) => this.redact(t));
        if (!retryable || attempt > this.retries) throw err;
        await this.sleep(this.backoff(attempt, err, null) ?? this.maxDelay);
      }
    }
  }

  /** Wait before attempt `attempt + 1` of a create that is re-sent after a lookup found nothing. */
  pause(attempt: number, err: unknown): Promise<void> {
    const e = HTTPException.isInstance(err) ? (err as HTTPException) : undefined;
    return this.sleep(this.backoff(attempt, e, null) ?? this.maxDelay);
  }

  /**
   * Full-jitter exponential backoff, capped at maxDelay. A Retry-After hint (seconds or date)
   * wins; undefined when it asks for more than maxDelay (retrying early would only be refused).
   */
  private backoff(attempt: number, err: HTTPException | undefined, retryAfter: string | null): number | undefined {
    const hinted = RateLimited.isInstance(err) ? (err as RateLimited).retryAfterMs : parseRetryAfter(retryAfter);
    if (hinted !== undefined) return hinted <= this.maxDelay ? hinted : undefined;
    const ceiling = Math.min(this.maxDelay, this.baseDelay * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  /** 2xx: undefined for no content, else JSON; anything else (an HTML proxy page…) is an error, not data. */
  private parseSuccess(status: number, text: string, method: string, url: string): unknown {
    if (status === 204 || text.trim() === "") return undefined;
    try {
      return parseLossless(text);
    } catch {
      throw invalidBodyError(status, method, url, this.redact(text));
    }
  }

  private parse(text: string): unknown {
    if (text.trim() === "") return undefined;
    try {
      return parseLossless(text);
    } catch {
      return text;
    }
  }

  private redactBody(body: unknown): unknown {
    if (!this.token) return body;
    const s = typeof body === "string" ? body : JSON.stringify(body);
    if (s === undefined || !s.includes(this.token)) return body;
    const cleaned = this.redact(s);
    return typeof body === "string" ? cleaned : JSON.parse(cleaned);
  }

  private trace(method: string, path: string, status: number | string, attempt: number, started: number): void {
    if (!this.debug) return;
    this.log(`doover: ${method} ${path} -> ${status} (attempt ${attempt}, ${Date.now() - started} ms)`);
  }
}
