// The token of a `doover login` profile, refreshed the way pydoover and doover-cli do it (pydoover/api/auth/
// _base.py, _doover2_sync.py; doover_cli/api/auth.py): before a request when the token is missing or due
// (token-expiry.ts), and once after a 401, with `POST {AUTH_SERVER_URL}/oauth2/token` and the grant in the
// query string; the answer's access token, its expiry and a rotated refresh token are written back to the
// profile as doover-cli writes them (profile-file.ts).
//
// One session per profile file and profile name in the process (all clients share it), so one refresh runs
// at a time and every call waiting for a token waits for that one. Between processes (concurrent stacks) a
// lock file orders the refreshes; under it the profile is read again, and a token another process already
// refreshed is taken instead of spending a refresh token that may have been rotated away.

import * as fs from "node:fs";
import * as path from "node:path";
import { TokenRefreshError } from "./errors";
import { type FileLockOptions, LockTimeout, withFileLock } from "./file-lock";
import { nodeTransport, type Transport } from "./http-transport";
import { type DooverProfile, parseDooverConfig, profileLockPath, writeProfileValues } from "./profile-file";
import { formatTokenExpires, jwtExpiryMs, jwtIssuedAtMs, parseTokenExpires, tokenNeedsRefresh } from "./token-expiry";
import type { TokenProvider } from "./token-provider";
import { VERSION } from "./version";

/** pydoover's `DEFAULT_AUTH_SERVER_URL`, for a profile without AUTH_SERVER_URL. */
export const PRODUCTION_AUTH_SERVER_URL = "https://auth.doover.com";
/** The auth server `doover login --staging` signs in with. */
export const STAGING_AUTH_SERVER_URL = "https://auth.staging.udoover.com";
/** doover-cli's `DEFAULT_AUTH_CLIENT_ID` (the client `doover login` gets its tokens for). */
export const DEFAULT_AUTH_CLIENT_ID = "08a9ae8c-0668-428b-a691-f7eaa526aca0";

/** How long one refresh keeps retrying an auth server that does not answer (or answers 429/5xx). */
export const DEFAULT_REFRESH_BUDGET_MS = 20_000;

export interface ProfileSessionOptions {
  configPath: string;
  profileName: string;
  /** the profile's values as just read from the file */
  profile: DooverProfile;
  /** the profile is for the staging API: without AUTH_SERVER_URL, staging's auth server is used */
  staging: boolean;
  /** the file `doover login` writes (~/.doover/config); named in the advice when the profile is elsewhere */
  loginConfigPath?: string;
  transport?: Transport;
  logger?: (line: string) => void;
  userAgent?: string;
  now?: () => number;
  /** waits between attempts at the auth server (the lock polls with real time) */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** how long a refresh retries an auth server that does not answer or answers 429/5xx (default 20 s) */
  refreshBudgetMs?: number;
  /** per attempt (default 10 s) */
  attemptTimeoutMs?: number;
  lock?: Omit<FileLockOptions, "onWait" | "sleep">;
}

/** What the session knows of the profile's tokens. */
interface Held {
  token?: string;
  expiresAtMs?: number;
  lifetimeMs?: number;
  refreshToken?: string;
  refreshTokenId?: string;
  authServerUrl: string;
  clientId: string;
}

