// Which API base URLs this process has reached, process-wide (like the limiter's per-URL registry).
//
// An API that never answered anything in this process is most likely misconfigured (a wrong `apiUrl`, a typo
// in the host, a port nothing listens on): retrying it for the full budget (3 minutes per call, twice for a
// create) only hides the mistake. So until the first answer from a base URL, every failure to reach it
// counts against one short window shared by every call to that URL (`unreachedBudgetMs`, 10 s by default);
// when it runs out, the call that notices says what was tried and where the URL came from, and every other
// call to that URL fails at once with a brief copy for a while (GIVE_UP_HOLD_MS) instead of trying again.
// Any HTTP answer (even a 503) marks the URL reached for the rest of the process: from then on a failure is an
// outage, and calls get their full retry budget, as before.

import { ApiUnreachable } from "./errors";

/** Retries of an API never reached in this process stop after this long (counted from its first failure). */
export const DEFAULT_UNREACHED_BUDGET_MS = 10_000;
/** After giving up on a URL, later calls to it fail at once (no new attempt) for this long. */
export const GIVE_UP_HOLD_MS = 300_000;

interface Reachability {
  reached: boolean;
  /** first failure to reach it (process-wide; reset by an answer) */
  failingSince?: number;
  attempts: number;
  /** `METHOD /path/` of the requests that failed, in order (a few) */
  tried: string[];
  gaveUp?: { at: number; why: string; source: string };
}

const REGISTRY = Symbol.for("pulumi-doover.api-reachability.v1");
function registry(): Map<string, Reachability> {
  const g = globalThis as unknown as Record<symbol, Map<string, Reachability> | undefined>;
  return (g[REGISTRY] ??= new Map());
}

const keyOf = (baseUrl: string) => baseUrl.replace(/\/+$/, "");

function entry(baseUrl: string): Reachability {
  const map = registry();
  let e = map.get(keyOf(baseUrl));
  if (!e) {
    e = { reached: false, attempts: 0, tried: [] };
    map.set(keyOf(baseUrl), e);
  }
  return e;
}

/** Whether any call from this process got an HTTP answer from `baseUrl`. */
export function apiReached(baseUrl: string): boolean {
  return registry().get(keyOf(baseUrl))?.reached === true;
}

/** An HTTP answer (any status) came from `baseUrl`. */
export function markReached(baseUrl: string): void {
  const e = entry(baseUrl);
  e.reached = true;
  e.failingSince = undefined;
  e.gaveUp = undefined;
  e.attempts = 0;
  e.tried = [];
}

/**
 * A call to a URL never reached failed to connect (or got no answer). Returns how many ms of the shared
 * window are left (≤ 0: give up), counting this failure.
 */
export function noteUnreached(baseUrl: string, request: string, budgetMs: number, now = Date.now()): number {
  const e = entry(baseUrl);
  e.failingSince ??= now;
  e.attempts++;
  if (!e.tried.includes(request) && e.tried.length < 3) e.tried.push(request);
  return budgetMs - (now - e.failingSince);
}

/**
 * The error of the call that gives up on `baseUrl`: the cause, what was tried, where the URL came from. Later
 * calls (and others giving up at the same moment) get the brief copy, {@link unreachedAgain}, for
 * GIVE_UP_HOLD_MS.
 */
export function giveUp(
  baseUrl: string,
  source: string,
  why: string,
  fields: { method: string; url: string; cause?: unknown },
  now = Date.now(),
): ApiUnreachable {
  const e = entry(baseUrl);
  // Calls whose windows ran out together: only the first one explains.
  if (e.gaveUp) return unreachedAgain(baseUrl, fields, now) ?? giveUp(baseUrl, source, why, fields, now);
  const over = seconds(now - (e.failingSince ?? now));
  e.gaveUp = { at: now, why, source };
  const tried = e.tried.join(", ");
  const err = new ApiUnreachable(
    `Doover API at ${baseUrl} could not be reached: ${why}. Tried ${e.attempts} time${e.attempts === 1 ? "" : "s"} ` +
      `over ${over} s (${tried}). This process has never reached that address, so it is most likely wrong: ` +
      `it comes from ${source}. Check the address (and that the API is up); an API that answered earlier in ` +
      "the same run is retried for the full retry budget instead.",
    { status: 0, method: fields.method, url: fields.url, body: undefined, cause: fields.cause },
  );
  err.notSent = true;
  err.baseUrl = baseUrl;
  err.baseUrlSource = source;
  return err;
}

/** For a call to a URL given up on moments ago: the brief copy of that error (undefined: try it). */
export function unreachedAgain(
  baseUrl: string,
  fields: { method: string; url: string },
  now = Date.now(),
): ApiUnreachable | undefined {
  const e = registry().get(keyOf(baseUrl));
  if (!e?.gaveUp || e.reached) return undefined;
  if (now - e.gaveUp.at > GIVE_UP_HOLD_MS) {
    // Long enough ago: try again with a fresh window.
    e.gaveUp = undefined;
    e.failingSince = undefined;
    e.attempts = 0;
    e.tried = [];
    return undefined;
  }
  const err = new ApiUnreachable(
    `Doover API at ${baseUrl} could not be reached (${e.gaveUp.why}); not tried again: it failed the same way ` +
      `moments ago in this run (the first "could not be reached" error says what was tried; the URL comes from ` +
      `${e.gaveUp.source})`,
    { status: 0, method: fields.method, url: fields.url, body: undefined },
  );
  err.notSent = true;
  err.baseUrl = baseUrl;
  err.baseUrlSource = e.gaveUp.source;
  err.repeat = true;
  return err;
}

/** Forgets every URL (tests). */
export function resetReachability(): void {
  registry().clear();
}

function seconds(ms: number): string {
  return ms >= 10_000 ? String(Math.round(ms / 1000)) : String(Math.round(ms / 100) / 10);
}
