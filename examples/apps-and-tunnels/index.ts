// Doover applications and device tunnels declared in code, next to any other infrastructure.
//
//   npm run pulumi -- -C examples/apps-and-tunnels stack init dev
//   npm run pulumi -- -C examples/apps-and-tunnels config set --secret doover:token <token>
//   npm run pulumi -- -C examples/apps-and-tunnels config set doover:organisationId <organisation id>
//   npm run pulumi -- -C examples/apps-and-tunnels config set deviceId <device id>
//   npm run pulumi -- -C examples/apps-and-tunnels up
//
import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const config = new pulumi.Config();
const deviceId = config.require("deviceId");
// The demo changes this one value to show an in-place update.
const dashboardTitle = config.get("dashboardTitle") ?? "Pump Station Dashboard";
const prefix = config.get("namePrefix") ?? "demo";

const monitor = new DooverApplication("pump-monitor", {
  name: `${prefix}_pump_monitor`,
  displayName: "Pump Monitor",
  type: "device",
  visibility: "private",
  allowMany: true,
  description: "Reads pump pressure and flow on the device and raises alarms.",
  longDescription: "# Pump Monitor\n\nSamples the pump's pressure and flow sensors every second.",
  imageName: "ghcr.io/example/pump-monitor:1.4.0",
  configSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      max_pressure_kpa: { type: "number", default: 450, minimum: 0 },
    },
  },
});

const dashboard = new DooverApplication("pump-dashboard", {
  name: `${prefix}_pump_dashboard`,
  displayName: dashboardTitle,
  type: "processor",
  visibility: "private",
  description: "Summarises pump data for the operator dashboard.",
  dependsOn: [monitor.name],
});

// The device's local web UI, reachable through Doover while the tunnel is active.
const webUi = new DooverTunnel("pump-web-ui", {
  deviceId,
  name: "pump-web-ui",
  hostname: "127.0.0.1",
  port: 8080,
  protocol: "http",
  active: true,
});

// SSH for maintenance, only from the office network; kept inactive until needed.
const ssh = new DooverTunnel("pump-ssh", {
  deviceId,
  name: "pump-ssh",
  hostname: "127.0.0.1",
  port: 22,
  protocol: "tcp",
  ipRestricted: true,
  ipWhitelist: ["203.0.113.0/24"],
  active: false,
});

export const monitorAppId = monitor.applicationId;
export const dashboardAppId = dashboard.applicationId;
export const dashboardDisplayName = dashboard.displayName;
export const webUiEndpoint = webUi.endpoint;
export const webUiActive = webUi.isActive;
export const sshTunnelId = ssh.tunnelId;