interface Failure {
  /** the full message: thrown once, to the first call that meets it (see report) */
  error: TokenRefreshError;
  /** no more attempts in this process (a revoked refresh token, or nothing usable left) */
  sticky: boolean;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function heldFrom(p: DooverProfile, staging: boolean): Held {
  const token = nonEmpty(p.TOKEN);
  const expiresAtMs = parseTokenExpires(p.TOKEN_EXPIRES)?.getTime() ?? jwtExpiryMs(token);
  const iat = jwtIssuedAtMs(token);
  const held: Held = {
    authServerUrl: (
      nonEmpty(p.AUTH_SERVER_URL) ?? (staging ? STAGING_AUTH_SERVER_URL : PRODUCTION_AUTH_SERVER_URL)
    ).replace(/\/+$/, ""),
    clientId: nonEmpty(p.AUTH_SERVER_CLIENT_ID) ?? DEFAULT_AUTH_CLIENT_ID,
  };
  if (token !== undefined) held.token = token;
  if (expiresAtMs !== undefined) held.expiresAtMs = expiresAtMs;
  if (expiresAtMs !== undefined && iat !== undefined && expiresAtMs > iat) held.lifetimeMs = expiresAtMs - iat;
  const refresh = nonEmpty(p.REFRESH_TOKEN);
  if (refresh !== undefined) held.refreshToken = refresh;
  const refreshId = nonEmpty(p.REFRESH_TOKEN_ID);
  if (refreshId !== undefined) held.refreshTokenId = refreshId;
  return held;
}

/** The auth server's answer to a refresh grant. */
interface Grant {
  access_token: string;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_id?: unknown;
}

/** What went wrong in a refresh error, without the advice (for the warning when the old token still works). */
const DETAILS = new WeakMap<TokenRefreshError, string>();
/** Full errors already thrown once. */
const REPORTED = new WeakSet<TokenRefreshError>();

const PERMISSION = new Set(["EACCES", "EPERM", "EROFS", "ENOENT", "ENOTDIR"]);

export class ProfileSession implements TokenProvider {
  readonly id: string;
  readonly source: string;
  readonly configPath: string;
  readonly profileName: string;
  private held!: Held;
  /** TOKEN and REFRESH_TOKEN as the file held them when last read or written here */
  private seen!: { token?: string; refresh?: string };
  /** tokens this process got from the auth server */
  private readonly refreshed = new Set<string>();
  private inflight?: Promise<void>;
  private failure?: Failure;
  private readonly warned = new Set<string>();
  private readonly staging: boolean;
  private readonly loginConfigPath?: string;
  private transport: Transport;
  private logger: (line: string) => void;
  private readonly userAgent: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly budgetMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly lockOptions: Omit<FileLockOptions, "onWait" | "sleep">;

  constructor(o: ProfileSessionOptions) {
    this.configPath = o.configPath;
    this.profileName = o.profileName;
    this.id = `profile:${path.resolve(o.configPath)}#${o.profileName}`;
    this.source = `profile "${o.profileName}" in ${o.configPath}`;
    this.staging = o.staging;
    if (o.loginConfigPath !== undefined) this.loginConfigPath = o.loginConfigPath;
    this.transport = o.transport ?? nodeTransport;
    this.logger = o.logger ?? ((line) => console.error(line));
    this.userAgent = o.userAgent ?? `pulumi-doover/${VERSION}`;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
    this.budgetMs = o.refreshBudgetMs ?? DEFAULT_REFRESH_BUDGET_MS;
    this.attemptTimeoutMs = o.attemptTimeoutMs ?? 10_000;
    this.lockOptions = o.lock ?? {};
    this.adopt(o.profile);
    // Keep tokens off enumerable state so util.inspect/JSON of the session never shows them.
    for (const k of ["held", "seen", "refreshed", "inflight"]) Object.defineProperty(this, k, { enumerable: false });
  }

  /** The profile has a refresh token (a profile without one works until its token expires). */
  get refreshable(): boolean {
    return this.held.refreshToken !== undefined;
  }

  /** When the current token expires, if known. */
  get expiresAt(): Date | undefined {
    return this.held.expiresAtMs === undefined ? undefined : new Date(this.held.expiresAtMs);
  }

  /** The auth server a refresh goes to. */
  get authServerUrl(): string {
    return this.held.authServerUrl;
  }

  /**
   * A client read the profile again (a new client in this process): take its values when the file changed
   * since this session last read or wrote it (`doover login`, or another process refreshed), and its logger and
   * transport for what follows.
   */
  observe(profile: DooverProfile, o: { transport?: Transport; logger?: (line: string) => void } = {}): void {
    if (o.transport) this.transport = o.transport;
    if (o.logger) this.logger = o.logger;
    if (this.changed(profile)) {
      this.adopt(profile);
      delete this.failure;
    }
  }

  async token(): Promise<string> {
    if (!this.due()) return this.held.token!;
    if (this.failure) {
      this.readFileIfChanged(); // news in the file (doover login, another process) clear the failure
      if (!this.due()) return this.held.token!;
    }
    if (!this.refreshable) {
      // The server decides; a 401 then says why this token was not refreshed (rejectionNote).
      if (this.held.token !== undefined) return this.held.token;
      throw new TokenRefreshError(`${this.source} has no TOKEN and no REFRESH_TOKEN: ${this.advice()}`);
    }
    if (this.failure) {
      if (this.usable()) return this.held.token!;
      if (this.failure.sticky) throw this.report(this.failure.error);
      delete this.failure; // it failed while the token still worked: one more try now that it does not
    }
    try {
      await this.refreshShared();
    } catch (e) {
      if (!TokenRefreshError.isInstance(e)) throw e;
      if (this.usable()) {
        this.warnOnce(
          "usable",
          `doover: the token of ${this.source} could not be refreshed yet: ${DETAILS.get(e as TokenRefreshError)}; ` +
            `its current token works until ${new Date(this.held.expiresAtMs!).toISOString()} and is used until then`,
        );
        return this.held.token!;
      }
      throw this.report(e as TokenRefreshError);
    }
    return this.held.token!;
  }

