// Doover applications, where they run and how to reach them, declared in code: the pump monitor app is
// installed on two pump devices with different config (checked against its configSchema at preview,
// rolled out by `pulumi up`), optionally on a whole device group in waves, and the first pump's web UI and
// SSH are reachable through tunnels.
//
//   npm run pulumi -- -C examples/apps-and-tunnels stack init dev
//   npm run pulumi -- -C examples/apps-and-tunnels config set --secret doover:token <token>
//   npm run pulumi -- -C examples/apps-and-tunnels config set doover:organisationId <organisation id>
//   npm run pulumi -- -C examples/apps-and-tunnels config set deviceId <device id>
//   npm run pulumi -- -C examples/apps-and-tunnels config set secondDeviceId <another device id>   # optional
//   npm run pulumi -- -C examples/apps-and-tunnels config set pumpGroup <device group id>          # optional
//   npm run pulumi -- -C examples/apps-and-tunnels up
//
import * as pulumi from "@pulumi/pulumi";
import { DooverAppInstall, DooverApplication, DooverRollout, DooverTunnel } from "pulumi-doover";

const config = new pulumi.Config();
const deviceId = config.require("deviceId");
const secondDeviceId = config.get("secondDeviceId");
// The demo changes this one value to show an in-place update.
const dashboardTitle = config.get("dashboardTitle") ?? "Pump Station Dashboard";
const prefix = config.get("namePrefix") ?? "demo";
// The demo changes this one to show a config roll-out (one PATCH, one deployment).
const pump2MaxPressure = config.getNumber("pump2MaxPressureKpa") ?? 600;
// A device group whose pumps all get the monitor, rolled out in waves (see the fleet below).
const pumpGroup = config.get("pumpGroup");
const fleetMaxPressure = config.getNumber("fleetMaxPressureKpa") ?? 500;

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
      max_pressure_kpa: { type: "number", default: 450, minimum: 0, maximum: 1000 },
      site: { type: "string", "x-name": "Site name" },
      sample_seconds: { type: "integer", default: 1, minimum: 1 },
    },
    required: ["max_pressure_kpa", "site"],
    additionalProperties: false,
  },
});

// The monitor on each pump, with its own config. A value the schema rejects (say max_pressure_kpa: 1200)
// fails `pulumi preview` naming deploymentConfig/max_pressure_kpa, before anything is written.
const pump1 = new DooverAppInstall("monitor-on-pump-1", {
  application: monitor,
  deviceId,
  displayName: "Pump 1 monitor",
  deploymentConfig: { max_pressure_kpa: 450, site: "north" },
});

const pump2 = secondDeviceId
  ? new DooverAppInstall("monitor-on-pump-2", {
      application: monitor,
      deviceId: secondDeviceId,
      displayName: "Pump 2 monitor",
      deploymentConfig: { max_pressure_kpa: pump2MaxPressure, site: "south", sample_seconds: 5 },
    })
  : undefined;

// The monitor on every pump of a device group, in waves: one canary, then half the fleet, then the rest. A
// wave in which more than 20% of at least 3 finished pumps fail stops the rollout, and every pump it changed
// goes back to the config it ran before. Pumps that join the group later get the monitor on the next `up`.
const fleet = pumpGroup
  ? new DooverRollout("monitor-on-pump-fleet", {
      application: monitor,
      devices: { group: pumpGroup },
      name: "fleet_pump_monitor",
      displayName: "Fleet pump monitor",
      deploymentConfig: { max_pressure_kpa: fleetMaxPressure, site: "fleet" },
      waves: [{ devices: 1 }, { percent: 50 }, { percent: 100 }],
      failureThreshold: { percent: 20, minDevices: 3 },
      deviceTimeoutSeconds: 120,
      onFailure: "rollback",
    })
  : undefined;

const dashboard = new DooverApplication("pump-dashboard", {
  name: `${prefix}_pump_dashboard`,
  displayName: dashboardTitle,
  type: "processor",
  visibility: "private",
  description: "Summarises pump data for the operator dashboard.",
  dependsOn: [monitor.name],
});

// Pump 1's local web UI, reachable through Doover while the tunnel is active.
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
export const pump1InstallId = pump1.installId;
export const pump1Deployment = pump1.latestDeployment.apply((d) => d?.status ?? "none");
export const pump2InstallId = pump2?.installId;
export const pump2Deployment = pump2?.latestDeployment.apply((d) => d?.status ?? "none");
export const fleetStatus = fleet?.status;
export const fleetTotals = fleet?.totals.apply((t) => ({
  devices: t.devices,
  succeeded: t.succeeded,
  failed: t.failed,
}));
