// The HTTP layer: auth headers, JSON in/out (lossless ids), per-attempt
// timeout, retries within a time budget, typed errors, optional debug logging. Every attempt
// takes a slot of the process-wide limiter of its base URL (request-limiter.ts), which backs
// the whole process off on 429/503.
//
// Retry policy (why each method is safe to repeat):
// - GET/HEAD: reads.
// - PUT: replaces the whole object with the same body; repeating it lands in the same state.
// - PATCH: we only ever PATCH absolute field values (never increments or list appends), so
//   applying the same PATCH twice gives the same object as applying it once.
// - DELETE: a repeat after a lost response sees 404, which callers may treat as success.
// - POST is never re-sent blindly: a create that failed ambiguously is resolved by the create
//   path (provider/create-path.ts: a lookup by name before anything is re-sent). State-transition
//   POSTs (archive, unarchive, activate, deactivate) opt in with `idempotent: true`: doing them
//   twice leaves the object in the same state.
// - 429 is retried for every method, and so is a connection that failed before anything was sent (refused,
//   no such host, connect timeout): the request was not done.
// - 500 is not retried: it usually means a bug that answers the same every time (502/503/504
//   are the transient gateway/overload statuses).
// - 401 with a token from stack config/options is retried once with each other token the
//   caller offers (env, profile): a rotated token in the environment still works when the stale
//   one sits in the stack's saved provider config.
// - The token comes from a TokenProvider asked before every attempt: a `doover login` profile's is
//   refreshed when due, and once more after a 401 (profile-session.ts); a given token is static.
// Retries stop when the operation's time budget (counted from its first failure) would be
// exceeded, not after a fixed small count. An API this process has never reached gets a short window
// instead (api-reachability.ts: most likely a wrong URL), shared by every call to it; the first call to
// give up says what was tried and where the URL came from, the others fail at once with a brief copy.
// While retrying, a status line goes to the logger every few seconds (key `retry <baseUrl>`).
// Redirects are never followed (neither transport does): a redirected POST would turn into a GET (reporting a
// bogus success) and drop the token on a cross-origin hop; a 3xx is an error naming Location.

import { createHash } from "node:crypto";
import {
  apiReached,
  DEFAULT_UNREACHED_BUDGET_MS,
  giveUp,
  markReached,
  noteUnreached,
  unreachedAgain,
} from "./api-reachability";
import { jsonBodyChunks } from "./deployment-folder";
import {
  errorFromResponse,
  HTTPException,
  invalidBodyError,
  type NetworkError,
  networkError,
  parseRetryAfter,
  redirectError,
  timeoutError,
} from "./errors";
import { fetchTransport, nodeTransport, type Transport } from "./http-transport";
import { assertSendableBody } from "./json-limits";
import { parseLossless } from "./lossless-json";
import { limiterFor, type RequestLimiter } from "./request-limiter";
import { isStaticTokenProvider, NOT_REFRESHED, staticTokenProvider, type TokenProvider } from "./token-provider";
import { VERSION } from "./version";

/** Another token to try after a 401, and where it came from (never the token in messages). */
export interface FallbackCredential {
  token: string;
  source: string;
  /** where the token comes from when it is refreshed (a profile): asked instead of using `token` as it is */
  provider?: TokenProvider;
}

