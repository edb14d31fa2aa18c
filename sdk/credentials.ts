// Credential resolution like doover-cli / pydoover: explicit options, then the
// environment, then a `~/.doover/config` profile. The token never appears in
// any message this module builds.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CredentialsError } from "./errors";
import { fetchTransport } from "./http-transport";
import { type DooverProfile, parseDooverConfig } from "./profile-file";
import { type ProfileSession, profileSession } from "./profile-session";
import type { FallbackCredential } from "./rest-client";
import type { TokenProvider } from "./token-provider";
import type { ClientOptions } from "./types";

export const PRODUCTION_API_URL = "https://api.doover.com";
export const STAGING_API_URL = "https://api.staging.udoover.com";

export interface ResolvedCredentials {
  baseUrl: string;
  token: string;
  organisationId?: string;
  isStaging: boolean;
  /** where the token came from, e.g. `env DOOVER_API_TOKEN` (never the token itself) */
  source: string;
  /** where `baseUrl` came from, e.g. `env DOOVER_CONTROL_API_BASE_URL` */
  baseUrlSource: string;
  /** expiry of a profile's token (TOKEN_EXPIRES, else its JWT exp), when known */
  expiresAt?: Date;
  expired?: boolean;
  /**
   * For a token from a profile: the profile's session, which refreshes it (when the profile has a
   * REFRESH_TOKEN) and writes the new one back; `token` is then only the value read from the file.
   */
  tokenProvider?: TokenProvider;
  /** the token is refreshed when due (a profile with a REFRESH_TOKEN) */
  refreshable: boolean;
  /**
   * The other tokens to try, in order, when `token` is answered 401: after a token from options,
   * env DOOVER_API_TOKEN then the profile; after env, the profile. Read when called (a rotated
   * token is picked up), never containing `token` itself. The profile comes with its session.
   */
  fallbacks: () => FallbackCredential[];
}

/** A profile gives a token: it has one, or a refresh token to get one with. */
function profileUsable(p: DooverProfile | undefined): boolean {
  return p !== undefined && (nonEmpty(p.TOKEN) !== undefined || nonEmpty(p.REFRESH_TOKEN) !== undefined);
}

export type { DooverProfile } from "./profile-file";
export { parseDooverConfig } from "./profile-file";
export { parseTokenExpires } from "./token-expiry";

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  return /^(1|true|yes|on)$/i.test(v.trim());
}

function nonEmpty(v: string | undefined | null): string | undefined {
  return v === undefined || v === null || v.trim() === "" ? undefined : v.trim();
}

export function defaultConfigPath(env: Record<string, string | undefined> = process.env): string {
  return path.join(nonEmpty(env.HOME) ?? os.homedir(), ".doover", "config");
}

