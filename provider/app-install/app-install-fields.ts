// DooverAppInstall inputs ↔ wire fields of ApplicationInstallationSerializer*, and computed outputs.

import type { AppInstallData, InstallDeploymentData } from "../../sdk";

/** Every input key (those starting with `application` come from a DooverApplication). */
export const APP_INSTALL_INPUT_KEYS = [
  "applicationId",
  "applicationName",
  "applicationDisplayName",
  "applicationStaging",
  "deviceId",
  "name",
  "displayName",
  "version",
  "deploymentConfig",
  "configProfileIds",
  "deploy",
  "deployTimeoutSeconds",
  "staging",
  "adopt",
] as const;

/** Outputs computed from the live install. */
export const APP_INSTALL_OUTPUT_KEYS = ["installId", "synced", "latestDeployment", "archived"] as const;

/**
 * Keys diff compares. The application's name, display name and schema are not: they only feed check and
 * defaults (a new app schema re-validates the config, it does not change the install). `adopt` only
 * matters at create. `applicationId` is compared by diff itself (see app-install-provider.ts).
 */
export const APP_INSTALL_DIFF_KEYS = APP_INSTALL_INPUT_KEYS.filter(
  (k) => !k.startsWith("application") && k !== "adopt",
);

/**
 * The application's config schema, as the program passes it to the install for `check` (deploymentConfig is
 * validated against it at the first preview). A `__` key: the CLI never displays it, so an install's diff does
 * not repeat the application's whole schema; `check` does not keep it in the stored inputs either (state would
 * hold every schema once per install), only CONFIG_CHECKED_KEY. 0.3.0 named it `configSchema`.
 */
export const CONFIG_SCHEMA_KEY = "__configSchema";

/** Stored input: deploymentConfig was checked against the schema the program declares (create/update need no GET). */
export const CONFIG_CHECKED_KEY = "__configChecked";

/** Another application or device is another install; staging is another API. */
export const APP_INSTALL_REPLACE_KEYS = ["applicationId", "deviceId", "staging"];

/** Fields that, when they change, need a new deployment to reach the device. */
export const APP_INSTALL_DEPLOY_KEYS = ["deploymentConfig", "version", "configProfileIds"];

/** Input ↔ wire for the fields the API lets us write (application/device are replace-only). */
export const APP_INSTALL_FIELDS: readonly { input: string; wire: keyof AppInstallData & string }[] = [
  { input: "name", wire: "name" },
  { input: "displayName", wire: "display_name" },
  { input: "version", wire: "version" },
  { input: "deploymentConfig", wire: "deployment_config" },
];

/** Wire fields a PATCH may clear with null when no longer declared. */
export const APP_INSTALL_NULLABLE_WIRE = ["version"];

/** Default `deployTimeoutSeconds`. */
export const DEFAULT_DEPLOY_TIMEOUT_SECONDS = 600;

/** The declared writable fields as a wire body (no application/device: fixed at creation). */
export function appInstallPayload(inputs: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of APP_INSTALL_FIELDS) if (inputs[f.input] !== undefined) body[f.wire] = inputs[f.input];
  if (inputs.configProfileIds !== undefined) body.config_profile_ids = inputs.configProfileIds;
  return body;
}

/** `{id, status, createdAt}` of a deployment, or null. */
export function deploymentSummary(d: InstallDeploymentData | null | undefined): Record<string, unknown> | null {
  return d ? { id: String(d.id), status: d.status, createdAt: d.created_at } : null;
}

export function appInstallComputed(
  live: AppInstallData,
  latest?: InstallDeploymentData | null,
): Record<string, unknown> {
  return {
    installId: String(live.id),
    synced: live.synced ?? null,
    archived: live.archived === true,
    latestDeployment: deploymentSummary(latest === undefined ? live.latest_deployment : latest),
  };
}
