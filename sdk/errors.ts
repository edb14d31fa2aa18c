// Typed error family. Every class carries a string `code` brand and a static
// `isInstance()` that checks it, because the Pulumi dynamic provider and the
// user's program can each hold their own copy of this module (instanceof fails).

import { inspect } from "node:util";

// code -> its ancestors' codes (a copy of this module has the same table).
const ANCESTORS: Record<string, string[]> = {
  DooverException: [],
  HTTPException: ["DooverException"],
  BadRequest: ["HTTPException", "DooverException"],
  Unauthorized: ["HTTPException", "DooverException"],
  Forbidden: ["HTTPException", "DooverException"],
  NotFound: ["HTTPException", "DooverException"],
  Conflict: ["HTTPException", "DooverException"],
  RateLimited: ["HTTPException", "DooverException"],
  ServerError: ["HTTPException", "DooverException"],
  NetworkError: ["HTTPException", "DooverException"],
  RequestTimeout: ["HTTPException", "DooverException"],
  ApiUnreachable: ["NetworkError", "HTTPException", "DooverException"],
  CredentialsError: ["DooverException"],
  TokenRefreshError: ["CredentialsError", "DooverException"],
  NotSupported: ["DooverException"],
  AmbiguousDeviceName: ["DooverException"],
  DooverValidationError: ["DooverException"],
};

function brandMatches(e: unknown, code: string): boolean {
  if (typeof e !== "object" || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === "string" && (c === code || (ANCESTORS[c]?.includes(code) ?? false));
}

export class DooverException extends Error {
  static readonly code: string = "DooverException";
  readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const ctor = new.target as unknown as { code: string };
    this.code = ctor.code;
    this.name = ctor.code;
  }
  static isInstance(e: unknown): boolean {
    return brandMatches(e, this.code);
  }
}

export interface HTTPExceptionFields {
  status: number;
  method: string;
  url: string;
  body?: unknown;
  cause?: unknown;
}

/** Any failed API call: an HTTP error status, or status 0 for network/timeout. */
export class HTTPException extends DooverException {
  static readonly code: string = "HTTPException";
  status: number;
  method: string;
  /** request URL without any credential-bearing query parameter */
  url: string;
  body: unknown;
  constructor(message: string, f: HTTPExceptionFields) {
    super(message, f.cause === undefined ? undefined : { cause: f.cause });
    this.status = f.status;
    this.method = f.method;
    this.url = redactUrl(f.url);
    this.body = f.body;
  }
}
export { HTTPException as DooverApiError };

export class BadRequest extends HTTPException {
  static readonly code: string = "BadRequest";
  fieldErrors: Record<string, string[]>;
  constructor(message: string, f: HTTPExceptionFields & { fieldErrors?: Record<string, string[]> }) {
    super(message, f);
    this.fieldErrors = f.fieldErrors ?? {};
  }
}
export class Unauthorized extends HTTPException {
  static readonly code: string = "Unauthorized";
}
export class Forbidden extends HTTPException {
  static readonly code: string = "Forbidden";
}
export class NotFound extends HTTPException {
  static readonly code: string = "NotFound";
}
export class Conflict extends HTTPException {
  static readonly code: string = "Conflict";
}
export class RateLimited extends HTTPException {
  static readonly code: string = "RateLimited";
  retryAfterMs?: number;
  constructor(message: string, f: HTTPExceptionFields & { retryAfterMs?: number }) {
    super(message, f);
    if (f.retryAfterMs !== undefined) this.retryAfterMs = f.retryAfterMs;
  }
}
export class ServerError extends HTTPException {
  static readonly code: string = "ServerError";
}
/** status 0: the connection failed or was dropped before a response arrived */
export class NetworkError extends HTTPException {
  static readonly code: string = "NetworkError";
  /** the connection failed before anything was sent (refused, no such host, connect timeout): nothing landed */
  notSent?: boolean;
}
/**
 * status 0: an API this process has never reached could not be reached within the short window for that case
 * (see api-reachability.ts). `repeat` is true for the brief copies later calls get without trying again.
 */
export class ApiUnreachable extends NetworkError {
  static readonly code: string = "ApiUnreachable";
  /** the base URL that was never reached */
  baseUrl = "";
  /** where that URL came from, e.g. `stack config doover:apiUrl` */
  baseUrlSource = "";
  repeat = false;
}
/** status 0: our per-attempt timeout fired */
export class RequestTimeout extends HTTPException {
  static readonly code: string = "RequestTimeout";
}
/** No API token could be found (the message lists every place looked). */
export class CredentialsError extends DooverException {
  static readonly code: string = "CredentialsError";
}
/**
 * The access token of a `doover login` profile is due and could not be refreshed (refresh token revoked or
 * expired, auth server unreachable). The message names the profile, what the auth server answered and says to
 * run `doover login`; it never holds a token.
 */
export class TokenRefreshError extends CredentialsError {
  static readonly code: string = "TokenRefreshError";
  /** the auth server's HTTP status, 0 when it did not answer, undefined when no request was made */
  readonly authStatus?: number;
  constructor(message: string, options: { authStatus?: number } = {}) {
    super(message);
    if (options.authStatus !== undefined) this.authStatus = options.authStatus;
  }
}
export class NotSupported extends DooverException {
  static readonly code: string = "NotSupported";
}
/**
 * A value the API cannot take, found before anything was sent (e.g. a config nested deeper than
 * `MAX_JSON_DEPTH`, a NUL character or a lone surrogate in text). `field` is the request field, `pointer` the
 * JSON pointer inside it ("" for the field itself).
 */