export interface RestClientOptions {
  baseUrl: string;
  /** where `baseUrl` came from, e.g. `stack config doover:apiUrl` (for the "could not be reached" message) */
  baseUrlSource?: string;
  token: string;
  /** where `token` came from, e.g. `stack config doover:token` (for the 401 message) */
  tokenSource?: string;
  /** asked for the token before every attempt and after a 401 (a profile's refreshes); default: `token` as it is */
  tokenProvider?: TokenProvider;
  /** tokens to try, in order, when `token` is answered 401 (read lazily, once) */
  fallbackCredentials?: () => FallbackCredential[];
  organisationId?: string;
  /** an HTTP implementation to use instead of the built-in `node:http` transport (tests, custom agents) */
  fetch?: typeof fetch;
  /** the exchange itself (default: `node:http`/`node:https` with keep-alive; see http-transport.ts) */
  transport?: Transport;
  /** per attempt, default 30000 */
  timeoutMs?: number;
  /** total time one operation keeps retrying after its first failure, default 180000 */
  retryBudgetMs?: number;
  /** optional cap on extra attempts (default: none, the time budget decides) */
  retries?: number;
  /**
   * how long calls keep retrying a base URL this process has never reached (one window shared by all calls
   * to it, from its first failure), default 10000; at most `retryBudgetMs`
   */
  unreachedBudgetMs?: number;
  /** fixed cap on requests per second for this base URL (process-wide) */
  maxRequestsPerSecond?: number;
  /** the limiter to use (default: the process-wide one of `baseUrl`) */
  limiter?: RequestLimiter;
  /** names of the settings, for error messages (the provider passes its stack config keys) */
  settingNames?: { timeout?: string; retryBudget?: string };
  userAgent?: string;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  debug?: boolean;
  /**
   * Where log lines go (default: stderr). Lines with a `key` are repeated status lines (retries), which a
   * caller may throttle per key; they go to a logger given here, and to the default one only with `debug`.
   */
  logger?: (line: string, key?: string) => void;
  /** injectable for tests */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * What a client saw or is about to do, for tools that report on the API itself (doover-probe): every answer
 * with its headers, every attempt that got none, and every wait before a retry (of a request, or of a create's
 * re-send after its lookup). Listeners see no token: the headers are the answer's, not the request's.
 */
export type RestEvent =
  | {
      kind: "answer";
      method: string;
      path: string;
      attempt: number;
      status: number;
      header(name: string): string | null;
    }
  | { kind: "no-answer"; method: string; path: string; attempt: number; reason: string }
  | {
      kind: "retry";
      attempt: number;
      waitMs: number;
      elapsedMs: number;
      budgetMs: number;
      /** what `budgetMs` is: the retry budget, or the window for an API not reached yet */
      budget: "retry budget" | "window for an API not reached yet";
      reason: string;
    };

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
  /**
   * Top-level keys of a 2xx JSON object answer to leave out while it streams in (never held in memory),
   * e.g. `["deployment_data"]` for an application create/PATCH that uploads a deployment: the API echoes it.
   */
  omitResponseFields?: readonly string[];
  /** Told the HTTP status of the 2xx answer (a create tells 201 Created from an upsert's 200). */
  onStatus?: (status: number) => void;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]);
const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Connection failures where nothing reached the server: safe to repeat even a POST. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "EADDRNOTAVAIL",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENOTFOUND", // no such host: nothing was sent
  "EAI_AGAIN", // the name lookup failed for now
  "ECONNECTTIMEOUT", // http-transport.ts: no connection within connectTimeoutMs
]);

/** Per-attempt timeout when none is configured. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** How long one call keeps retrying after its first failure when nothing is configured. */
export const DEFAULT_RETRY_BUDGET_MS = 180_000;

// Which fallback token answered for a (base URL, primary token) pair, so later clients in this
// process skip the stale one. Keyed by a hash: the map never holds a primary token as a key.
const PREFERRED = Symbol.for("pulumi-doover.preferred-token.v1");
/** A preferred "token" that is a profile's session: its id after this mark. */
const PROVIDER_MARK = "\u0000provider:";
function preferredTokens(): Map<string, string> {
  const g = globalThis as unknown as Record<symbol, Map<string, string> | undefined>;
  return (g[PREFERRED] ??= new Map());
}

