// DooverRollout inputs, their defaults, and the outputs the provider computes.

/** One wave: a number of devices (a canary) or a percentage of the fleet, counted cumulatively. */
export interface WaveSpec {
  devices?: number;
  percent?: number;
}

/** A wave is judged once `minDevices` of it finished (or all of it, when smaller): failed% > percent stops. */
export interface FailureThreshold {
  percent: number;
  minDevices: number;
}

/** A device group: `group` only, or with `subgroups` every group under it too (`group_tree`). */
export interface GroupSelector {
  group: string;
  subgroups?: boolean;
}

/**
 * Every input key the provider accepts (those starting with `application` come from a DooverApplication, as
 * does `__configSchema`, which check reads and never stores).
 */
export const ROLLOUT_INPUT_KEYS = [
  "applicationId",
  "applicationName",
  "applicationDisplayName",
  "applicationStaging",
  "devices",
  "deviceIds",
  "name",
  "displayName",
  "version",
  "deploymentConfig",
  "configProfileIds",
  "waves",
  "failureThreshold",
  "deviceTimeoutSeconds",
  "onFailure",
  "holdAfterWave",
  "onDeviceRemoved",
  "maxParallelDeployments",
  "staging",
  "adopt",
  "plan",
] as const;

/** Outputs computed by create/update/read. `records`/`releases` are packed (see rollout-records.ts). */
export const ROLLOUT_OUTPUT_KEYS = ["status", "configHash", "records", "releases", "waveResults", "totals"] as const;

/** Inputs that change what the devices run: a change starts a new rollout (from the first wave). */
export const RELEASE_KEYS = ["deploymentConfig", "version", "configProfileIds"] as const;

/** Another application is other installs; staging is another API. */
export const ROLLOUT_REPLACE_KEYS = ["applicationId", "staging"] as const;

/**
 * Keys diff compares as declared. The application's name/display name only feed check; `plan` is
 * the preview's summary (diff reads it, it is never a change by itself); `deviceIds` is compared as a set.
 */
export const ROLLOUT_DIFF_KEYS = ROLLOUT_INPUT_KEYS.filter(
  (k) => !k.startsWith("application") && k !== "deviceIds" && k !== "adopt" && k !== "plan",
);

export const DEFAULT_WAVES: WaveSpec[] = [{ devices: 1 }, { percent: 100 }];
export const DEFAULT_THRESHOLD: FailureThreshold = { percent: 0, minDevices: 1 };
export const DEFAULT_DEVICE_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_PARALLEL_DEPLOYMENTS = 16;

/** What `onFailure` accepts. */
export const ON_FAILURE = ["stop", "rollback"] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** What `onDeviceRemoved` accepts. */
export const ON_DEVICE_REMOVED = ["uninstall", "keep"] as const;
export type OnDeviceRemoved = (typeof ON_DEVICE_REMOVED)[number];

/** The rollout as a whole after an `up`. */
export type RolloutStatus = "completed" | "held" | "stopped" | "rolledBack";
