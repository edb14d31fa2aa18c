// What a route handler gets and returns.

import type { IncomingHttpHeaders } from "node:http";
import { ApiError } from "./errors";
import type { Faults } from "./faults";
import type { FormBody } from "./form-data";
import type { Store } from "./store";

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body ({} when empty or a form). */
  body: unknown;
  /** The body of a form-urlencoded or multipart/form-data request. */
  form?: FormBody;
  /** "http://host:port" as the client addressed us (for absolute next/previous links). */
  baseUrl: string;
  store: Store;
  perPageDefault: number;
  /** Armed faults (deployment creates take their deployment faults from here). */
  faults?: Faults;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  /** A non-JSON answer (an installer script, a zip): sent as is with this content type instead of `body`. */
  raw?: { contentType: string; data: Buffer };
  /** a create that updated an existing object (marked in the request log) */
  upsert?: boolean;
}

export type Handler = (ctx: RequestContext) => HandlerResult;

/** The body as a JSON object, or DRF's 400 for anything else. */
export function objectBody(ctx: RequestContext): Record<string, unknown> {
  const b = ctx.body;
  if (typeof b === "object" && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
  const got = Array.isArray(b) ? "list" : b === null ? "NoneType" : typeof b === "string" ? "str" : typeof b;
  const msg = `Invalid data. Expected a dictionary, but got ${got}.`;
  throw new ApiError(400, { detail: msg, error: { non_field_errors: [msg] } });
}

export function ok(body: unknown, status = 200): HandlerResult {
  return { status, body };
}