export class RestClient {
  readonly baseUrl: string;
  readonly organisationId?: string;
  readonly timeoutMs: number;
  readonly retryBudgetMs: number;
  readonly retries?: number;
  readonly unreachedBudgetMs: number;
  readonly baseUrlSource: string;
  readonly limiter: RequestLimiter;
  private token: string;
  private tokenSource: string;
  /** where the current token comes from (asked before every attempt) */
  private auth: TokenProvider;
  private readonly primaryKey: string;
  private readonly fallbacks?: () => FallbackCredential[];
  private readonly knownTokens: string[];
  private readonly triedSources: string[] = [];
  /** why each token given up on was not refreshed (for the final 401) */
  private readonly rejectionNotes: (string | undefined)[] = [];
  /** a token given as such (never refreshed) was among those tried */
  private triedStatic = false;
  private readonly transport: Transport;
  private readonly userAgent: string;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly debug: boolean;
  private readonly logger: (line: string) => void;
  private readonly statusLogger?: (line: string, key?: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly settingNames: { timeout?: string; retryBudget?: string };
  private readonly listeners = new Set<(e: RestEvent) => void>();

  constructor(o: RestClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, "");
    this.token = o.token;
    this.tokenSource = o.tokenProvider?.source ?? o.tokenSource ?? "the given token";
    this.auth = o.tokenProvider ?? staticTokenProvider(o.token, this.tokenSource);
    this.knownTokens = [o.token];
    this.primaryKey = `${this.baseUrl}\n${createHash("sha256").update(o.token).digest("hex")}`;
    if (o.fallbackCredentials) this.fallbacks = o.fallbackCredentials;
    if (o.organisationId !== undefined) this.organisationId = o.organisationId;
    this.transport = o.fetch ? fetchTransport(o.fetch) : (o.transport ?? nodeTransport);
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryBudgetMs = Math.max(0, o.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
    if (o.retries !== undefined) this.retries = Math.max(0, o.retries);
    this.unreachedBudgetMs = Math.min(
      this.retryBudgetMs,
      Math.max(0, o.unreachedBudgetMs ?? DEFAULT_UNREACHED_BUDGET_MS),
    );
    this.baseUrlSource = o.baseUrlSource ?? "the client's baseUrl option";
    this.limiter = o.limiter ?? limiterFor(this.baseUrl, { maxRequestsPerSecond: o.maxRequestsPerSecond });
    this.settingNames = o.settingNames ?? {};
    this.userAgent = o.userAgent ?? `pulumi-doover/${VERSION}`;
    this.baseDelay = o.retryBaseDelayMs ?? 500;
    this.maxDelay = o.maxRetryDelayMs ?? 30_000;
    this.debug = o.debug ?? false;
    this.logger = o.logger ?? ((line) => console.error(line));
    if (o.logger) this.statusLogger = o.logger;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
    const preferred = preferredTokens().get(this.primaryKey);
    if (preferred?.startsWith(PROVIDER_MARK)) {
      // The fallback that answered was a profile: its session (refreshed since, maybe) is asked again.
      const again = this.fallbacks?.().find((c) => c.provider && PROVIDER_MARK + c.provider.id === preferred);
      if (again?.provider) {
        this.auth = again.provider;
        this.tokenSource = again.provider.source;
      }
    } else if (preferred !== undefined) {
      this.knownTokens.push(preferred);
      this.token = preferred;
      this.tokenSource = "the fallback that answered after the configured token was rejected";
      this.auth = staticTokenProvider(preferred, this.tokenSource);
    }
    this.triedSources.push(this.tokenSource);
    // Keep tokens off enumerable state so util.inspect/JSON of the client never shows them.
    for (const k of ["token", "knownTokens", "primaryKey", "fallbacks", "auth"])
      Object.defineProperty(this, k, { enumerable: false });
  }

  /** Calls `listener` with every {@link RestEvent} of this client until the returned function is called. */
  observe(listener: (e: RestEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: RestEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // an observer never breaks a request
      }
    }
  }

  url(path: string, query?: Query): string {
    return this.target(path, query).toString();
  }