  async unauthorized(rejected: string): Promise<string | undefined> {
    if (this.held.token !== undefined && this.held.token !== rejected) return this.held.token;
    if (this.failure) {
      this.readFileIfChanged();
      if (this.held.token !== undefined && this.held.token !== rejected) return this.held.token;
    }
    if (!this.refreshable) return undefined;
    if (this.failure) throw this.report(this.failure.error);
    try {
      await this.refreshShared(rejected);
    } catch (e) {
      if (!TokenRefreshError.isInstance(e)) throw e;
      throw this.report(e as TokenRefreshError);
    }
    return this.held.token !== rejected ? this.held.token : undefined;
  }

  rejectionNote(rejected: string): string | undefined {
    if (!this.refreshable) {
      const exp = this.held.expiresAtMs;
      const when =
        exp !== undefined && exp <= this.now() ? `expired at ${new Date(exp).toISOString()}` : "was rejected";
      return `the token of ${this.source} ${when} and the profile has no REFRESH_TOKEN to refresh it with: ${this.advice()}`;
    }
    if (this.refreshed.has(rejected))
      return (
        `the token of ${this.source} was refreshed and the new one was rejected too (check the API URL and the ` +
        `organisation; if they are right): ${this.advice()}`
      );
    return undefined;
  }

  // ---- refreshing

  private due(): boolean {
    return tokenNeedsRefresh(this.held.token, this.held.expiresAtMs, {
      now: this.now(),
      lifetimeMs: this.held.lifetimeMs,
    });
  }

  /** The current token has not expired yet (it was only due, within the buffer). */
  private usable(): boolean {
    return this.held.token !== undefined && this.held.expiresAtMs !== undefined && this.now() < this.held.expiresAtMs;
  }

  /** One refresh at a time in this process: every caller that finds the token due waits for the same one. */
  private refreshShared(rejected?: string): Promise<void> {
    this.inflight ??= this.refreshLocked(rejected).finally(() => {
      delete this.inflight;
    });
    return this.inflight;
  }

  private async refreshLocked(rejected?: string): Promise<void> {
    const why = rejected !== undefined ? "was rejected (401)" : this.dueReason();
    const run = async () => {
      // Another process (or `doover login`) may have written a new token while this one waited for the lock.
      if (this.readFileIfChanged() && !this.due() && this.held.token !== rejected) return;
      if (!this.refreshable)
        throw new TokenRefreshError(`${this.source} has no REFRESH_TOKEN any more: ${this.advice()}`);
      const grant = await this.grant(why);
      this.apply(grant);
    };
    let entered = false;
    try {
      await withFileLock(
        profileLockPath(this.configPath),
        async () => {
          entered = true;
          await run();
        },
        {
          ...this.lockOptions,
          onWait: (holder, maxWaitMs) =>
            this.logger(
              `doover: waiting for another process${holder ? ` (pid ${holder.pid})` : ""} to finish refreshing the ` +
                `token of ${this.source} (lock file ${profileLockPath(this.configPath)}); waiting up to ` +
                `${Math.round(maxWaitMs / 1000)} s`,
            ),
        },
      );
    } catch (e) {
      let error = e;
      const code = (e as NodeJS.ErrnoException).code;
      if (!entered && typeof code === "string" && PERMISSION.has(code)) {
        // No lock file can be made next to the profile (read-only directory): refresh without it.
        this.warnOnce(
          "lock",
          `doover: cannot create a lock file next to ${this.configPath} (${code}); refreshing without it`,
        );
        try {
          await run();
          return;
        } catch (inner) {
          error = inner;
        }
      }
      if (error instanceof LockTimeout) {
        error = new TokenRefreshError(
          `the token of ${this.source} ${why} and could not be refreshed: ${error.message}. If no other pulumi or ` +
            `doover command is running, delete ${error.lockPath} and run this command again`,
        );
      }
      if (TokenRefreshError.isInstance(error)) {
        const sticky = rejected !== undefined || !this.usable() || (error as TokenRefreshError).authStatus !== 0;
        this.failure = { error: error as TokenRefreshError, sticky };
      }
      throw error;
    }
  }

  private dueReason(): string {
    if (this.held.token === undefined) return "is missing";
    const at = new Date(this.held.expiresAtMs!).toISOString();
    return this.now() >= this.held.expiresAtMs! ? `expired at ${at}` : `expires at ${at}`;
  }

