// When an access token needs refreshing, as pydoover decides it (pydoover/api/auth/_utils.py): a missing token
// always, a token with no known expiry never, any other within 30 s of its expiry. The expiry is the
// profile's TOKEN_EXPIRES, else the JWT `exp` claim read without verifying the signature.

/** pydoover's `_EXPIRY_BUFFER_SECS`: refresh this long before the expiry. */
export const EXPIRY_BUFFER_MS = 30_000;

/** The claims of a JWT's payload, unverified; undefined for anything that is not a JWT. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
}

function seconds(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** The JWT `exp` claim in ms since the epoch (pydoover's `decode_jwt_exp`), if the token has one. */
export function jwtExpiryMs(token: string | undefined): number | undefined {
  const exp = token ? seconds(jwtClaims(token)?.exp) : undefined;
  return exp === undefined ? undefined : exp * 1000;
}

/** The JWT `iat` claim in ms since the epoch, if the token has one. */
export function jwtIssuedAtMs(token: string | undefined): number | undefined {
  const iat = token ? seconds(jwtClaims(token)?.iat) : undefined;
  return iat === undefined ? undefined : iat * 1000;
}

/**
 * How long before `expiresAtMs` a token counts as due: pydoover's 30 s, but at most half the token's lifetime
 * when that is known, so a token that lives 2 s is not refreshed before every request.
 */
export function refreshBufferMs(lifetimeMs: number | undefined): number {
  return lifetimeMs !== undefined && lifetimeMs > 0 ? Math.min(EXPIRY_BUFFER_MS, lifetimeMs / 2) : EXPIRY_BUFFER_MS;
}

/** pydoover's `token_needs_refresh` (with the buffer of {@link refreshBufferMs}). */
export function tokenNeedsRefresh(
  token: string | undefined,
  expiresAtMs: number | undefined,
  opts: { now?: number; lifetimeMs?: number } = {},
): boolean {
  if (!token) return true;
  if (expiresAtMs === undefined) return false;
  return (opts.now ?? Date.now()) >= expiresAtMs - refreshBufferMs(opts.lifetimeMs);
}

/**
 * TOKEN_EXPIRES as pydoover writes it: `datetime.timestamp()` printed by Python, i.e. unix seconds as a
 * float's repr (`1767225600.0`, `1767225600.25`).
 */
export function formatTokenExpires(expiresAtMs: number | undefined): string {
  if (expiresAtMs === undefined) return "";
  const s = expiresAtMs / 1000;
  return Number.isInteger(s) ? `${s}.0` : String(s);
}

/** TOKEN_EXPIRES as unix seconds (pydoover writes a float) or an ISO date (doover-js). */
export function parseTokenExpires(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}
