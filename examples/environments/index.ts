// One program, a stack per environment:
//   dev      production API, app names suffixed `_dev`
//   staging  `doover:staging: true`: every app goes to the staging API with its stagingConfig
//   prod     production API, plus the staging variant of the pump app (`staging: true`) and a
//            StackReference to the staging stack
// Next to the Doover resources: a generated tunnel password (a plain dynamic resource) and the
// StackReference, neither of which needs a plugin download.
//
//   npm run pulumi -- -C examples/environments stack init staging   # and dev, prod
//   npm run pulumi -- -C examples/environments config set --secret doover:token <token>
//   npm run pulumi -- -C examples/environments config set doover:organisationId <organisation id>
//   npm run pulumi -- -C examples/environments up
import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, type DooverApplicationArgs, DooverTunnel } from "pulumi-doover";
import { GeneratedPassword } from "./generated-password";

const config = new pulumi.Config();
const suffix = config.get("nameSuffix") ?? "";
const deviceId = config.get("deviceId");
const upstreamStack = config.get("upstreamStack");

const pumpArgs: DooverApplicationArgs = {
  name: `env_pump_controller${suffix}`,
  displayName: "Pump Controller",
  type: "device",
  visibility: "private",
  description: "Runs the pump duty cycle on the site controller.",
  imageName: "ghcr.io/example/pump-controller:2.1.0",
  stagingConfig: {
    display_name: "Pump Controller (staging)",
    image_name: "ghcr.io/example/pump-controller:main",
  },
};
const pump = new DooverApplication("pump-controller", pumpArgs);

const reports = new DooverApplication("weekly-report", {
  name: `env_weekly_report${suffix}`,
  displayName: "Weekly Pump Report",
  type: "report",
  visibility: "private",
  description: "Emails a weekly summary of pump hours and faults.",
  dependsOn: [pump.name],
});

export const pumpAppId = pump.applicationId;
export const reportAppId = reports.applicationId;

// prod also manages the staging build of the same app, on the staging API.
if (config.getBoolean("stagingVariant")) {
  const variant = new DooverApplication("pump-controller-staging", { ...pumpArgs, staging: true });
  exports.pumpStagingAppId = variant.applicationId;
}

if (deviceId) {
  const password = new GeneratedPassword("service-password", { length: 20 });
  const service = new DooverTunnel("service-ui", {
    deviceId,
    name: `service-ui${suffix}`,
    hostname: "127.0.0.1",
    port: 8443,
    protocol: "https",
    username: "service",
    password: password.value,
    disableTlsVerification: true,
  });
  exports.serviceEndpoint = service.endpoint;
}

if (upstreamStack) {
  const upstream = new pulumi.StackReference("upstream", { name: upstreamStack });
  exports.upstreamPumpAppId = upstream.getOutput("pumpAppId");
}