  /** POSTs the refresh grant, retrying what may pass (no answer, 429, 5xx) within the refresh budget. */
  private async grant(why: string): Promise<Grant> {
    const held = this.held;
    const url = new URL(`${held.authServerUrl}/oauth2/token`);
    url.searchParams.set("grant_type", "refresh_token");
    if (held.token !== undefined) url.searchParams.set("access_token", held.token);
    url.searchParams.set("refresh_token", held.refreshToken!);
    url.searchParams.set("client_id", held.clientId);
    const endpoint = `POST ${held.authServerUrl}/oauth2/token`;
    const started = this.now();
    let said = false;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      let status = 0;
      try {
        const res = await this.transport({
          url,
          method: "POST",
          headers: { Accept: "application/json", "User-Agent": this.userAgent },
          timeoutMs: this.attemptTimeoutMs,
        });
        status = res.status;
        const answer = `${res.status} ${this.clip(res.text)}`.trim();
        if (res.status >= 200 && res.status < 300) {
          const data = safeJson(res.text) as Partial<Grant> | undefined;
          if (typeof data?.access_token === "string" && data.access_token !== "") return data as Grant;
          throw this.refreshError(
            why,
            `the auth server (${endpoint}) answered ${answer}, without an access_token`,
            status,
          );
        }
        problem = `answered ${answer}`;
        if (res.status !== 429 && res.status < 500)
          throw this.refreshError(why, `the auth server (${endpoint}) ${problem}`, status);
      } catch (e) {
        if (TokenRefreshError.isInstance(e)) throw e;
        const timedOut = (e as Error)?.name === "TimeoutError" || (e as Error)?.name === "AbortError";
        problem = timedOut
          ? `did not answer within ${this.attemptTimeoutMs / 1000} s`
          : `could not be reached (${this.redact(causeText(e))})`;
        status = 0;
      }
      const wait = Math.round(this.random() * Math.min(4000, 250 * 2 ** (attempt - 1)));
      const elapsed = this.now() - started;
      if (elapsed + wait > this.budgetMs) {
        throw this.refreshError(
          why,
          `the auth server (${endpoint}) ${problem} (tried ${attempt} time${attempt === 1 ? "" : "s"} over ` +
            `${Math.round(elapsed / 1000)} s)`,
          status,
          true,
        );
      }
      if (!said) {
        said = true;
        this.logger(
          `doover: refreshing the token of ${this.source}: the auth server (${endpoint}) ${problem}; retrying for ` +
            `up to ${Math.round(this.budgetMs / 1000)} s`,
        );
      }
      await this.sleep(wait);
    }
  }

  private refreshError(why: string, what: string, status: number, passing = false): TokenRefreshError {
    const e = new TokenRefreshError(
      `the token of ${this.source} ${why} and could not be refreshed: ${what}. ` +
        `${passing ? "Check that the auth server can be reached, or run" : "Run"} \`${this.loginCommand()}\` to sign ` +
        `in again${this.elsewhere()}, then run this command again`,
      // 0 marks a failure that may pass (no answer, 429, 5xx): see refreshLocked
      { authStatus: passing ? 0 : status },
    );
    DETAILS.set(e, what);
    return e;
  }

