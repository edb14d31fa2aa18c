// Provider settings from stack config (`configure()`), kept only in this module's memory: they never
// reach the serialized provider, resource inputs, outputs or state. Methods build the sdk Client from
// them; absent values fall back to env / ~/.doover/config inside the sdk.

import { Client, type ClientOptions, CredentialsError } from "../sdk";
import { DooverProviderError } from "./errors";
import { providerLogger } from "./progress";

/** The stack config keys read by `configure()` (namespace `doover`). */
export interface ProviderSettings {
  token?: string;
  apiUrl?: string;
  organisationId?: string;
  profile?: string;
  staging?: boolean;
  stagingToken?: string;
  stagingApiUrl?: string;
  stagingOrganisationId?: string;
  /** per-attempt timeout (env DOOVER_REQUEST_TIMEOUT_SECONDS), default 30 */
  requestTimeoutSeconds?: number;
  /** how long one API call keeps retrying after its first failure (env DOOVER_RETRY_BUDGET_SECONDS), default 180 */
  retryBudgetSeconds?: number;
  /** fixed cap on API requests per second for the whole deployment (env DOOVER_MAX_REQUESTS_PER_SECOND) */
  maxRequestsPerSecond?: number;
  /** every create adopts an existing object of the same name (env DOOVER_ADOPT_EXISTING): crash recovery */
  adoptExisting?: boolean;
}

/** The shape of `ConfigureRequest` the Pulumi host passes (only `config.get` is used). */
export interface ConfigureRequest {
  config: { get(key: string): unknown };
}

// Plain object only: this module is loaded at run time, never serialized, but stays simple anyway.
const state: {
  settings?: ProviderSettings;
  /**
   * The target (and its one Client) per variant (staging overlay or not), for every operation until the next
   * `configure` or `environmentChanged`: a `pulumi refresh` of 200 resources reads through one client instead
   * of building (and resolving credentials for) 200. A token that answers after a 401 stays with the client.
   */
  targets: Map<boolean, { settings?: ProviderSettings; target: Target }>;
} = { targets: new Map() };

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === "" ? undefined : s;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = str(v);
  return s === undefined ? undefined : /^(1|true|yes|on)$/i.test(s);
}

function positive(key: string, v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) {
    throw new DooverProviderError(`${key} must be a positive number of seconds or requests, not "${s}"`);
  }
  return n;
}

/** Stores the settings from stack config; the host calls it once per provider with all stack config. */
export function configure(req: ConfigureRequest): void {
  const before = JSON.stringify(state.settings ?? null);
  state.settings = readSettings(req);
  // The host configures each resource kind's provider (same settings); only new settings are news.
  if (JSON.stringify(state.settings) !== before) tokenErrorsSaid.clear();
  environmentChanged();
}

/** The `doover:*` stack config keys of `req` as settings (the same rules for the provider and the lookups). */
export function readSettings(req: ConfigureRequest): ProviderSettings {
  const get = (k: string) => req.config.get(`doover:${k}`);
  const num = (k: string) => positive(`doover:${k}`, get(k));
  return {
    token: str(get("token")),
    apiUrl: str(get("apiUrl")),
    organisationId: str(get("organisationId")),
    profile: str(get("profile")),
    staging: bool(get("staging")),
    stagingToken: str(get("stagingToken")),
    stagingApiUrl: str(get("stagingApiUrl")),
    stagingOrganisationId: str(get("stagingOrganisationId")),
    requestTimeoutSeconds: num("requestTimeoutSeconds"),
    retryBudgetSeconds: num("retryBudgetSeconds"),
    maxRequestsPerSecond: num("maxRequestsPerSecond"),
    adoptExisting: bool(get("adoptExisting")),
  };
}

/**
 * Forgets the clients built from the environment: the provider reads DOOVER_* variables (and HOME) when it
 * builds a client, once per settings, and not again on every operation (in the provider host a variable costs
 * ~6 µs to read, 12 per operation). The host's environment never changes; call this after changing
 * `process.env` in a process that embeds the runtime (tests do).
 */
export function environmentChanged(): void {
  state.targets.clear();
}

/** Stack config first, then the environment variable (names say both in errors). */
export interface RequestSettings {
  timeoutMs?: number;
  retryBudgetMs?: number;
  maxRequestsPerSecond?: number;
  adoptExisting: boolean;
}

/** The request-layer settings and the recovery switch: stack config, then env. */
export function requestSettings(
  env: Record<string, string | undefined> = process.env,
  settings: ProviderSettings | undefined = state.settings,
): RequestSettings {
  const s = settings ?? {};
  const timeout =
    s.requestTimeoutSeconds ?? positive("DOOVER_REQUEST_TIMEOUT_SECONDS", env.DOOVER_REQUEST_TIMEOUT_SECONDS);
  const budget = s.retryBudgetSeconds ?? positive("DOOVER_RETRY_BUDGET_SECONDS", env.DOOVER_RETRY_BUDGET_SECONDS);
  const rate = s.maxRequestsPerSecond ?? positive("DOOVER_MAX_REQUESTS_PER_SECOND", env.DOOVER_MAX_REQUESTS_PER_SECOND);
  const out: RequestSettings = { adoptExisting: s.adoptExisting ?? bool(env.DOOVER_ADOPT_EXISTING) ?? false };
  if (timeout !== undefined) out.timeoutMs = Math.round(timeout * 1000);
  if (budget !== undefined) out.retryBudgetMs = Math.round(budget * 1000);
  if (rate !== undefined) out.maxRequestsPerSecond = rate;
  return out;
}