export class DooverValidationError extends DooverException {
  static readonly code: string = "DooverValidationError";
  readonly field: string;
  readonly pointer: string;
  constructor(message: string, f: { field: string; pointer?: string; cause?: unknown }) {
    super(message, f.cause === undefined ? undefined : { cause: f.cause });
    this.field = f.field;
    this.pointer = f.pointer ?? "";
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const SECRET_PARAM = /token|key|secret|password|signature|auth/i;

/** Drop credential-looking query parameters (and userinfo) from a URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    for (const k of [...u.searchParams.keys()]) if (SECRET_PARAM.test(k)) u.searchParams.delete(k);
    return u.toString();
  } catch {
    return url.replace(/([?&][^=&]*(?:token|key|secret|password)[^=&]*=)[^&]*/gi, "$1***");
  }
}

/** `host:port` of a URL, the port spelled out even when it is the scheme's default. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");
    return port ? `${u.hostname}:${port}` : u.hostname;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0];
  }
}

/** `{field: [messages]}` from `body.error` (Doover) or a flat DRF body. */
export function extractFieldErrors(body: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) return out;
  const b = body as Record<string, unknown>;
  const source =
    typeof b.error === "object" && b.error !== null && !Array.isArray(b.error)
      ? (b.error as Record<string, unknown>)
      : b.detail === undefined
        ? b
        : {};
  for (const [field, v] of Object.entries(source)) {
    if (Array.isArray(v)) out[field] = v.map((m) => (typeof m === "string" ? m : JSON.stringify(m)));
    else if (typeof v === "string") out[field] = [v];
    else if (v !== null && v !== undefined) out[field] = [JSON.stringify(v)];
  }
  return out;
}

function detailOf(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim().slice(0, 300) || undefined;
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const k of ["detail", "message", "error"]) if (typeof b[k] === "string" && b[k]) return b[k] as string;
  return undefined;
}

/** Seconds or an HTTP date → milliseconds from now (undefined when absent/invalid). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

type HeadersLike = { get(name: string): string | null } | Record<string, string | undefined> | undefined;

function header(headers: HeadersLike, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function")
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const rec = headers as Record<string, string | undefined>;
  const k = Object.keys(rec).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : rec[k];
}

/** Map an HTTP error response to the right class. */
export function errorFromResponse(
  status: number,
  method: string,
  url: string,
  body: unknown,
  headers?: HeadersLike,
): HTTPException {
  const fields = { status, method, url, body };
  const fieldErrors = status === 400 || status === 422 ? extractFieldErrors(body) : {};
  let detail = detailOf(body);
  const summary = Object.entries(fieldErrors)
    .map(([f, msgs]) => `${f}: ${msgs.join(" ")}`)
    .join("; ");
  if (summary) detail = detail ? `${detail} (${summary})` : summary;
  const statusText = STATUS_TEXT[status] ?? (status >= 500 ? "Server Error" : "Error");
  const message = `Doover API ${status} ${statusText}: ${method} ${pathOf(url)}${detail ? ` — ${detail}` : ""}`;
  switch (true) {
    case status === 400 || status === 422:
      return new BadRequest(message, { ...fields, fieldErrors });
    case status === 401:
      return new Unauthorized(message, fields);
    case status === 403:
      return new Forbidden(message, fields);
    case status === 404:
      return new NotFound(message, fields);
    case status === 409:
      return new Conflict(message, fields);
    case status === 429:
      return new RateLimited(message, { ...fields, retryAfterMs: parseRetryAfter(header(headers, "retry-after")) });
    case status >= 500:
      return new ServerError(message, fields);
    default:
      return new HTTPException(message, fields);
  }
}

/** `redact` masks secrets in the cause's text before it becomes part of the message (and stack). */
export function networkError(
  method: string,
  url: string,
  cause: unknown,
  redact: (text: string) => string = (t) => t,
): NetworkError {
  const why = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
  // A cause that quotes a secret (a custom fetch might) is replaced by a redacted stand-in.
  const full = inspect(cause);
  const safeCause = redact(full) === full ? cause : new Error(redact(why));
  return new NetworkError(redact(`Doover API network error: ${method} ${pathOf(url)} at ${hostPort(url)} — ${why}`), {
    status: 0,
    method,
    url,
    body: undefined,
    cause: safeCause,
  });
}

/** A 3xx answer: we never follow redirects (see rest-client.ts). */
export function redirectError(status: number, method: string, url: string, location: string | null): HTTPException {
  let to = "(no Location)";
  if (location) {
    try {
      to = redactUrl(new URL(location, url).toString());
    } catch {
      to = redactUrl(location);
    }
  }
  return new HTTPException(
    `Doover API ${status} redirect not followed: ${method} ${pathOf(url)} → ${to}; point the base URL at the final address`,
    { status, method, url, body: undefined },
  );
}

/** A success status whose body is not JSON (e.g. a proxy's HTML page). */
export function invalidBodyError(status: number, method: string, url: string, text: string): HTTPException {
  return new HTTPException(`Doover API ${status}: ${method} ${pathOf(url)} answered a body that is not JSON`, {
    status,
    method,
    url,
    body: text.slice(0, 1000),
  });
}

export function timeoutError(method: string, url: string, timeoutMs: number, setting?: string): RequestTimeout {
  const hint = setting ? ` (per-request timeout: ${setting})` : "";
  return new RequestTimeout(
    `Doover API request timed out after ${timeoutMs} ms: ${method} ${pathOf(url)} at ${hostPort(url)}${hint}`,
    {
      status: 0,
      method,
      url,
      body: undefined,
    },
  );
}
