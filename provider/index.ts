// Pulumi dynamic resources for Doover (applications, tunnels, app installs, fleet rollouts) and the device lookup
// functions.

import "../sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

export { type DeploymentSummary, DooverAppInstall, type DooverAppInstallArgs } from "./app-install/app-install";
export { applicationArgsFromConfig, DooverApplication, type DooverApplicationArgs } from "./application/application";
export { DooverProviderError, DooverResourceInitError } from "./errors";
export { inlineProjectSettings } from "./inline-project";
export {
  type DooverDevice,
  DooverLookupError,
  type GetDeviceArgs,
  type GetDeviceOutputArgs,
  type GetDevicesArgs,
  type GetDevicesOutputArgs,
  type GetDevicesResult,
  getDevice,
  getDeviceOutput,
  getDevices,
  getDevicesOutput,
} from "./lookup/device-lookups";
export {
  type DooverDeviceGroup,
  DooverRollout,
  type DooverRolloutArgs,
  type DooverRolloutWave,
} from "./rollout/rollout";
export type { RolloutPlan } from "./rollout/rollout-preview";
export type { DeviceResult, DeviceStatus } from "./rollout/rollout-records";
export type { Totals as RolloutTotals, WaveResult as RolloutWaveResult } from "./rollout/rollout-report";
export { DooverTunnel, type DooverTunnelArgs } from "./tunnel/tunnel";
