// What every check of the probe shares: the client, what was heard, the rows so far, the objects sampled.

import type { Client } from "../client";
import { HTTPException } from "../errors";
import type { Query } from "../rest-client";
import type { ModelName } from "./known-fields";
import type { ProbeObserver } from "./observer";
import type { ProbeRow, Verdict } from "./report";

/** Objects the server sent, per model, as a list item and as a single object (for the field comparison). */
export type Samples = Partial<Record<ModelName, { list?: Record<string, unknown>; detail?: Record<string, unknown> }>>;

export interface ProbeContext {
  client: Client;
  observer: ProbeObserver;
  log: (line: string) => void;
  rows: ProbeRow[];
  samples: Samples;
  /** the organisation writes go to (configured, or the only one the token sees) */
  organisationId?: string;
  deviceId?: string;
  /** a name no object has (`probe_<random>_none`), for filters that must find nothing */
  absentName: string;
  /** stop early (Ctrl-C): checks look at it between requests */
  signal?: AbortSignal;
}

/** Adds a row (and returns it, for checks that fill in `observed` later). */
export function addRow(ctx: ProbeContext, row: Omit<ProbeRow, "verdict"> & { verdict: Verdict }): ProbeRow {
  const r: ProbeRow = { ...row };
  if (r.meaning === undefined) delete r.meaning;
  if (r.safety === undefined) delete r.safety;
  if (r.observed === undefined) delete r.observed;
  ctx.rows.push(r);
  return r;
}

/** The page envelope of a DRF list (or a bare list). */
export interface PageBody {
  count?: unknown;
  next?: unknown;
  previous?: unknown;
  results?: unknown;
}

/** One GET through the client's request layer (retries, limiter, token fallbacks). */
export function get<T = unknown>(ctx: ProbeContext, path: string, query?: Query): Promise<T> {
  throwIfStopped(ctx);
  return ctx.client.rest.request<T>({ method: "GET", path, query });
}

/** A GET that hands back the error instead of throwing it. */
export async function tryGet<T = unknown>(
  ctx: ProbeContext,
  path: string,
  query?: Query,
): Promise<{ ok: true; body: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, body: await get<T>(ctx, path, query) };
  } catch (error) {
    if (isStop(error)) throw error;
    return { ok: false, error };
  }
}

/** The results of a page (a bare list is its own results). */
export function resultsOf(body: unknown): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  const r = (body as PageBody | null)?.results;
  return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
}

/** `count` of a page, or the length of a bare list. */
export function countOf(body: unknown): number | undefined {
  if (Array.isArray(body)) return body.length;
  const c = (body as PageBody | null)?.count;
  return typeof c === "number" ? c : undefined;
}

/** An error as one line for the table: `409 Conflict — detail`, `400 Bad Request — fields: a, b`, or the network message. */
export function describeError(e: unknown): string {
  if (!HTTPException.isInstance(e)) return e instanceof Error ? e.message : String(e);
  const fields = Object.keys((e as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {});
  const text = (e as Error).message.replace(/^Doover API /, "").replace(/^(\d{3}[^:]*): [A-Z]+ \/\S*/, "$1");
  if (fields.length) return `${text.replace(/ — .*$/s, "")} — refused fields: ${fields.join(", ")}`;
  return text;
}

/** The HTTP status of an error (0: no answer). */
export function statusOf(e: unknown): number {
  return HTTPException.isInstance(e) ? (e as HTTPException).status : 0;
}

const STOP = "pulumi-doover.probe-stopped";

/** Thrown between requests once the probe's signal fires. */
export function throwIfStopped(ctx: Pick<ProbeContext, "signal">): void {
  if (ctx.signal?.aborted) throw Object.assign(new Error("interrupted"), { code: STOP });
}

export function isStop(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === STOP;
}

/** Keeps the first object seen of a model, as a list item or a single object. */
export function sample(ctx: ProbeContext, model: ModelName, how: "list" | "detail", obj: unknown): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
  const slot = (ctx.samples[model] ??= {});
  slot[how] ??= obj as Record<string, unknown>;
}
