// Wire types of the app-install family (ApplicationInstallationSerializer*, ApplicationDeploymentSerializer*).

import type { SlimConfigProfileData } from "./types";

/** Deployment status codes: Queued, Running, Success, Failed, Cancelled. */
export type DeploymentStatus = "QUE" | "RUN" | "SUC" | "FAI" | "CAN";

/** Statuses a deployment never leaves. */
export const FINAL_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ["SUC", "FAI", "CAN"];

/** One roll-out of an install's deployment config to its device. */
export interface InstallDeploymentData {
  id: string;
  app_install: string;
  status: DeploymentStatus;
  created_at: string;
  log_output: string;
  /** the config this deployment rolled out (a snapshot) */
  deployment_config: unknown;
  docker_message_id: string | null;
}

/** Sync state of an install: `OK` synced, `NO` out of sync, `OV` overrides set. */
export type InstallSynced = "OK" | "NO" | "OV";

/** An application installed on a device (or an organisation-wide install when `device` is null). */
export interface AppInstallData {
  id: string;
  archived: boolean;
  name?: string;
  display_name: string;
  application: {
    id: string;
    name: string;
    display_name: string;
    type: string;
    archived: boolean;
    config_schema: unknown;
    [k: string]: unknown;
  };
  organisation: { id: string; name: string; archived: boolean } | null;
  device: { id: string; name: string; display_name: string } | null;
  version?: string | null;
  managed_by: string[];
  deployment_config?: unknown;
  latest_deployment: InstallDeploymentData | null;
  pre_archive_latest_deployment: string | null;
  config_profiles: SlimConfigProfileData[];
  solution: { id: string; name: string } | null;
  solution_id?: string | null;
  template: unknown;
  synced: InstallSynced;
}

/** `ApplicationInstallationSerializerDetailRequest`. */
export type AppInstallRequest = {
  application_id: string;
  device_id: string | null;
  display_name: string;
  name?: string;
  version?: string | null;
  deployment_config?: unknown;
  config_profile_ids?: string[];
  solution_id?: string | null;
};

/** Filters of `GET /app_installs/` (and the device/application-scoped lists). */
export interface AppInstallListQuery {
  application?: string;
  device?: string;
  name?: string;
  display_name?: string;
  archived?: boolean;
  organisation?: string;
  /** latest deployment status */
  status?: DeploymentStatus;
  version?: string;
  search?: string;
  ordering?: string;
  perPage?: number;
}
