// The auth server `doover login` profiles point at (AUTH_SERVER_URL), on the emulator's own port: the refresh
// grant pydoover and doover-cli send (`POST /oauth2/token`, parameters in the query string, or a form body),
// answering OAuth 2.0 JSON. Access tokens are JWT-shaped (pydoover reads their `exp`) and expire after
// `tokenTtlSeconds` (never by default); the API answers an expired one 401. With `rotateRefreshTokens` each
// refresh returns a new refresh token and the one spent stops working. Everything lives in memory.

import { createHmac, randomBytes, randomUUID } from "node:crypto";

export interface AuthServerOptions {
  /** access tokens expire this long after they are issued (default: never) */
  tokenTtlSeconds?: number;
  /** every refresh returns a new refresh token and invalidates the one it spent (default false) */
  rotateRefreshTokens?: boolean;
}

/** What the API makes of a Bearer token that is not the emulator's static one. */
export type TokenVerdict = "valid" | "expired" | "unknown";

interface RefreshRecord {
  id: string;
  state: "active" | "revoked" | "used";
}

export interface AuthAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function oauthError(status: number, error: string, description: string): AuthAnswer {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  return { status, body: { error, error_description: description }, headers };
}

export class AuthServer {
  /** the client id the profile's AUTH_SERVER_CLIENT_ID must name */
  readonly clientId = randomUUID();
  /** the refresh token a test writes into a profile (valid again after `reset`) */
  readonly initialRefreshToken = `emu_rt_${randomBytes(24).toString("base64url")}`;
  readonly tokenTtlSeconds?: number;
  readonly rotateRefreshTokens: boolean;
  private readonly secret = randomBytes(32);
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  /** issued access tokens → expiry in ms (undefined: never) */
  private readonly accessTokens = new Map<string, number | undefined>();
  /** successful refreshes since the start or the last reset */
  refreshes = 0;

  constructor(o: AuthServerOptions = {}) {
    if (o.tokenTtlSeconds !== undefined) {
      if (!(o.tokenTtlSeconds > 0)) throw new Error(`tokenTtlSeconds must be > 0, not ${o.tokenTtlSeconds}`);
      this.tokenTtlSeconds = o.tokenTtlSeconds;
    }
    this.rotateRefreshTokens = o.rotateRefreshTokens ?? false;
    this.reset();
  }

  /** Back to the start: only the initial refresh token works; issued access tokens are forgotten. */
  reset(): void {
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.refreshTokens.set(this.initialRefreshToken, { id: randomUUID(), state: "active" });
    this.refreshes = 0;
  }

  /** Revokes one refresh token, or all of them; returns how many were active. */
  revoke(refreshToken?: string): number {
    let n = 0;
    for (const [t, r] of this.refreshTokens) {
      if (refreshToken !== undefined && t !== refreshToken) continue;
      if (r.state === "active") n++;
      r.state = "revoked";
    }
    return n;
  }

  verify(token: string): TokenVerdict {
    if (!this.accessTokens.has(token)) return "unknown";
    const exp = this.accessTokens.get(token);
    return exp !== undefined && Date.now() >= exp ? "expired" : "valid";
  }

  /** Counts for `GET /_emulator/auth/` (never a token). */
  summary(): Record<string, unknown> {
    const count = (state: RefreshRecord["state"]) =>
      [...this.refreshTokens.values()].filter((r) => r.state === state).length;
    return {
      clientId: this.clientId,
      tokenTtlSeconds: this.tokenTtlSeconds ?? null,
      rotateRefreshTokens: this.rotateRefreshTokens,
      refreshes: this.refreshes,
      refreshTokens: { active: count("active"), used: count("used"), revoked: count("revoked") },
    };
  }

  /** `/oauth2/token`: the refresh grant (the only one the clients use against a profile). */
  token(method: string, params: URLSearchParams): AuthAnswer {
    if (method !== "POST")
      return {
        status: 405,
        body: { error: "invalid_request", error_description: "Use POST." },
        headers: { Allow: "POST" },
      };
    const grant = params.get("grant_type");
    if (!grant) return oauthError(400, "invalid_request", "grant_type is required.");
    if (grant !== "refresh_token")
      return oauthError(400, "unsupported_grant_type", `The emulator supports the refresh_token grant, not ${grant}.`);
    const clientId = params.get("client_id");
    if (!clientId) return oauthError(400, "invalid_request", "client_id is required.");
    if (clientId !== this.clientId) return oauthError(401, "invalid_client", "The client_id is not known.");
    const refreshToken = params.get("refresh_token");
    if (!refreshToken) return oauthError(400, "invalid_request", "refresh_token is required.");
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return oauthError(400, "invalid_grant", "The refresh token is not known.");
    if (record.state === "revoked") return oauthError(400, "invalid_grant", "The refresh token was revoked.");
    if (record.state === "used")
      return oauthError(400, "invalid_grant", "The refresh token was already used (refresh tokens are rotated).");

    const body: Record<string, unknown> = {
      access_token: this.issueAccessToken(),
      token_type: "Bearer",
      scope: "offline_access",
    };
    if (this.tokenTtlSeconds !== undefined) body.expires_in = this.tokenTtlSeconds;
    if (this.rotateRefreshTokens) {
      record.state = "used";
      const next = `emu_rt_${randomBytes(24).toString("base64url")}`;
      const id = randomUUID();
      this.refreshTokens.set(next, { id, state: "active" });
      body.refresh_token = next;
      body.refresh_token_id = id;
    }
    this.refreshes++;
    return { status: 200, body, headers: { "Cache-Control": "no-store" } };
  }

  /** An HS256 JWT with `iat` and (with a TTL) `exp`, in fractional seconds so a 2 s TTL is 2 s. */
  private issueAccessToken(): string {
    const now = Date.now();
    const exp = this.tokenTtlSeconds === undefined ? undefined : now + this.tokenTtlSeconds * 1000;
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const claims: Record<string, unknown> = {
      iss: "doover-emulator",
      sub: "emulated-user",
      aud: this.clientId,
      iat: now / 1000,
      jti: randomUUID(),
    };
    if (exp !== undefined) claims.exp = exp / 1000;
    const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
    const token = `${unsigned}.${createHmac("sha256", this.secret).update(unsigned).digest("base64url")}`;
    this.accessTokens.set(token, exp);
    return token;
  }
}

/** A log line's query with the token values masked (the request log is served over HTTP). */
export function redactTokenQuery(query: string): string {
  return query.replace(/((?:^|&)(?:access_token|refresh_token)=)[^&]*/g, "$1***");
}