export function resolveCredentials(opts: ClientOptions = {}): ResolvedCredentials {
  const env = opts.env ?? process.env;
  // An explicit `profile` option outranks the environment (like any other option);
  // env DOOVER_PROFILE only picks which profile the last step reads.
  const profileOption = nonEmpty(opts.profile) !== undefined;
  const profileName = nonEmpty(opts.profile) ?? nonEmpty(env.DOOVER_PROFILE) ?? "default";
  const profileExplicit = profileOption || nonEmpty(env.DOOVER_PROFILE) !== undefined;
  const configPath = nonEmpty(opts.configPath) ?? nonEmpty(env.DOOVER_CONFIG) ?? defaultConfigPath(env);

  let profile: DooverProfile | undefined;
  let profileProblem = "";
  // The file only matters when it may give the token or a profile was named: a given token and no
  // named profile (the provider's usual case, once per API call) reads nothing.
  if (!nonEmpty(opts.token) || profileExplicit) {
    try {
      profile = parseDooverConfig(fs.readFileSync(configPath, "utf8")).get(profileName);
      if (!profile) profileProblem = "no such profile";
      else if (!profileUsable(profile)) profileProblem = "profile has no TOKEN";
    } catch (e) {
      profileProblem = (e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "file unreadable";
    }
  }

  let token: string | undefined;
  let source = "";
  let fromProfile = false;
  // A profile with only a REFRESH_TOKEN gives its token by refreshing (pydoover does the same).
  const profileToken = profileUsable(profile) ? (nonEmpty(profile!.TOKEN) ?? "") : undefined;
  if (nonEmpty(opts.token)) {
    token = opts.token!.trim();
    source = nonEmpty(opts.tokenSource) ?? "options.token";
  } else if (profileOption && profileToken !== undefined) {
    token = profileToken;
    source = `profile "${profileName}" in ${configPath}`;
    fromProfile = true;
  } else if (nonEmpty(env.DOOVER_API_TOKEN)) {
    token = env.DOOVER_API_TOKEN!.trim();
    source = "env DOOVER_API_TOKEN";
  } else if (profileToken !== undefined) {
    token = profileToken;
    source = `profile "${profileName}" in ${configPath}`;
    fromProfile = true;
  }
  if (token === undefined) {
    const first = nonEmpty(opts.tokenSource) ?? "options.token";
    throw new CredentialsError(
      `No Doover API token found. Looked in: ${first} (not set); env DOOVER_API_TOKEN (not set); ` +
        `profile "${profileName}" in ${configPath} (${profileProblem}). ` +
        (opts.tokenSource
          ? `Set ${first}, set DOOVER_API_TOKEN, or run "doover login".`
          : 'Pass `token`, set DOOVER_API_TOKEN, or run "doover login".'),
    );
  }
  const primary = token;
  const fromOptions = nonEmpty(opts.token) !== undefined;
  // The profile's session: one per profile file and name in the process, shared by every client.
  const sessionFor = (p: DooverProfile, staging: boolean): ProfileSession =>
    profileSession({
      configPath,
      profileName,
      profile: p,
      staging: staging || (nonEmpty(p.BASE_URL)?.includes(".staging.") ?? false),
      loginConfigPath: defaultConfigPath(env),
      ...(opts.fetch ? { transport: fetchTransport(opts.fetch) } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    });
  const fallbacks = (): FallbackCredential[] => {
    if (fromProfile) return [];
    const out: FallbackCredential[] = [];
    const envToken = nonEmpty(env.DOOVER_API_TOKEN);
    if (fromOptions && envToken && envToken !== primary) out.push({ token: envToken, source: "env DOOVER_API_TOKEN" });
    try {
      const p = parseDooverConfig(fs.readFileSync(configPath, "utf8")).get(profileName);
      const t = p ? nonEmpty(p.TOKEN) : undefined;
      if (profileUsable(p) && t !== primary && (t === undefined || t !== envToken)) {
        const session = sessionFor(p!, result.isStaging);
        out.push({ token: t ?? "", source: session.source, provider: session });
      }
    } catch {
      // no profile file: nothing more to try
    }
    return out;
  };

  // Profile values apply when the token came from it or a profile was asked for by name.
  const useProfile = profile !== undefined && (fromProfile || profileExplicit);
  // ...and values of a profile named by option outrank env too.
  const profileFirst = useProfile && profileOption;
  const profileUrl = useProfile ? nonEmpty(profile!.BASE_URL) : undefined;
  const profileOrg = useProfile ? nonEmpty(profile!.ORGANISATION_ID) : undefined;
  const envUrl = nonEmpty(env.DOOVER_CONTROL_API_BASE_URL);
  const envStaging = truthy(env.DOOVER_STAGING);
  const stagingWanted = opts.staging ?? envStaging;
  const configuredUrl = profileFirst ? (profileUrl ?? envUrl) : (envUrl ?? profileUrl);
  const urlFromProfile = profileUrl !== undefined && (profileFirst || envUrl === undefined);
  const configuredSource = urlFromProfile
    ? `BASE_URL of profile "${profileName}" in ${configPath}`
    : "env DOOVER_CONTROL_API_BASE_URL";
  let baseUrl: string;
  let baseUrlSource: string;
  if (nonEmpty(opts.baseUrl)) {
    baseUrl = opts.baseUrl!.trim();
    baseUrlSource = nonEmpty(opts.baseUrlSource) ?? "options.baseUrl";
  } else if (stagingWanted === true) {
    const configured = configuredUrl?.includes(".staging.") === true;
    baseUrl = configured ? configuredUrl! : STAGING_API_URL;
    baseUrlSource = configured ? configuredSource : "the staging default (staging is on)";
  } else {
    baseUrl = configuredUrl ?? PRODUCTION_API_URL;
    baseUrlSource = configuredUrl === undefined ? "the default (production) API URL" : configuredSource;
  }
  baseUrl = baseUrl.replace(/\/+$/, "");

  const organisationId =
    nonEmpty(opts.organisationId) ??
    (profileFirst
      ? (profileOrg ?? nonEmpty(env.DOOVER_ORGANISATION_ID))
      : (nonEmpty(env.DOOVER_ORGANISATION_ID) ?? profileOrg));

  const result: ResolvedCredentials = {
    baseUrl,
    token,
    isStaging: stagingWanted ?? baseUrl.includes(".staging."),
    source,
    baseUrlSource,
    fallbacks,
    refreshable: false,
  };
  if (organisationId !== undefined) result.organisationId = organisationId;
  if (fromProfile) {
    const session = sessionFor(profile!, result.isStaging);
    result.tokenProvider = session;
    result.refreshable = session.refreshable;
    const expiresAt = session.expiresAt;
    if (expiresAt) {
      result.expiresAt = expiresAt;
      result.expired = expiresAt.getTime() <= Date.now();
    }
  }
  return result;
}
