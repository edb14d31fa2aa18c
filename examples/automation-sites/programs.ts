// The inline programs the driver (sites.ts) runs: the `apps` stack publishes the pump monitor application once;
// each site's stack installs it on that site's devices with the site's config.
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { DooverAppInstall, DooverApplication } from "pulumi-doover";

/** One site of sites.json: its stack is named after it. */
export interface Site {
  /** Stack name and the `site` value of the config (letters, digits, `-`, `_`). */
  name: string;
  displayName?: string;
  deviceIds: string[];
  /** Deployment config of the monitor on this site's devices (checked against the app's configSchema). */
  config?: Record<string, unknown>;
}

/** sites.json. */
export interface Sites {
  /** The application's name (unique across Doover). */
  applicationName: string;
  sites: Site[];
}

/** The `apps` stack: the application every site installs. Outputs `applicationId`. */
export function appsProgram(sites: Sites): PulumiFn {
  return async () => {
    const monitor = new DooverApplication("pump-monitor", {
      name: sites.applicationName,
      displayName: "Pump Monitor",
      type: "device",
      visibility: "private",
      allowMany: true,
      description: "Reads pump pressure and flow on the device and raises alarms.",
      configSchema: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: {
          site: { type: "string", "x-name": "Site name" },
          max_pressure_kpa: { type: "number", default: 450, minimum: 0, maximum: 1000 },
          sample_seconds: { type: "integer", default: 1, minimum: 1 },
        },
        required: ["site"],
        additionalProperties: false,
      },
    });
    return { applicationId: monitor.id };
  };
}

/** A site's stack: the monitor on each of its devices. Outputs the install ids and deployment statuses. */
export function siteProgram(site: Site, applicationId: string): PulumiFn {
  return async () => {
    const installs = site.deviceIds.map(
      (deviceId, i) =>
        new DooverAppInstall(`monitor-${i + 1}`, {
          application: applicationId,
          deviceId,
          displayName: `Pump monitor – ${site.displayName ?? site.name} ${i + 1}`,
          deploymentConfig: { site: site.name, ...site.config },
        }),
    );
    return {
      installIds: installs.map((i) => i.id),
      deployments: installs.map((i) => i.latestDeployment.apply((d) => d?.status ?? "none")),
    };
  };
}
