// DooverRollout `check`, the part that reads the API (preview included): the devices of a group, listed
// devices that do not exist, deploymentConfig against the live application's schema when the program gave
// only its id, installs the rollout would take over without `adopt`, and the plan: how many devices this
// `up` installs, deploys, leaves at the target, and which joined or left. The plan is an input, so a
// preview diff shows those counts (a few lines) instead of a line per device.

import type { AppInstallData, Client } from "../../sdk";
import { deploymentConfigFailures } from "../app-install/app-install-check";
import { CONFIG_CHECKED_KEY } from "../app-install/app-install-fields";
import { type CheckFailure, isUnknown } from "../inputs";
import { call } from "../props";
import { classify, type Managed } from "./rollout-classify";
import type { GroupSelector, WaveSpec } from "./rollout-fields";
import { installsByDevice, listApplicationInstalls, listPaged, resolveGroup, unknownDevices } from "./rollout-live";
import { packDeviceIds, releaseOf, unpackDeviceIds } from "./rollout-records";
import { sample } from "./rollout-run";
import { splitWaves, waveSizesText } from "./rollout-waves";

/** What the preview shows for a rollout (every value a number or a one-line string). */
export interface RolloutPlan {
  devices: number;
  /** wave sizes, e.g. "2, 298, 700" */
  waves: string;
  /** devices this `up` installs on or deploys to (retries included), and uninstalls from */
  changes: number;
  install: string;
  deploy: string;
  atTarget: number;
  /** deployments of the target already running (an interrupted `up`): waited for */
  running?: number;
  /** devices of waves after `holdAfterWave` that are not at the target */
  held?: number;
  joined?: string;
  left?: string;
}

/** The fleet in order: a listed one as given, a group's from the API. */
export async function resolveFleet(client: Client, inputs: Record<string, unknown>): Promise<string[] | undefined> {
  const devices = inputs.devices as GroupSelector | undefined;
  if (devices !== undefined) {
    if (isUnknown(devices)) return undefined;
    return call(`listing the devices of group ${devices.group}`, () => resolveGroup(client, devices));
  }
  return isUnknown(inputs.deviceIds) ? undefined : unpackDeviceIds(inputs.deviceIds);
}

/** Which install fields the program manages. */
export function managedOf(inputs: Record<string, unknown>): Managed {
  return { version: inputs.version !== undefined, configProfileIds: inputs.configProfileIds !== undefined };
}

/** "3 (a, b, c)", or "0". */
function counted(ids: readonly string[]): string {
  return ids.length === 0 ? "0" : `${ids.length} (${sample(ids, 3)})`;
}

/**
 * Resolves the fleet into `inputs.deviceIds`, checks what needs the API, and sets `inputs.plan`. `olds` are the
 * stored inputs (empty on create): their `deviceIds` are the devices this rollout already manages.
 */
export async function previewRollout(
  client: Client,
  olds: Record<string, unknown>,
  inputs: Record<string, unknown>,
  opts: { adoptExisting: boolean },
): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  const fleet = await resolveFleet(client, inputs);
  if (fleet === undefined) return failures;
  inputs.deviceIds = packDeviceIds(fleet);
  if (inputs.devices === undefined && fleet.length > 0) {
    const missing = await call("checking the listed devices", () => unknownDevices(client, fleet));
    if (missing.length > 0) {
      failures.push({
        property: "devices",
        reason:
          `devices: ${counted(missing)} ${missing.length === 1 ? "is not a device" : "are not devices"} this token can ` +
          "see (check the ids, and doover:organisationId)",
      });
    }
  }
  const known = new Set(unpackDeviceIds(olds.deviceIds));
  const joined = known.size === 0 ? [] : fleet.filter((d) => !known.has(d));
  const inFleet = new Set(fleet);
  const left = [...known].filter((d) => !inFleet.has(d));

  const appId = await applicationIdOf(client, inputs);
  if (appId === null) return failures;
  let installs: AppInstallData[] = [];
  // The install name: declared, or the application's (read below when the program gave only its id).
  let name = typeof inputs.name === "string" && !isUnknown(inputs.name) ? inputs.name : undefined;
  if (appId !== undefined) {
    const unchecked = inputs[CONFIG_CHECKED_KEY] !== true && !isUnknown(inputs.deploymentConfig);
    if (unchecked || (name === undefined && inputs.name === undefined)) {
      const app = await call(`reading application ${appId}`, () => client.applications.retrieve(appId));
      if (unchecked) failures.push(...deploymentConfigFailures(app.config_schema ?? null, inputs.deploymentConfig));
      name ??= app.name;
    }
    installs = await call(`listing the installs of application ${appId}`, () => listApplicationInstalls(client, appId));
    failures.push(...(await profileFailures(client, appId, inputs.configProfileIds)));
  }
  if (isUnknown(inputs.deploymentConfig) || isUnknown(inputs.version) || isUnknown(inputs.configProfileIds)) {
    inputs.plan = basicPlan(inputs, fleet, joined, left);
    return failures;
  }
  const byDevice = installsByDevice(installs, name ?? "");
  const managed = managedOf(inputs);
  const target = releaseOf(inputs.deploymentConfig, inputs.version, inputs.configProfileIds, managed);
  const waves = splitWaves(inputs.waves as WaveSpec[], fleet);
  const hold = typeof inputs.holdAfterWave === "number" ? inputs.holdAfterWave : waves.length;
  const install: string[] = [];
  const deploy: string[] = [];
  const notOwned: string[] = [];
  let atTarget = 0;
  let running = 0;
  let held = 0;
  waves.forEach((members, w) => {
    for (const d of members) {
      const existing = byDevice.get(d);
      const need = classify(existing, undefined, target, managed);
      if (existing && !known.has(d)) notOwned.push(d);
      if (need.kind === "atTarget") atTarget++;
      else if (w >= hold) held++;
      else if (need.kind === "inFlight") running++;
      else if (need.kind === "install") install.push(d);
      else deploy.push(d);
    }
  });
  if (notOwned.length > 0 && inputs.adopt !== true && !opts.adoptExisting) {
    failures.push({
      property: "devices",
      reason:
        `devices: ${counted(notOwned)} already have an install of application ${String(inputs.name ?? appId)} that ` +
        "this rollout does not manage. Set `adopt: true` to take them over (they are updated to this rollout's " +
        "config; while `adopt` is declared, `pulumi destroy` leaves them in place), or leave those devices out. " +
        "After an interrupted `pulumi up`, run `pulumi up -c doover:adoptExisting=true` once instead.",
    });
  }
  if (install.length > 0 && name !== undefined)
    failures.push(...(await nameTakenFailures(client, name, appId, install)));
  const removing = inputs.onDeviceRemoved === "keep" ? 0 : left.length;
  const plan: RolloutPlan = {
    devices: fleet.length,
    waves: waveSizesText(inputs.waves as WaveSpec[], fleet.length),
    changes: install.length + deploy.length + removing,
    install: counted(install),
    deploy: counted(deploy),
    atTarget,
  };
  if (running) plan.running = running;
  if (held) plan.held = held;
  if (joined.length) plan.joined = counted(joined);
  if (left.length) plan.left = `${counted(left)}: ${inputs.onDeviceRemoved === "keep" ? "kept" : "uninstalled"}`;
  inputs.plan = plan;
  return failures;
}

