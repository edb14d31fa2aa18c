// One adaptive request limiter per API base URL, shared by every client in the process.
//
// Why one per process: the Pulumi engine runs a single provider process per deployment and calls
// create/read/update/delete for up to `--parallel` resources at once. Each call builds its own
// Client, so flow control has to live below them, keyed by the API they talk to.
//
// What it does (TCP-like, AIMD):
// - a concurrency window: at most `limit` requests in flight. Every success grows the window by
//   1/limit (about +1 per window of successes); a 429/503 halves it (at most once per congestion
//   event, so 32 simultaneous 429s count once), never below 1.
// - a shared pause: a Retry-After (on 429 or 503) stops every new request until it has passed,
//   plus a little jitter, so the whole process backs off together instead of each request
//   hammering the API on its own schedule.
// - an optional fixed rate (`maxRequestsPerSecond`): requests are spaced evenly.
// Not done on purpose: learning a rate from 429s. Measured against a 5 req/s token bucket with
// `Retry-After: 1`, the shared pause alone finished 100 creates at --parallel 32 in 1.15x the
// floor (requests ÷ rate); spacing at a learned rate took 1.26-1.41x (the estimate at the first
// 429 is too low, and every probe above the limit costs a whole pause).
// The limiter never decides to retry; rest-client.ts does, within its time budget.

/** Settings of a limiter (the latest client to ask for a base URL's limiter sets them). */
export interface RequestLimiterOptions {
  /** a fixed cap on requests per second (undefined: no cap, only what the API's 429s teach) */
  maxRequestsPerSecond?: number;
  /** starting concurrency window, default 16 */
  initialConcurrency?: number;
  /** largest concurrency window, default 64 */
  maxConcurrency?: number;
  /** injectable for tests */
  now?: () => number;
  random?: () => number;
}

/** What happened to a request that held a slot. */
export type SlotOutcome =
  | { kind: "ok" }
  /** 429 (rateLimited) or 503: the API asked us to slow down; retryAfterMs when it said for how long */
  | { kind: "throttled"; rateLimited: boolean; retryAfterMs?: number }
  /** anything else (4xx, network error, timeout): no signal about load */
  | { kind: "other" };

/** Counters for tests, debug logs and benchmarks. */
export interface LimiterStats {
  requests: number;
  throttled: number;
  inFlight: number;
  maxInFlight: number;
  /** current concurrency window (rounded down) */
  limit: number;
  /** smallest window since creation or the last resetStats() */
  minLimit: number;
  /** the fixed cap in requests per second, if any */
  rate?: number;
  queued: number;
}

const DEFAULT_INITIAL = 16;
const DEFAULT_MAX = 64;
/** Throttles closer together than this are one congestion event (one halving). */
const CONGESTION_EVENT_MS = 500;
/** Extra pause after a Retry-After: up to this fraction of it (and at most MAX_JITTER_MS). */
const JITTER_FRACTION = 0.1;
const MAX_JITTER_MS = 250;

/** The limiter of one API (see the file comment); get the shared one with `limiterFor(baseUrl)`. */
export class RequestLimiter {
  private limitF: number;
  private readonly maxLimit: number;
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private pausedUntil = 0;
  private nextSlotAt = 0;
  private lastCongestion = -Infinity;
  private fixedRate: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private counters = { requests: 0, throttled: 0, maxInFlight: 0, minLimit: Infinity };

  constructor(opts: RequestLimiterOptions = {}) {
    this.maxLimit = Math.max(1, opts.maxConcurrency ?? DEFAULT_MAX);
    this.limitF = Math.min(this.maxLimit, Math.max(1, opts.initialConcurrency ?? DEFAULT_INITIAL));
    this.counters.minLimit = Math.floor(this.limitF);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.setMaxRequestsPerSecond(opts.maxRequestsPerSecond);
  }

  /** Sets or clears the fixed cap (a client with `maxRequestsPerSecond` calls this). */
  setMaxRequestsPerSecond(rate: number | undefined): void {
    this.fixedRate = rate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : undefined;
  }

