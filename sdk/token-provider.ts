// Where the REST client gets the Authorization token: asked before every attempt and once after a 401.
// A token given as such (options, stack config `doover:token`, env DOOVER_API_TOKEN) is static; a
// `doover login` profile's token is refreshed (see profile-session.ts).

import { jwtExpiryMs } from "./token-expiry";

export interface TokenProvider {
  /** a stable, token-free name of this source (e.g. `profile:/home/u/.doover/config#default`) */
  readonly id: string;
  /** where the token comes from, for messages (never the token) */
  readonly source: string;
  /** The token for the next attempt, refreshed first when due. Rejects with TokenRefreshError when it cannot. */
  token(): Promise<string>;
  /**
   * `rejected` was answered 401: the token to repeat the request with (refreshed, or the one another call got
   * meanwhile), or undefined when this source has no other. Rejects with TokenRefreshError.
   */
  unauthorized(rejected: string): Promise<string | undefined>;
  /** What to add to the final 401 error about `rejected` (why it was not or could not be refreshed). */
  rejectionNote(rejected: string): string | undefined;
}

/** What a final 401 says once when a token given as such was among those tried (see isStaticTokenProvider). */
export const NOT_REFRESHED =
  "tokens from stack config (doover:token), env DOOVER_API_TOKEN or the `token` option are never refreshed; a " +
  "`doover login` profile is (leave doover:token and DOOVER_API_TOKEN unset, pick the profile with doover:profile " +
  "or DOOVER_PROFILE)";

/** The provider is {@link staticTokenProvider}'s. */
export function isStaticTokenProvider(p: TokenProvider): boolean {
  return p.id.startsWith("static:");
}

/** A token given as such: sent as it is, never refreshed. */
export function staticTokenProvider(token: string, source: string): TokenProvider {
  return {
    id: `static:${source}`,
    source,
    token: async () => token,
    unauthorized: async () => undefined,
    rejectionNote: () => {
      const exp = jwtExpiryMs(token);
      return exp !== undefined && exp <= Date.now()
        ? `the token from ${source} expired at ${new Date(exp).toISOString()} (its JWT exp)`
        : undefined;
    },
  };
}