/**
 * Devices about to get an install whose name another application's install already holds there (names are
 * unique per device): one paged list of the installs of that name, not a GET per device.
 */
async function nameTakenFailures(
  client: Client,
  name: string,
  appId: string | undefined,
  devices: readonly string[],
): Promise<CheckFailure[]> {
  const wanted = new Set(devices);
  const named = await call(`listing the installs named "${name}"`, () =>
    listPaged<AppInstallData>(client, "/app_installs/", { name, ordering: "id" }),
  );
  const taken = named.filter(
    (i) => i.name === name && wanted.has(String(i.device?.id)) && String(i.application?.id) !== String(appId),
  );
  if (taken.length === 0) return [];
  const apps = [...new Set(taken.map((i) => String(i.application?.name ?? i.application?.id)))];
  return [
    {
      property: "name",
      reason:
        `name: ${counted(taken.map((i) => String(i.device?.id)))} already have an install named "${name}" of ` +
        `another application (${apps.join(", ")}); install names are unique per device. Give the rollout another ` +
        "`name`, or leave those devices out.",
    },
  ];
}

/** `configProfileIds` that are not profiles of the application (every device's install would refuse them). */
async function profileFailures(client: Client, appId: string, ids: unknown): Promise<CheckFailure[]> {
  if (!Array.isArray(ids) || ids.length === 0 || isUnknown(ids)) return [];
  const profiles = await call(`listing the config profiles of application ${appId}`, () =>
    client.configProfiles.list(appId),
  );
  const known = new Set(profiles.map((p) => String(p.id)));
  return ids.flatMap((id, i) =>
    known.has(String(id))
      ? []
      : [
          {
            property: `configProfileIds[${i}]`,
            reason:
              `configProfileIds[${i}]: ${String(id)} is not a config profile of application ${appId} (list them ` +
              `with client.configProfiles.list("${appId}") or GET /applications/${appId}/config_profiles/)`,
          },
        ],
  );
}

/** The plan without live installs (config not known yet): sizes only. */
function basicPlan(
  inputs: Record<string, unknown>,
  fleet: string[],
  joined: string[],
  left: string[],
): Record<string, unknown> {
  const plan: Record<string, unknown> = {
    devices: fleet.length,
    waves: waveSizesText(inputs.waves as WaveSpec[], fleet.length),
  };
  if (joined.length) plan.joined = counted(joined);
  if (left.length) plan.left = counted(left);
  return plan;
}

/**
 * The application's id: as given; by its (globally unique) name while the id is unknown in a preview; null
 * when neither is known. Undefined when the application does not exist yet (every device gets an install).
 */
async function applicationIdOf(client: Client, inputs: Record<string, unknown>): Promise<string | undefined | null> {
  const id = inputs.applicationId;
  if (typeof id === "string" && !isUnknown(id)) return id;
  const name = inputs.applicationName;
  if (typeof name !== "string" || isUnknown(name)) return null;
  const found = await call(`looking up application "${name}"`, () =>
    client.applications.list({ name, archived: false } as never),
  );
  const app = found.find((a) => a.name === name);
  return app ? String(app.id) : undefined;
}
