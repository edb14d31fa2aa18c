// Wire types of the Doover 2.0 Control API, snake_case as the API sends them. Ids are strings.

import type { DeploymentData } from "./deployment-folder";

/** Application type codes (names as in pydoover; REP exists only on 2.0). */
export enum Type {
  device = "DEV",
  processor = "PRO",
  task = "TAS",
  integration = "INT",
  report = "REP",
}

/** Who can see and install an application. */
export enum Visibility {
  core = "COR",
  public = "PUB",
  private = "PRI",
  internal = "INT",
}

/** An application type as the API sends it. */
export type ApplicationTypeCode = "DEV" | "PRO" | "TAS" | "INT" | "REP";
/** An application type by its pydoover name. */
export type ApplicationTypeName = "device" | "processor" | "task" | "integration" | "report";
/** Any spelling of an application type a resource accepts: code, name or the {@link Type} enum. */
export type ApplicationTypeInput = Type | ApplicationTypeCode | ApplicationTypeName;

/** A visibility as the API sends it. */
export type VisibilityCode = "COR" | "PUB" | "PRI" | "INT";
/** A visibility by its pydoover name. */
export type VisibilityName = "core" | "public" | "private" | "internal";
/** Any spelling of a visibility a resource accepts: code, name or the {@link Visibility} enum. */
export type VisibilityInput = Visibility | VisibilityCode | VisibilityName;

/** The protocols a tunnel can carry. */
export type TunnelProtocol = "tcp" | "rtsp" | "http" | "https";

export interface ApplicationData {
  id: string;
  archived: boolean;
  name: string;
  display_name: string;
  description: string;
  long_description?: string;
  type: string;
  visibility: string;
  allow_many?: boolean;
  config_schema?: unknown;
  ui_schema?: unknown;
  /** the app's tag definitions (JSON) */
  tag_schema?: unknown;
  /** the app's notification definitions (JSON; pydoover 1.18.3 / doover-cli 0.7.1 publish it) */
  notification_schema?: unknown;
  depends_on: string[];
  organisation: { id: string; name: string; archived?: boolean } | null;
  container_registry_profile: { id: string; name: string } | null;
  deployment_data?: string | null;
  image_name?: string | null;
  lambda_arn?: string | null;
  lambda_config?: unknown;
  icon_url?: string | null;
  banner_url?: string | null;
  repository_url?: string | null;
  stars?: number;
  approx_installs: number;
  /** the application's config profiles (SlimApplicationConfigProfileSerializerDetail) */
  config_profiles: SlimConfigProfileData[];
}

/** `SlimApplicationConfigProfileSerializerDetail`: a config profile as an application or install lists it. */
export interface SlimConfigProfileData {
  id: string;
  /** organisation id */
  organisation: string;
  display_name: string;
  description?: string;
  /** application id */
  application: string;
  deployment_config?: unknown;
}

export type ApplicationRequest = {
  name: string;
  display_name: string;
  description: string;
  type: string;
  visibility: string;
  depends_on: string[];
  organisation_id: string | null;
  container_registry_profile_id: string | null;
  long_description?: string;
  allow_many?: boolean;
  config_schema?: unknown;
  ui_schema?: unknown;
  tag_schema?: unknown;
  notification_schema?: unknown;
  /** base64 of the deployment zip; `DeploymentData` streams it from a folder while it is sent */
  deployment_data?: string | DeploymentData | null;
  image_name?: string | null;
  lambda_arn?: string | null;
  lambda_config?: unknown;
  icon_url?: string | null;
  banner_url?: string | null;
  repository_url?: string | null;
  stars?: number;
};

/** Keys of `ApplicationSerializerDetailRequest` (spec); `staging_config` may only overlay these. */
export const APPLICATION_REQUEST_KEYS: readonly string[] = [
  "name",
  "display_name",
  "description",
  "long_description",
  "type",
  "visibility",
  "allow_many",
  "config_schema",
  "ui_schema",
  "tag_schema",
  "notification_schema",
  "depends_on",
  "organisation_id",
  "stars",
  "container_registry_profile_id",
  "deployment_data",
  "image_name",
  "lambda_arn",
  "lambda_config",
  "icon_url",
  "banner_url",
  "repository_url",
];

export interface TunnelData {
  id: string;
  name: string;
  device: { id: string; name?: string; display_name?: string };
  endpoint: string;
  endpoint_id: string;
  is_active: boolean;
  hostname: string;
  port: number;
  protocol: "tcp" | "rtsp" | "http" | "https";
  username?: string | null;
  password?: string | null;
  timeout?: number;
  ip_restricted?: boolean;
  disable_tls_verification?: boolean;
  ip_whitelist?: unknown;
  is_favourite?: boolean;
}

export type TunnelRequest = {
  name: string;
  hostname: string;
  port: number;
  protocol: string;
  username?: string | null;
  password?: string | null;
  timeout?: number;
  ip_restricted?: boolean;
  disable_tls_verification?: boolean;
  ip_whitelist?: unknown;
  is_favourite?: boolean;
};

/** Django REST framework page envelope. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ClientOptions {
  baseUrl?: string;
  token?: string;
  organisationId?: string;
  staging?: boolean;
  profile?: string;
  /** an HTTP implementation to use instead of the built-in `node:http`/`node:https` keep-alive transport */
  fetch?: typeof fetch;
  /** per attempt (connect, headers and body), default 30000 */
  timeoutMs?: number;
  /** optional cap on extra attempts; by default only the time budget (`retryBudgetMs`) limits retries */
  retries?: number;
  /** how long one call keeps retrying after its first failure, default 180000 (3 minutes) */
  retryBudgetMs?: number;
  /** fixed cap on requests per second to this API, shared by the whole process */
  maxRequestsPerSecond?: number;
  /** how to name `token`'s origin in messages (default `options.token`), e.g. `stack config doover:token` */
  tokenSource?: string;
  /** where `baseUrl` came from, for messages (e.g. `stack config doover:apiUrl`); default `options.baseUrl` */
  baseUrlSource?: string;
  /**
   * how long calls keep retrying an API this process has never reached, default 10000 (most likely a wrong
   * URL; an API that answered once gets the full `retryBudgetMs`)
   */
  unreachedBudgetMs?: number;
  /** how to name the timeout/budget settings in messages (the provider passes its stack config keys) */
  settingNames?: { timeout?: string; retryBudget?: string };
  userAgent?: string;
  /** default process.env, read at construction */
  env?: Record<string, string | undefined>;
  /** default ~/.doover/config (or env DOOVER_CONFIG) */
  configPath?: string;
  /** first backoff step in ms (full jitter, doubling), default 500 */
  retryBaseDelayMs?: number;
  /** cap for one backoff wait, default 30000 (a Retry-After is honoured while it fits the budget) */
  maxRetryDelayMs?: number;
  /** log method, path, status, attempt and duration (also env DOOVER_LOG=debug) */
  debug?: boolean;
  /**
   * where debug lines and warnings go, default console.error. Repeated status lines (retries) come with a
   * `key` to throttle by; they go to a logger given here, and to the default one only with `debug`.
   */
  logger?: (line: string, key?: string) => void;
}
