// Pulumi dynamic resources for Doover: applications and tunnels.

export { DooverApplication, applicationArgsFromConfig, type DooverApplicationArgs } from "./application";
export { DooverTunnel, type DooverTunnelArgs } from "./tunnel";
export { DooverAppInstall, type DooverAppInstallArgs, type DeploymentSummary } from "./app-install";
export { DooverProviderError, DooverResourceInitError } from "./errors";
