// Public types of the emulator (the shared contract) plus the stored records.

import type { UpsertRecord } from "./upserts";

export type { UpsertRecord } from "./upserts";

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind; default "127.0.0.1". */
  host?: string;
  /** Bearer token clients must send; random when absent (or the one kept in the state file). */
  token?: string;
  /** JSON file that keeps all data across restarts (rewritten after every mutation). */
  statePath?: string;
  /** Id of the seeded organisation (default: a fresh snowflake). */
  organisationId?: string;
  /** Page size when a list request has no `per_page` (default 50). */
  perPageDefault?: number;
  /**
   * File to append one JSON line per API response to (for the conformance test).
   * Default: env `DOOVER_EMULATOR_RECORD` read at start; `null` turns recording off.
   */
  recordFile?: string | null;
  /**
   * How long a deployment stays in each of QUE and RUN before it ends (default: env
   * `DOOVER_EMULATOR_DEPLOY_STEP_MS`, else 1000). 0 ends it at once.
   */
  deploymentStepMs?: number;
  /**
   * Access tokens from the auth server (`POST /oauth2/token`) expire this many seconds after they are issued;
   * the API answers an expired one 401. Default: they never expire. (The static `token` never expires.)
   */
  tokenTtlSeconds?: number;
  /** Each refresh returns a new refresh token and the one it spent stops working (default false). */
  rotateRefreshTokens?: boolean;
  /**
   * `POST /applications/` on a taken name answers 409 Conflict, as the spec lists (CLI `--post-conflict`).
   * Default false: it upserts on the name, as doover-cli 0.7.1 expects of the live control plane (the
   * caller's organisation's live application is updated with the fields sent; another organisation's: 403;
   * an archived one: 409). See docs/live-api.md.
   */
  postConflict?: boolean;
  /** The status of an upsert's answer: 201 (default: the only one the spec lists) or 200 (`--upsert-status`). */
  upsertStatus?: 200 | 201;
  /**
   * `POST /app_installs/` on a name taken on the device by a live install of the same application updates
   * it instead of answering 409 (CLI `--upsert-installs`; not known to happen live). Ignored with `postConflict`.
   */
  upsertInstalls?: boolean;
  /**
   * How many devices to seed in the organisation's root group (default 3), named
   * `emulated_device_1…N`. Their ids are listed in `Emulator.deviceIds` and the CLI's first line.
   */
  devices?: number;
  /** Nested device groups to seed, each with its own devices (see {@link EmulatorGroupSeed}). */
  groups?: EmulatorGroupSeed[];
  /** Per-device deployment outcomes from the start (see `Emulator.setDeploymentOutcomes`). */
  deploymentOutcomes?: DeploymentOutcomes;
}

/**
 * A device group to seed. Groups are created under the organisation's root group, or under the seed group
 * named `parent` (declared earlier in the list). Seed group names must be unique within the list.
 */
export interface EmulatorGroupSeed {
  name: string;
  /** Name of an earlier seed group to nest under (default: the root group). */
  parent?: string;
  /**
   * A count: that many new devices in this group, named `<group path>_device_<n>` (e.g. `pumps_north_device_1`).
   * A list: names or ids of devices seeded by `devices: N` to move into this group.
   */
  devices?: number | string[];
}

/**
 * What the next deployments on some devices do. Devices are given by id or name; entries apply to every
 * deployment created while they are set (until cleared or replaced), after any armed deployment fault.
 */
export interface DeploymentOutcomes {
  /** These devices' deployments fail (FAI), with `log` in their `log_output`. */
  fail?: string[];
  /** These devices' deployments end cancelled (CAN). */
  cancel?: string[];
  /** These devices' deployments never finish: QUE for one step, then RUN for ever. */
  never?: string[];
  /**
   * Fail this percentage (0–100) of the devices in `among` (default: every device at the time it is set):
   * exactly round(p% × n) of them, picked by a hash of `seed` and the device id, so runs repeat.
   */
  failPercent?: number;
  /** Device ids/names or group ids (whole subtree) that `failPercent` picks from. */
  among?: string[];
  /** Seed of the `failPercent` pick (default "doover"). */
  seed?: string | number;
  /** Device → total ms from creation to the end (half QUE, half RUN) instead of the step clock. */
  afterMs?: Record<string, number>;
  /** Log line of a failed or cancelled deployment (default "Emulated failure on device <name>"). */
  log?: string;
  /**
   * Only deployments whose `deployment_config` has these top-level values (JSON-equal) are affected:
   * "this config breaks these devices", so a fixed config then succeeds on them.
   */
  whenConfig?: Record<string, unknown>;
}

