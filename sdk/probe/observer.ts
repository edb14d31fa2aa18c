// What the probe hears from the REST client while it works: the headers of every answer (version and
// rate-limit headers are read from all of them), the 429/503s and retries, the status of the latest answer
// to a request, and a line on stderr for every wait long enough to notice.

import type { RestClient, RestEvent } from "../rest-client";

/** Header names that announce rate limits. */
const RATE_HEADER = /^(x-)?rate-?limit|^retry-after$/i;
/** A retry wait at least this long is announced on the log (silence past a few seconds looks like a hang). */
const WAIT_NOTICE_MS = 1000;

/** One throttling answer (429 or 503) and whether it said how long to wait. */
export interface ThrottleSeen {
  status: number;
  method: string;
  path: string;
  retryAfter: string | null;
}

export class ProbeObserver {
  /** header name (lower case) → the distinct values seen, for version headers */
  readonly versionHeaders = new Map<string, Set<string>>();
  /** header name (lower case) → the distinct values seen, for rate-limit headers */
  readonly rateHeaders = new Map<string, Set<string>>();
  readonly throttles: ThrottleSeen[] = [];
  /** attempts that got no answer (resets, timeouts) */
  noAnswers = 0;
  /** POSTs whose answer was lost or a 5xx: they may have been done (the create path must look before re-sending) */
  ambiguousPosts = 0;
  retries = 0;
  retryWaitMs = 0;
  answers = 0;
  private last = new Map<string, number>();
  private readonly stop: () => void;

  constructor(
    rest: RestClient,
    private readonly log: (line: string) => void,
  ) {
    this.stop = rest.observe((e) => this.on(e));
  }

  /** Stops listening. */
  close(): void {
    this.stop();
  }

  /** The status of the latest answer to `method path` (0 when none arrived). */
  lastStatus(method: string, path: string): number {
    return this.last.get(`${method} ${path}`) ?? 0;
  }

  /** Forgets the latest status of `method path`, so the next call's answer is the one read. */
  forget(method: string, path: string): void {
    this.last.delete(`${method} ${path}`);
  }

  private on(e: RestEvent): void {
    if (e.kind === "answer") {
      this.answers++;
      this.last.set(`${e.method} ${e.path}`, e.status);
      if (e.method === "POST" && e.status >= 500) this.ambiguousPosts++;
      for (const name of HEADER_NAMES_TO_READ) {
        const value = e.header(name);
        if (value === null) continue;
        const into = isRateLimitHeader(name) ? this.rateHeaders : this.versionHeaders;
        if (!into.has(name)) into.set(name, new Set());
        into.get(name)!.add(value);
      }
      if (e.status === 429 || e.status === 503)
        this.throttles.push({ status: e.status, method: e.method, path: e.path, retryAfter: e.header("retry-after") });
    } else if (e.kind === "no-answer") {
      this.noAnswers++;
      if (e.method === "POST") this.ambiguousPosts++;
      this.last.delete(`${e.method} ${e.path}`);
    } else {
      this.retries++;
      this.retryWaitMs += e.waitMs;
      if (e.waitMs >= WAIT_NOTICE_MS) {
        this.log(
          `doover-probe: waiting ${seconds(e.waitMs)} s before trying again (attempt ${e.attempt + 1}; ` +
            `${seconds(e.elapsedMs)} s of the ${seconds(e.budgetMs)} s ${e.budget} used): ${e.reason}`,
        );
      }
    }
  }
}

/**
 * The headers read from every answer. A transport only answers headers by name, so these are the names
 * in use for API versions and rate limits (IETF RateLimit drafts, GitHub/Stripe/DRF-style `X-RateLimit-*`).
 */
export const HEADER_NAMES_TO_READ = [
  "api-version",
  "x-api-version",
  "x-doover-version",
  "x-doover-api-version",
  "x-app-version",
  "x-version",
  "server",
  "x-powered-by",
  "via",
  "ratelimit",
  "ratelimit-policy",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-used",
  "x-rate-limit-limit",
  "x-rate-limit-remaining",
  "x-rate-limit-reset",
  "retry-after",
];

/** Whether a header name read by the probe is a rate-limit one (else a version/software one). */
export function isRateLimitHeader(name: string): boolean {
  return RATE_HEADER.test(name);
}

function seconds(ms: number): string {
  return ms >= 10_000 ? String(Math.round(ms / 1000)) : (Math.round(ms / 100) / 10).toFixed(1);
}
