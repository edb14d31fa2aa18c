// Pulumi dynamic resources for Doover: applications and tunnels.

import "../sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

export { type DeploymentSummary, DooverAppInstall, type DooverAppInstallArgs } from "./app-install/app-install";
export { applicationArgsFromConfig, DooverApplication, type DooverApplicationArgs } from "./application/application";
export { DooverProviderError, DooverResourceInitError } from "./errors";
export { DooverTunnel, type DooverTunnelArgs } from "./tunnel/tunnel";