/** Deployment outcomes in force, device names resolved to ids (`failing` adds the failPercent pick). */
export interface ResolvedDeploymentOutcomes {
  fail: string[];
  cancel: string[];
  never: string[];
  failPercent: number;
  /** The devices failPercent picked. */
  percentFailing: string[];
  /** Every device whose next matching deployment fails: `fail` ∪ `percentFailing`. */
  failing: string[];
  afterMs: Record<string, number>;
  log?: string;
  seed: string;
  whenConfig?: Record<string, unknown>;
}

export interface EmulatorFault {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Path prefix, e.g. "/applications/". */
  path: string;
  /** Answer this status (e.g. 503, 429). */
  status?: number;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Retry-After header value. */
  retryAfter?: string;
  /** Process the request for real, then answer `status` (or drop the connection) instead. */
  afterCommit?: boolean;
  /** Destroy the socket with no response. */
  dropConnection?: boolean;
  /** Wait this long before handling. */
  delayMs?: number;
  /**
   * Not an HTTP fault: shapes the next deployment started under `path` (e.g. "/app_installs/"):
   * its final status (FAI/CAN make it fail), a log line added to its `log_output`, and how long it
   * stays in QUE and in RUN. Used up by deployment creates only.
   */
  deployment?: EmulatedDeployment;
}

/** How an emulated deployment ends (see {@link EmulatorFault.deployment}). */
export interface EmulatedDeployment {
  /** RUN: the deployment never finishes. */
  status?: "SUC" | "FAI" | "CAN" | "RUN";
  log?: string;
  stepMs?: number;
}

export interface EmulatorLogEntry {
  method: string;
  /** Path without query. */
  path: string;
  query: string;
  /** 0 when the connection was dropped. */
  status: number;
  /** true on a create that updated an existing object (an upsert), whatever its status */
  upsert?: true;
}

export interface Emulator {
  /** "http://127.0.0.1:PORT", no trailing slash. */
  url: string;
  /** A static Bearer token that never expires. */
  token: string;
  /** The auth server for a profile's AUTH_SERVER_URL (the emulator itself: `POST {authServerUrl}/oauth2/token`). */
  authServerUrl: string;
  /** The client id for a profile's AUTH_SERVER_CLIENT_ID. */
  clientId: string;
  /** A refresh token for a profile's REFRESH_TOKEN (works again after `reset`). */
  refreshToken: string;
  /** Revokes one refresh token, or every one; returns how many were active (also `POST /_emulator/auth/revoke`). */
  revokeRefreshTokens(refreshToken?: string): number;
  organisationId: string;
  /** Every seeded device (root group first, then each seed group's), oldest first. */
  deviceIds: string[];
  /** The organisation's root group (every device and group sits under it). */
  rootGroupId: string;
  /** Seed group name → id (see `EmulatorOptions.groups`). */
  groupIds: Record<string, string>;
  /** Replaces the per-device deployment outcomes (also `POST /_emulator/deployment-outcomes/`). */
  setDeploymentOutcomes(o: DeploymentOutcomes): ResolvedDeploymentOutcomes;
  /** Back to every deployment following the step clock to SUC (`DELETE /_emulator/deployment-outcomes/`). */
  clearDeploymentOutcomes(): void;
  /** The outcomes in force, if any (`GET /_emulator/deployment-outcomes/`). */
  deploymentOutcomes(): ResolvedDeploymentOutcomes | undefined;
  log(): EmulatorLogEntry[];
  clearLog(): void;
  /** Back to the seed state; log and faults cleared; only the first refresh token works, issued tokens are forgotten. */
  reset(): void;
  /** Files received by processor_source/, widget/ and the artwork PATCH (also `GET /_emulator/uploads/`). */
  uploads(): EmulatorUpload[];
  /** Creates that updated an existing object since the last reset, oldest first (also `GET /_emulator/upserts/`). */
  upserts(): UpsertRecord[];
  addFault(f: EmulatorFault): void;
  close(): Promise<void>;
}

