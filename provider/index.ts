// Pulumi dynamic resources for Doover: applications and tunnels.

export { type DeploymentSummary, DooverAppInstall, type DooverAppInstallArgs } from "./app-install/app-install";
export { applicationArgsFromConfig, DooverApplication, type DooverApplicationArgs } from "./application/application";
export { DooverProviderError, DooverResourceInitError } from "./errors";
export { inlineProjectSettings } from "./inline-project";
export { DooverTunnel, type DooverTunnelArgs } from "./tunnel/tunnel";
