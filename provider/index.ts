// Pulumi dynamic resources for Doover: applications and tunnels.

export { type DeploymentSummary, DooverAppInstall, type DooverAppInstallArgs } from "./app-install/app-install";
export { applicationArgsFromConfig, DooverApplication, type DooverApplicationArgs } from "./application/application";
export { DooverProviderError, DooverResourceInitError } from "./errors";
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