  /** Waits for a slot; call the returned function exactly once with what happened. */
  acquire(): Promise<(outcome: SlotOutcome) => void> {
    return new Promise((resolve) => {
      this.queue.push(() => {
        let released = false;
        resolve((outcome) => {
          if (released) return;
          released = true;
          this.release(outcome);
        });
      });
      this.pump();
    });
  }

  /** When the shared pause (from a Retry-After) ends, in this limiter's clock; 0 when none. */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  stats(): LimiterStats {
    const s: LimiterStats = {
      requests: this.counters.requests,
      throttled: this.counters.throttled,
      inFlight: this.inFlight,
      maxInFlight: this.counters.maxInFlight,
      limit: Math.floor(this.limitF),
      minLimit: this.counters.minLimit,
      queued: this.queue.length,
    };
    const rate = this.rate();
    if (rate !== undefined) s.rate = rate;
    return s;
  }

  resetStats(): void {
    this.counters = { requests: 0, throttled: 0, maxInFlight: 0, minLimit: Math.floor(this.limitF) };
  }

  private rate(): number | undefined {
    return this.fixedRate;
  }

  private release(outcome: SlotOutcome): void {
    this.inFlight--;
    const now = this.now();
    if (outcome.kind === "ok") {
      this.limitF = Math.min(this.maxLimit, this.limitF + 1 / this.limitF);
    } else if (outcome.kind === "throttled") {
      this.counters.throttled++;
      this.congestion(now, outcome.retryAfterMs);
    }
    this.pump();
  }

  private congestion(now: number, retryAfterMs: number | undefined): void {
    if (retryAfterMs !== undefined) {
      const jitter = Math.min(MAX_JITTER_MS, retryAfterMs * JITTER_FRACTION) * this.random();
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs + jitter);
    }
    if (now - this.lastCongestion < CONGESTION_EVENT_MS) return;
    this.lastCongestion = now;
    this.limitF = Math.max(1, this.limitF / 2);
    this.counters.minLimit = Math.min(this.counters.minLimit, Math.floor(this.limitF));
  }

  /** Starts as many queued requests as the window, the pause and the rate allow. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0 && this.inFlight < Math.floor(this.limitF)) {
      const now = this.now();
      const rate = this.rate();
      const wakeAt = Math.max(this.pausedUntil, rate === undefined ? 0 : this.nextSlotAt);
      if (wakeAt > now) {
        // A ref'd timer: queued requests must keep the process alive until they run.
        this.timer = setTimeout(() => this.pump(), wakeAt - now);
        return;
      }
      if (rate !== undefined) this.nextSlotAt = Math.max(now, this.nextSlotAt) + 1000 / rate;
      this.inFlight++;
      this.counters.requests++;
      this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
      this.queue.shift()!();
    }
  }
}

// Shared across copies of this module in one process (the program and the provider shim may each
// load the package): a registry on globalThis under a registered symbol.
const REGISTRY = Symbol.for("pulumi-doover.request-limiters.v1");

function registry(): Map<string, RequestLimiter> {
  const g = globalThis as unknown as Record<symbol, Map<string, RequestLimiter> | undefined>;
  return (g[REGISTRY] ??= new Map());
}

/** The process-wide limiter of an API base URL (created on first use). */
export function limiterFor(baseUrl: string, opts: RequestLimiterOptions = {}): RequestLimiter {
  const key = baseUrl.replace(/\/+$/, "");
  const map = registry();
  let limiter = map.get(key);
  if (!limiter) {
    limiter = new RequestLimiter(opts);
    map.set(key, limiter);
  } else if (opts.maxRequestsPerSecond !== undefined) {
    limiter.setMaxRequestsPerSecond(opts.maxRequestsPerSecond);
  }
  return limiter;
}

/** Forgets every limiter (tests). */
export function resetLimiters(): void {
  registry().clear();
}