export interface OrganisationRecord {
  id: string;
  name: string;
  archived: boolean;
  application_id: string;
  root_group: { id: string; name: string };
}

export interface DeviceRecord {
  id: string;
  name: string;
  display_name: string;
  archived: boolean;
  organisation_id: string;
  group_id: string;
  type_id: string;
  /** fa_icon, notes, extra_config, fixed_location, history_since (writable, shown as sent) */
  fields: Record<string, unknown>;
}

/** A device group: the organisation's root group has no parent. */
export interface GroupRecord {
  id: string;
  name: string;
  organisation_id: string;
  parent_id: string | null;
  archived: boolean;
}

/** A device type (`/devices/types/`). */
export interface DeviceTypeRecord {
  id: string;
  organisation_id: string;
  archived: boolean;
  /** name and the other writable DeviceTypeSerializerDetailRequest fields */
  fields: Record<string, unknown>;
}

export interface RegistryRecord {
  id: string;
  name: string;
  description: string;
  archived: boolean;
}

/** Application as stored: the writable wire fields plus server-side ones. */
export interface ApplicationRecord {
  id: string;
  archived: boolean;
  organisation_id: string;
  container_registry_profile_id: string | null;
  fields: Record<string, unknown>;
  /** The latest file per kind (processor_source, widget, icon, banner); not part of any response. */
  uploads?: Record<string, UploadRecord>;
}

/** What an upload left behind: enough for a test to tell which bytes arrived. */
export interface UploadRecord {
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}

/** One upload as listed by `GET /_emulator/uploads/` and `Emulator.uploads()`. */
export interface EmulatorUpload extends UploadRecord {
  application_id: string;
  application_name: string;
  kind: string;
}

export interface TunnelRecord {
  id: string;
  device_id: string;
  endpoint_id: string;
  is_active: boolean;
  fields: Record<string, unknown>;
}

/** Whether an organisation may (WHL) or may not (BLK) use a device type. */
export interface DeviceTypeAccessRecord {
  id: string;
  device_type_id: string;
  organisation_id: string;
  access: "WHL" | "BLK";
}

/** A role users can hold in a group (`/groups/roles/`): a name and permission switches. */
export interface GroupRoleRecord {
  id: string;
  organisation_id: string | null;
  archived: boolean;
  /** name, description and the permission booleans */
  fields: Record<string, unknown>;
}

/** A user's role in a group (`/groups/{g}/users/`). Users are not emulated beyond their id. */
export interface GroupPermissionRecord {
  group_id: string;
  user_id: string;
  role_id: string;
}

/** An application installed on a device. */
export interface AppInstallRecord {
  id: string;
  archived: boolean;
  application_id: string;
  device_id: string | null;
  organisation_id: string;
  config_profile_ids: string[];
  pre_archive_latest_deployment: string | null;
  /** name, display_name, version, deployment_config, solution_id */
  fields: Record<string, unknown>;
}

/** One deployment; its status follows from the clock (QUE for step_ms, RUN for step_ms, then outcome). */
export interface DeploymentRecord {
  id: string;
  app_install_id: string;
  created_ms: number;
  step_ms: number;
  /** RUN: never finishes */
  outcome: "SUC" | "FAI" | "CAN" | "RUN";
  /** log lines added when it ends */
  log: string;
  deployment_config: unknown;
}

/** A named deployment config of an application that installs can take on (`config_profile_ids`). */
export interface ConfigProfileRecord {
  id: string;
  application_id: string;
  organisation_id: string;
  /** display_name, description, deployment_config */
  fields: Record<string, unknown>;
}

export interface StateData {
  organisations: OrganisationRecord[];
  devices: DeviceRecord[];
  groups: GroupRecord[];
  device_types: DeviceTypeRecord[];
  device_type_access: DeviceTypeAccessRecord[];
  group_roles: GroupRoleRecord[];
  group_permissions: GroupPermissionRecord[];
  registries: RegistryRecord[];
  applications: ApplicationRecord[];
  tunnels: TunnelRecord[];
  app_installs: AppInstallRecord[];
  deployments: DeploymentRecord[];
  config_profiles: ConfigProfileRecord[];
}
