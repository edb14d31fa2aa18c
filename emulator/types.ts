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
  status?: "SUC" | "FAI" | "CAN";
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
  token: string;
  organisationId: string;
  deviceIds: string[];
  log(): EmulatorLogEntry[];
  clearLog(): void;
  /** Back to the seed state; log and faults cleared. */
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
  group: { id: string; name: string };
  type: { id: string; name: string };
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
  outcome: "SUC" | "FAI" | "CAN";
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
  registries: RegistryRecord[];
  applications: ApplicationRecord[];
  tunnels: TunnelRecord[];
  app_installs: AppInstallRecord[];
  deployments: DeploymentRecord[];
  config_profiles: ConfigProfileRecord[];
}