  /** The request URL, parsed once (the transport takes it as it is). */
  private target(path: string, query?: Query): URL {
    const u = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      u.searchParams.set(k, String(v));
    }
    return u;
  }

  /** Log a line with any occurrence of the token masked. */
  log(line: string): void {
    this.logger(this.redact(line));
  }

  redact(text: string): string {
    let out = text;
    for (const t of this.knownTokens) if (t) out = out.split(t).join("***");
    return out;
  }

  async request<T>(req: RequestOptions): Promise<T> {
    const method = req.method.toUpperCase();
    const target = this.target(req.path, req.query);
    const url = target.toString();
    const retryable = req.idempotent ?? IDEMPOTENT.has(method);
    const org = req.organisationId === undefined ? this.organisationId : req.organisationId;
    let payload: string | undefined;
    if (req.body !== undefined) assertSendableBody(req.body, `${method} ${req.path}`);
    const streamed = jsonBodyChunks(req.body); // deployment data: zip + base64 streamed, never one string
    if (req.body !== undefined && !streamed) payload = JSON.stringify(req.body);
    const headers = (token: string): Record<string, string> => {
      const h: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: "application/json",
        "User-Agent": this.userAgent,
      };
      if (org) h["X-Doover-Organisation"] = org;
      if (req.body !== undefined) h["Content-Type"] = "application/json";
      return h;
    };

    let firstFailureAt: number | undefined;
    let fallbacks: FallbackCredential[] | undefined;
    let askedAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      const again = unreachedAgain(this.baseUrl, { method, url });
      if (again) throw again;
      // Before the limiter slot: a refresh that runs now does not hold a slot.
      const sentToken = await this.currentToken();
      const release = await this.limiter.acquire();
      const started = Date.now();
      const reached = apiReached(this.baseUrl);
      let err: HTTPException;
      let wait: number | undefined;
      try {
        const res = await this.transport({
          url: target,
          method,
          headers: headers(sentToken),
          body: streamed ?? payload,
          timeoutMs: this.timeoutMs,
          // A host that drops packets would hold the first attempt for the whole timeout.
          connectTimeoutMs: reached ? undefined : Math.max(1, Math.min(this.timeoutMs, this.unreachedBudgetMs)),
          omitFields: req.omitResponseFields,
        });
        if (!reached) markReached(this.baseUrl);
        const ok = res.status >= 200 && res.status < 300;
        const text = res.text;
        const retryAfter = parseRetryAfter(res.header("retry-after"));
        release(
          res.status === 429 || res.status === 503
            ? { kind: "throttled", rateLimited: res.status === 429, retryAfterMs: retryAfter }
            : ok
              ? { kind: "ok" }
              : { kind: "other" },
        );
        this.trace(method, req.path, res.status, attempt, started);
        if (this.listeners.size)
          this.emit({ kind: "answer", method, path: req.path, attempt, status: res.status, header: res.header });
        if (res.malformed) throw invalidBodyError(res.status, method, url, this.redact(text));
        if (ok) {
          req.onStatus?.(res.status);
          return this.parseSuccess(res.status, text, method, url) as T;
        }
        if (res.status >= 300 && res.status < 400) throw redirectError(res.status, method, url, res.header("location"));
        if (attempt > 1 && req.okOnRepeat?.includes(res.status)) return undefined as T;
        err = errorFromResponse(res.status, method, url, this.redactBody(this.parse(text)), {
          get: (name) => res.header(name),
        });
        if (res.status === 401) {
          // Another call on this client moved to a fallback or refreshed token while this one was in flight: use it.
          if (sentToken !== this.token) continue;
          if (!askedAfter401) {
            // Once per call: a refreshable token (a profile's) is refreshed, or replaced by one another call got.
            askedAfter401 = true;
            const next = await this.auth.unauthorized(sentToken);
            if (next !== undefined && next !== sentToken) {
              this.useToken(next);
              continue;
            }
          }
          fallbacks ??= this.untriedFallbacks();
          const next = fallbacks.shift();
          if (!next) throw this.unauthorized(err);
          this.useFallback(next);
          askedAfter401 = false; // the new source may refresh its token once too
          continue; // a 401 did nothing: safe to repeat any method at once
        }
        if (!RETRY_STATUS.has(res.status) || (!retryable && res.status !== 429)) throw err;
        // A Retry-After is waited for by the shared limiter pause (every request backs off with it).
        wait = retryAfter !== undefined ? Math.round(this.random() * 50) : this.backoffMs(attempt);
        if (retryAfter !== undefined) wait += Math.max(0, retryAfter - (Date.now() - started));
      } catch (e) {
        if (HTTPException.isInstance(e)) throw e;
        release({ kind: "other" });
        const timedOut = (e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError";
        this.trace(method, req.path, timedOut ? "timeout" : "network error", attempt, started);
        if (this.listeners.size) {
          const reason = timedOut ? `no answer within ${this.timeoutMs} ms` : ((e as Error)?.message ?? String(e));
          this.emit({ kind: "no-answer", method, path: req.path, attempt, reason: this.redact(reason) });
        }
        err = timedOut
          ? timeoutError(method, url, this.timeoutMs, this.settingNames.timeout)
          : networkError(method, url, e, (t) => this.redact(t));
        const notSent = !timedOut && NOT_SENT.has(causeCode(e) ?? "");
        if (notSent) (err as NetworkError).notSent = true;
        if (!retryable && !notSent) throw err;
        wait = this.backoffMs(attempt);
        if (!apiReached(this.baseUrl)) {
          // Never answered in this process: one short window for every call to it (api-reachability.ts).
          const left = noteUnreached(this.baseUrl, `${method} ${req.path}`, this.unreachedBudgetMs);
          const overCount = this.retries !== undefined && attempt > this.retries;
          if (left <= 0 || overCount) {
            throw giveUp(this.baseUrl, this.baseUrlSource, reasonOf(err), { method, url, cause: err });
          }
          wait = Math.min(wait, left); // the last try lands at the end of the window
          if (this.listeners.size) {
            const [budgetMs, reason] = [this.unreachedBudgetMs, this.redact(err.message)];
            const budget = "window for an API not reached yet";
            this.emit({ kind: "retry", attempt, waitMs: wait, elapsedMs: budgetMs - left, budgetMs, budget, reason });
          }
          this.retryStatus(method, req.path, err, wait, attempt, left, "of the window for an API not reached yet");
          await this.sleep(wait);
          continue;
        }
      }
      firstFailureAt ??= Date.now();
      this.checkBudget(err, attempt, firstFailureAt, wait);
      const left = this.retryBudgetMs - (Date.now() - firstFailureAt);
      this.retryStatus(method, req.path, err, wait, attempt, left, "of the retry budget");
      await this.sleep(wait);
    }
  }

  /** A status line about a retry (throttled per base URL by a logger that wants it; see `logger`). */
  private retryStatus(
    method: string,
    path: string,
    err: HTTPException,
    waitMs: number,
    attempt: number,
    leftMs: number,
    of: string,
  ): void {
    const line =
      `doover: ${method} ${path} at ${this.baseUrl} failed (${reasonOf(err)}); retrying in ${seconds(waitMs)} s ` +
      `(attempt ${attempt + 1}; ${seconds(Math.max(0, leftMs))} s left ${of})`;
    if (this.statusLogger) this.statusLogger(this.redact(line), `retry ${this.baseUrl}`);
    else if (this.debug) this.log(line);
  }

  /**
   * Throws `err` (with how long we tried) when waiting `waitMs` more would go past the time budget
   * that started at `firstFailureAt`, or past the optional `retries` cap. The create path uses
   * it for its own re-sends, so a whole create shares one budget.
   */
  checkBudget(err: unknown, attempt: number, firstFailureAt: number, waitMs: number): void {
    const elapsed = Date.now() - firstFailureAt;
    const overCount = this.retries !== undefined && attempt > this.retries;
    if (!overCount && elapsed + waitMs <= this.retryBudgetMs) {
      if (this.listeners.size) {
        const reason = this.redact(err instanceof Error ? err.message : String(err));
        const budget = "retry budget";
        this.emit({ kind: "retry", attempt, waitMs, elapsedMs: elapsed, budgetMs: this.retryBudgetMs, budget, reason });
      }
      return;
    }
    if (err instanceof Error && attempt > 1) {
      const setting = this.settingNames.retryBudget ?? "retryBudgetMs";
      err.message += overCount
        ? ` (gave up after ${attempt} attempts: retries = ${this.retries})`
        : ` (gave up after ${attempt} attempts over ${seconds(elapsed)} s: the retry budget is ` +
          `${seconds(this.retryBudgetMs)} s, set by ${setting})`;
    }
    throw err;
  }

  /** Full-jitter exponential backoff before attempt `attempt + 1`, capped at maxRetryDelayMs. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelay, this.baseDelay * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private untriedFallbacks(): FallbackCredential[] {
    let list: FallbackCredential[] = [];
    try {
      list = this.fallbacks?.() ?? [];
    } catch {
      list = [];
    }
    const seen = new Set(this.knownTokens);
    return list.filter((c) => {
      if (c.provider) return c.provider.id !== this.auth.id; // a profile: its session gives the token
      if (!c.token || seen.has(c.token)) return false;
      seen.add(c.token);
      return true;
    });
  }

  /** The token for the next attempt, from the current source (a profile's is refreshed when due). */
  private async currentToken(): Promise<string> {
    const token = await this.auth.token();
    if (token !== this.token) this.useToken(token);
    return token;
  }

  private useToken(token: string): void {
    if (!this.knownTokens.includes(token)) this.knownTokens.push(token);
    this.token = token;
  }

  private useFallback(next: FallbackCredential): void {
    this.triedSources.push(next.source);
    this.rejectionNotes.push(this.auth.rejectionNote(this.token));
    this.triedStatic ||= isStaticTokenProvider(this.auth);
    this.log(`doover: the token from ${this.tokenSource} was rejected (401); trying the one from ${next.source}`);
    this.tokenSource = next.source;
    if (next.provider) {
      this.auth = next.provider;
      preferredTokens().set(this.primaryKey, PROVIDER_MARK + next.provider.id);
      if (next.token) this.useToken(next.token);
      return;
    }
    this.auth = staticTokenProvider(next.token, next.source);
    this.useToken(next.token);
    preferredTokens().set(this.primaryKey, next.token);
  }

  /** A 401 after every token was tried: say which sources were tried, why none was refreshed, and what to do. */
  private unauthorized(err: HTTPException): HTTPException {
    err.message += ` — rejected: the token from ${this.triedSources.join(", then the token from ")}`;
    const notes = [...this.rejectionNotes, this.auth.rejectionNote(this.token)].filter((n) => n !== undefined);
    if (this.triedStatic || isStaticTokenProvider(this.auth)) notes.push(NOT_REFRESHED);
    if (notes.length > 0) err.message += `. ${notes.map((n) => n[0].toUpperCase() + n.slice(1)).join(". ")}`;
    return err;
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
    const s = typeof body === "string" ? body : JSON.stringify(body);
    if (s === undefined || this.redact(s) === s) return body;
    const cleaned = this.redact(s);
    return typeof body === "string" ? cleaned : JSON.parse(cleaned);
  }

  private trace(method: string, path: string, status: number | string, attempt: number, started: number): void {
    if (!this.debug) return;
    this.log(`doover: ${method} ${path} -> ${status} (attempt ${attempt}, ${Date.now() - started} ms)`);
  }
}

/** What went wrong, short: `503 Service Unavailable`, `connect ECONNREFUSED 127.0.0.1:1`, `timed out after 30000 ms`. */
function reasonOf(err: HTTPException): string {
  if (err.status > 0) return /^Doover API (\d{3} [^:]*):/.exec(err.message)?.[1] ?? `HTTP ${err.status}`;
  const cause = err.cause as { message?: string; cause?: { message?: string } } | undefined;
  if (cause?.message) return cause.cause?.message ?? cause.message;
  return /timed out after \d+ ms/.exec(err.message)?.[0] ?? err.message;
}

function causeCode(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Milliseconds as seconds for messages: whole seconds from 10 s up, else one decimal. */
function seconds(ms: number): string {
  return ms >= 10_000 ? String(Math.round(ms / 1000)) : String(Math.round(ms / 100) / 10);
}