  /** Takes the grant and writes it back to the profile (doover-cli's `persist_profile`). */
  private apply(g: Grant): void {
    const now = this.now();
    const token = g.access_token;
    const expiresIn = typeof g.expires_in === "number" || typeof g.expires_in === "string" ? Number(g.expires_in) : NaN;
    const fromExpiresIn = Number.isFinite(expiresIn) ? Math.floor(now / 1000) * 1000 + expiresIn * 1000 : undefined;
    // pydoover: the JWT's exp, else now + expires_in.
    const expiresAtMs = jwtExpiryMs(token) ?? fromExpiresIn;
    const iat = jwtIssuedAtMs(token);
    const held: Held = { ...this.held, token };
    delete held.expiresAtMs;
    delete held.lifetimeMs;
    if (expiresAtMs !== undefined) {
      held.expiresAtMs = expiresAtMs;
      const lifetime =
        iat !== undefined ? expiresAtMs - iat : Number.isFinite(expiresIn) ? expiresIn * 1000 : undefined;
      if (lifetime !== undefined && lifetime > 0) held.lifetimeMs = lifetime;
    }
    const rotated =
      typeof g.refresh_token === "string" && g.refresh_token !== "" && g.refresh_token !== held.refreshToken;
    if (rotated) {
      held.refreshToken = g.refresh_token as string;
      if (typeof g.refresh_token_id === "string" && g.refresh_token_id !== "") held.refreshTokenId = g.refresh_token_id;
    }
    this.held = held;
    this.refreshed.add(token);
    delete this.failure;

    const values: Record<string, string> = { TOKEN: token, TOKEN_EXPIRES: formatTokenExpires(held.expiresAtMs) };
    if (rotated) {
      values.REFRESH_TOKEN = held.refreshToken!;
      if (held.refreshTokenId !== undefined) values.REFRESH_TOKEN_ID = held.refreshTokenId;
    }
    const lost = rotated
      ? "; the auth server rotated the refresh token, so the profile's REFRESH_TOKEN no longer works: run " +
        `\`${this.loginCommand()}\` after this command`
      : "";
    try {
      if (writeProfileValues(this.configPath, this.profileName, values)) {
        this.seen = { token, refresh: held.refreshToken };
      } else {
        this.warnOnce(
          "gone",
          `doover: ${this.source} is gone; the refreshed token is used by this command only${lost}`,
        );
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      this.warnOnce(
        "write",
        `doover: could not write the refreshed token back to ${this.configPath} (${code}); it is used by this ` +
          `command only${lost}`,
      );
    }
  }

  // ---- the profile file

  private adopt(p: DooverProfile): void {
    this.held = heldFrom(p, this.staging);
    this.seen = { token: nonEmpty(p.TOKEN), refresh: nonEmpty(p.REFRESH_TOKEN) };
  }

  private changed(p: DooverProfile): boolean {
    return nonEmpty(p.TOKEN) !== this.seen.token || nonEmpty(p.REFRESH_TOKEN) !== this.seen.refresh;
  }

  /** Reads the profile; takes it when it changed since last seen here. True when it did. */
  private readFileIfChanged(): boolean {
    let p: DooverProfile | undefined;
    try {
      p = parseDooverConfig(fs.readFileSync(this.configPath, "utf8")).get(this.profileName);
    } catch {
      return false;
    }
    if (!p || !this.changed(p)) return false;
    this.adopt(p);
    delete this.failure;
    return true;
  }

  // ---- messages

  /** The full error to the first caller that meets it, a short one to every later caller. */
  private report(error: TokenRefreshError): TokenRefreshError {
    if (!REPORTED.has(error)) {
      REPORTED.add(error);
      return error;
    }
    return new TokenRefreshError(
      `the token of ${this.source} could not be refreshed (the first error of this kind says what the auth ` +
        `server answered): ${this.advice()}`,
      error.authStatus === undefined ? {} : { authStatus: error.authStatus },
    );
  }

  private advice(): string {
    return `run \`${this.loginCommand()}\` to sign in again${this.elsewhere()}, then run this command again`;
  }

  /** The doover-cli command that writes this profile again. */
  private loginCommand(): string {
    const args = ["doover", "login"];
    if (this.staging) args.push("--staging");
    if (this.profileName !== (this.staging ? "staging" : "default")) args.push("--profile", this.profileName);
    return args.join(" ");
  }

  private elsewhere(): string {
    const login = this.loginConfigPath;
    if (login === undefined || path.resolve(login) === path.resolve(this.configPath)) return "";
    return ` (it writes ${login}; this profile is read from ${this.configPath})`;
  }

  private warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger(this.redact(line));
  }

  private clip(text: string): string {
    const flat = this.redact(text).replace(/\s+/g, " ").trim();
    return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
  }

  private redact(text: string): string {
    let out = text;
    for (const t of [this.held.token, this.held.refreshToken, ...this.refreshed]) if (t) out = out.split(t).join("***");
    return out;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as Error | undefined;
  return cause?.message ?? e.message;
}

// One session per profile file and name in the process, across copies of this module (shim and program).
const SESSIONS = Symbol.for("pulumi-doover.profile-sessions.v1");
function sessions(): Map<string, ProfileSession> {
  const g = globalThis as unknown as Record<symbol, Map<string, ProfileSession> | undefined>;
  return (g[SESSIONS] ??= new Map());
}

/** The process's session for this profile (made on first use; later callers' reads are observed). */
export function profileSession(o: ProfileSessionOptions): ProfileSession {
  const key = `${path.resolve(o.configPath)}\n${o.profileName}`;
  const known = sessions().get(key);
  if (known) {
    known.observe(o.profile, o);
    return known;
  }
  const made = new ProfileSession(o);
  sessions().set(key, made);
  return made;
}

/** Forgets every profile session of this process (tests). */
export function forgetProfileSessions(): void {
  sessions().clear();
}
