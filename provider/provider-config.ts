// Provider settings from stack config (`configure()`), kept only in this module's memory: they never
// reach the serialized provider, resource inputs, outputs or state. Methods build the sdk Client from
// them; absent values fall back to env / ~/.doover/config inside the sdk.

import { Client, type ClientOptions } from "../sdk";

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
}

/** The shape of `ConfigureRequest` the Pulumi host passes (only `config.get` is used). */
export interface ConfigureRequest {
  config: { get(key: string): unknown };
}

// Plain object only: this module is loaded at run time, never serialized, but stays simple anyway.
const state: { settings?: ProviderSettings } = {};

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

/** Stores the settings from stack config; the host calls it once per provider with all stack config. */
export function configure(req: ConfigureRequest): void {
  const get = (k: string) => req.config.get(`doover:${k}`);
  state.settings = {
    token: str(get("token")),
    apiUrl: str(get("apiUrl")),
    organisationId: str(get("organisationId")),
    profile: str(get("profile")),
    staging: bool(get("staging")),
    stagingToken: str(get("stagingToken")),
    stagingApiUrl: str(get("stagingApiUrl")),
    stagingOrganisationId: str(get("stagingOrganisationId")),
  };
}

/** Forgets the stored settings (tests). */
export function resetConfiguration(): void {
  delete state.settings;
}

/** Where one resource's calls go. */
export interface Target {
  client: Client;
  /** the staging overlay (`stagingConfig`) applies */
  staging: boolean;
  /** organisation to create in when the resource declares none */
  defaultOrganisationId?: string;
}

/**
 * The client for a resource: the stack's API, or, for `staging: true` in a non-staging stack, the staging
 * API with `doover:stagingToken` (falling back to the main token) and `doover:stagingApiUrl`.
 */
export function targetFor(resourceStaging: boolean | undefined, env?: Record<string, string | undefined>): Target {
  const s = state.settings ?? {};
  const variant = resourceStaging === true && s.staging !== true;
  const opts: ClientOptions = variant
    ? {
        token: s.stagingToken ?? s.token,
        baseUrl: s.stagingApiUrl,
        organisationId: s.stagingOrganisationId,
        profile: s.profile,
        staging: true,
      }
    : { token: s.token, baseUrl: s.apiUrl, organisationId: s.organisationId, profile: s.profile, staging: s.staging };
  for (const k of Object.keys(opts) as (keyof ClientOptions)[]) if (opts[k] === undefined) delete opts[k];
  if (env) opts.env = env;
  const client = new Client(opts);
  return { client, staging: variant || client.isStaging, defaultOrganisationId: client.organisationId };
}