/** Forgets the stored settings (tests). */
export function resetConfiguration(): void {
  delete state.settings;
  tokenErrorsSaid.clear();
  environmentChanged();
}

/** Variants (staging overlay or not) whose missing token this process has explained once already. */
const tokenErrorsSaid = new Set<boolean>();

/**
 * A missing token fails every operation that needs the API. The first says where it looked and how to set one;
 * the others (every other resource of the same `up`) only point at it, so the output has one explanation.
 */
function missingTokenError(variant: boolean, cause: Error): DooverProviderError {
  const key = variant ? "doover:stagingToken" : "doover:token";
  if (tokenErrorsSaid.has(variant)) {
    return new DooverProviderError(
      `no Doover API token (stack config ${key} is not set): see the first "no Doover API token" error, which ` +
        "says where the provider looked and how to set one",
      { cause },
    );
  }
  tokenErrorsSaid.add(variant);
  const looked = /Looked in: .*?\)\.(?= |$)/.exec(cause.message)?.[0] ?? cause.message;
  return new DooverProviderError(
    `no Doover API token. Set one for this stack with \`pulumi config set --secret ${key} <token>\`` +
      (variant ? " (it falls back to doover:token)" : "") +
      ", or export DOOVER_API_TOKEN=<token> before running pulumi, or log in with doover-cli (`doover login`) so " +
      "~/.doover/config has a profile (choose one with `pulumi config set doover:profile <name>`). " +
      looked,
    { cause },
  );
}

/** Where one resource's calls go. */
export interface Target {
  client: Client;
  /** the staging overlay (`stagingConfig`) applies */
  staging: boolean;
  /** organisation to create in when the resource declares none */
  defaultOrganisationId?: string;
  /** the stack config key that sets that organisation (`doover:stagingOrganisationId` for a staging variant) */
  organisationKey: string;
  /** `doover:adoptExisting` / DOOVER_ADOPT_EXISTING: creates adopt an existing object of the same name */
  adoptExisting: boolean;
}

/**
 * The client for a resource: the stack's API, or, for `staging: true` in a non-staging stack, the staging
 * API with `doover:stagingToken` (falling back to the main token) and `doover:stagingApiUrl`.
 */
export function targetFor(resourceStaging: boolean | undefined, env?: Record<string, string | undefined>): Target {
  const variant = resourceStaging === true && state.settings?.staging !== true;
  if (env) return buildTarget(variant, env); // an explicit env (tests) builds its own client
  // Every operation asks; the answer changes only with the settings (or see environmentChanged).
  const last = state.targets.get(variant);
  if (last && last.settings === state.settings) return last.target;
  const target = buildTarget(variant);
  state.targets.set(variant, { settings: state.settings, target });
  return target;
}

/**
 * The target for settings read elsewhere than `configure` (the lookup functions read them from the program's
 * `new pulumi.Config("doover")`): the same resolution as a resource's, without touching the provider's state.
 */
export function targetForSettings(
  settings: ProviderSettings,
  resourceStaging: boolean | undefined,
  env?: Record<string, string | undefined>,
): Target {
  return buildTarget(resourceStaging === true && settings.staging !== true, env, settings);
}

function buildTarget(
  variant: boolean,
  env?: Record<string, string | undefined>,
  settings: ProviderSettings | undefined = state.settings,
): Target {
  const s = settings ?? {};
  const request = requestSettings(env ?? process.env, settings);
  const tokenKey = variant && s.stagingToken !== undefined ? "doover:stagingToken" : "doover:token";
  const opts: ClientOptions = variant
    ? {
        token: s.stagingToken ?? s.token,
        baseUrl: s.stagingApiUrl,
        organisationId: s.stagingOrganisationId,
        profile: s.profile,
        staging: true,
      }
    : { token: s.token, baseUrl: s.apiUrl, organisationId: s.organisationId, profile: s.profile, staging: s.staging };
  opts.timeoutMs = request.timeoutMs;
  opts.retryBudgetMs = request.retryBudgetMs;
  opts.maxRequestsPerSecond = request.maxRequestsPerSecond;
  opts.tokenSource = `stack config ${tokenKey}`;
  const urlKey = variant && s.stagingApiUrl !== undefined ? "doover:stagingApiUrl" : "doover:apiUrl";
  opts.baseUrlSource = `stack config ${urlKey}`;
  opts.logger = providerLogger; // retries: a status line every few seconds (progress.ts)
  opts.settingNames = {
    timeout: "doover:requestTimeoutSeconds (env DOOVER_REQUEST_TIMEOUT_SECONDS)",
    retryBudget: "doover:retryBudgetSeconds (env DOOVER_RETRY_BUDGET_SECONDS)",
  };
  for (const k of Object.keys(opts) as (keyof ClientOptions)[]) if (opts[k] === undefined) delete opts[k];
  let client: Client;
  try {
    client = new Client(env ? { ...opts, env } : opts);
  } catch (e) {
    if (!CredentialsError.isInstance(e)) throw e;
    throw missingTokenError(variant, e as Error);
  }
  return {
    client,
    staging: variant || client.isStaging,
    defaultOrganisationId: client.organisationId,
    organisationKey: variant ? "doover:stagingOrganisationId" : "doover:organisationId",
    adoptExisting: request.adoptExisting,
  };
}
