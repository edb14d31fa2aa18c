// The response fields the package knows, per model, taken from the SDK's wire types: each table must name every
// key of its interface, marked the way the interface marks it (`optional` for `key?:`), or `tsc` fails. A field
// added to `ApplicationData` (or made optional) therefore shows up here at compile time, never as a hand-kept
// list drifting from the types.

import type { AppInstallData, InstallDeploymentData } from "../app-install-types";
import type { DeviceData } from "../devices-api";
import type { GroupData } from "../groups-api";
import type { ApplicationData, TunnelData } from "../types";

/** `required` for `key: T`, `optional` for `key?: T`: checked by the compiler against the interface. */
export type FieldPresence<T> = { [K in keyof T]-?: object extends Pick<T, K> ? "optional" : "required" };

export const APPLICATION_DATA_FIELDS: FieldPresence<ApplicationData> = {
  id: "required",
  archived: "required",
  name: "required",
  display_name: "required",
  description: "required",
  long_description: "optional",
  type: "required",
  visibility: "required",
  allow_many: "optional",
  config_schema: "optional",
  ui_schema: "optional",
  tag_schema: "optional",
  notification_schema: "optional",
  depends_on: "required",
  organisation: "required",
  container_registry_profile: "required",
  deployment_data: "optional",
  image_name: "optional",
  lambda_arn: "optional",
  lambda_config: "optional",
  icon_url: "optional",
  banner_url: "optional",
  repository_url: "optional",
  stars: "optional",
  approx_installs: "required",
  config_profiles: "required",
};

export const APP_INSTALL_DATA_FIELDS: FieldPresence<AppInstallData> = {
  id: "required",
  archived: "required",
  name: "optional",
  display_name: "required",
  application: "required",
  organisation: "required",
  device: "required",
  version: "optional",
  managed_by: "required",
  deployment_config: "optional",
  latest_deployment: "required",
  pre_archive_latest_deployment: "required",
  config_profiles: "required",
  solution: "required",
  solution_id: "optional",
  template: "required",
  synced: "required",
};

export const DEPLOYMENT_DATA_FIELDS: FieldPresence<InstallDeploymentData> = {
  id: "required",
  app_install: "required",
  status: "required",
  created_at: "required",
  log_output: "required",
  deployment_config: "required",
  docker_message_id: "required",
};

export const TUNNEL_DATA_FIELDS: FieldPresence<TunnelData> = {
  id: "required",
  name: "required",
  device: "required",
  endpoint: "required",
  endpoint_id: "required",
  is_active: "required",
  hostname: "required",
  port: "required",
  protocol: "required",
  username: "optional",
  password: "optional",
  timeout: "optional",
  ip_restricted: "optional",
  disable_tls_verification: "optional",
  ip_whitelist: "optional",
  is_favourite: "optional",
};

export const DEVICE_DATA_FIELDS: FieldPresence<DeviceData> = {
  id: "required",
  archived: "required",
  name: "optional",
  display_name: "required",
  type: "required",
  organisation: "required",
  group: "required",
  fa_icon: "optional",
  notes: "optional",
  extra_config: "optional",
  fusion_entity_id: "required",
  fusion_entity_secret: "required",
  fixed_location: "optional",
  history_since: "optional",
};

export const GROUP_DATA_FIELDS: FieldPresence<GroupData> = {
  id: "required",
  name: "required",
  organisation: "required",
  archived: "required",
  parent: "required",
  children: "optional",
  my_permissions: "optional",
  shared: "optional",
};

/** The models the probe compares, with the SDK type each one is read as. */
export const MODELS = {
  Application: { type: "ApplicationData", fields: APPLICATION_DATA_FIELDS as Record<string, string> },
  AppInstall: { type: "AppInstallData", fields: APP_INSTALL_DATA_FIELDS as Record<string, string> },
  Deployment: { type: "InstallDeploymentData", fields: DEPLOYMENT_DATA_FIELDS as Record<string, string> },
  Tunnel: { type: "TunnelData", fields: TUNNEL_DATA_FIELDS as Record<string, string> },
  Device: { type: "DeviceData", fields: DEVICE_DATA_FIELDS as Record<string, string> },
  Group: { type: "GroupData", fields: GROUP_DATA_FIELDS as Record<string, string> },
} as const;

export type ModelName = keyof typeof MODELS;

/** How one object the server sent compares with what the package knows of its model. */
export interface FieldComparison {
  /** keys the server sent that the SDK type does not have (the package ignores them) */
  unknown: string[];
  /** keys the SDK type requires that the server did not send */
  missingRequired: string[];
  /** optional keys of the SDK type the server did not send */
  missingOptional: string[];
}

/** Top-level keys of `sample` against the model's table. */
export function compareFields(model: ModelName, sample: Record<string, unknown>): FieldComparison {
  const known = MODELS[model].fields;
  const sent = Object.keys(sample);
  return {
    unknown: sent.filter((k) => !(k in known)).sort(),
    missingRequired: Object.keys(known)
      .filter((k) => known[k] === "required" && !(k in sample))
      .sort(),
    missingOptional: Object.keys(known)
      .filter((k) => known[k] === "optional" && !(k in sample))
      .sort(),
  };
}
