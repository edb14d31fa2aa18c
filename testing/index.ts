// `pulumi-doover/testing`: unit-test a Pulumi program that uses DooverApplication / DooverTunnel /
// DooverAppInstall / DooverRollout with `pulumi.runtime.setMocks`, getting the same input failures `pulumi preview`
// reports and realistic outputs, without an API, a token or the engine. `getDevice` / `getDevices` (and a
// rollout's device group) answer from the `fleet` the test declares.
//
//   import { setDooverMocks } from "pulumi-doover/testing";
//   setDooverMocks();                       // before the program module is loaded
//   const infra = await import("../index.js");  // then assert on `await outputValue(infra.someOutput)`

import "../sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PREVIEW_KEY } from "../provider/adopt";
import { appInstallComputed } from "../provider/app-install/app-install-fields";
import { check as checkAppInstall } from "../provider/app-install/app-install-provider";
import { computedOutputs, deploymentHash } from "../provider/application/application-fields";
import { check as checkApplication } from "../provider/application/application-provider";
import { resetNameClaims } from "../provider/check-names";
import type { FleetReader } from "../provider/lookup/fleet-reader";
import { credentialsNotNeeded } from "../provider/preview-warnings";
import { inputsOf } from "../provider/resource-inputs";
import { checkRolloutInputs } from "../provider/rollout/rollout-check";
import type { GroupSelector, WaveSpec } from "../provider/rollout/rollout-fields";
import { managedOf } from "../provider/rollout/rollout-preview";
import { claimDevices } from "../provider/rollout/rollout-provider";
import {
  type DeviceRecord,
  packDeviceIds,
  packRecords,
  releaseHash,
  releaseOf,
  unpackDeviceIds,
} from "../provider/rollout/rollout-records";
import { totalsOf } from "../provider/rollout/rollout-report";
import { splitWaves, waveSizesText } from "../provider/rollout/rollout-waves";
import { tunnelComputed } from "../provider/tunnel/tunnel-fields";
import { check as checkTunnel } from "../provider/tunnel/tunnel-provider";
import { deploymentZip } from "../sdk";
import { type DooverMockFleet, mockFleetReader } from "./mock-fleet";
import { snowflake } from "./mock-ids";

/** Type token of every `DooverApplication` (what `MockResourceArgs.type` holds). */
export const APPLICATION_TYPE = "pulumi-nodejs:dynamic/doover:Application";
/** Type token of every `DooverTunnel`. */
export const TUNNEL_TYPE = "pulumi-nodejs:dynamic/doover:Tunnel";
/** Type token of every `DooverAppInstall`. */
export const APP_INSTALL_TYPE = "pulumi-nodejs:dynamic/doover:AppInstall";
/** Type token of every `DooverRollout`. */
export const ROLLOUT_TYPE = "pulumi-nodejs:dynamic/doover:Rollout";

const KIND: Record<string, string> = {
  [APPLICATION_TYPE]: "DooverApplication",
  [TUNNEL_TYPE]: "DooverTunnel",
  [APP_INSTALL_TYPE]: "DooverAppInstall",
  [ROLLOUT_TYPE]: "DooverRollout",
};

export type { DooverMockDevice, DooverMockFleet, DooverMockGroup } from "./mock-fleet";

const BRAND = "DooverCheckError";

/** One rejected input, as `pulumi preview` reports it. */
export interface DooverCheckFailure {
  property: string;
  reason: string;
}

/**
 * A Doover resource's inputs failed the provider's `check` (the same validation `pulumi preview` runs).
 * Registration of the resource fails with it, so awaiting any of its outputs rejects.
 */
export class DooverCheckError extends Error {
  readonly code = BRAND;
  constructor(
    /** Pulumi type token of the resource. */
    readonly resourceType: string,
    /** The resource's name in the program. */
    readonly resourceName: string,
    /** Every rejected input. */
    readonly failures: DooverCheckFailure[],
  ) {
    const kind = KIND[resourceType] ?? "DooverApplication";
    super(
      `${kind} "${resourceName}" has invalid inputs (pulumi preview would fail the same way):\n` +
        failures.map((f) => `  - ${f.property}: ${f.reason}`).join("\n"),
    );
    this.name = "DooverCheckError";
  }

  /** True for a DooverCheckError from any copy of this package. */
  static isInstance(e: unknown): e is DooverCheckError {
    return typeof e === "object" && e !== null && (e as { code?: unknown }).code === BRAND;
  }
}

/** Options of `DooverMocks` and `setDooverMocks`. */
export interface DooverMocksOptions {
  /**
   * Organisation of apps that declare no `organisationId` (what `doover:organisationId` would give).
   * Default: `doover:organisationId` from the mocked config, else "100000000000000001".
   */
  organisationId?: string;
  /** Name of that organisation in outputs (default "Mock Organisation"). */
  organisationName?: string;
  /**
   * The devices and groups `getDevice` / `getDevices` see (default: none). Under mocks the lookups never call
   * the API; they answer from this fleet with the same rules (names, paths, archived devices, errors).
   */
  fleet?: DooverMockFleet;
}

/**
 * `pulumi.runtime.Mocks` for programs using pulumi-doover: each `DooverApplication`, `DooverTunnel` and
 * `DooverAppInstall` (deploymentConfig checked against its application's declared configSchema) goes
 * through the provider's real `check` (invalid inputs throw a `DooverCheckError` naming the property, as
 * preview does) and gets realistic outputs: snowflake-style ids derived from the resource name (stable
 * across runs), `applicationId`, `organisation`, `archived: false`, `deploymentHash`; `tunnelId`,
 * `endpoint`, `endpointId`, `isActive`. Every other resource type and every call goes to `userMocks`
 * (default: id `<name>_id`, state = inputs; calls return `{}`). `getDevice` / `getDevices` answer from the
 * `fleet` option (devices and groups the test declares), never from the API.
 */
export class DooverMocks implements pulumi.runtime.Mocks {
  constructor(
    private readonly userMocks?: Partial<pulumi.runtime.Mocks>,
    private readonly options: DooverMocksOptions = {},
  ) {}

  async newResource(
    args: pulumi.runtime.MockResourceArgs,
  ): Promise<{ id: string | undefined; state: Record<string, unknown> }> {
    if (!(args.type in KIND)) {
      if (this.userMocks?.newResource) return this.userMocks.newResource(args);
      return { id: args.id ?? `${args.name}_id`, state: args.inputs };
    }
    // `Resource.get(...)`: a read of an existing object, nothing to check.
    if (args.id) return { id: args.id, state: args.inputs };
    const check =
      args.type === APPLICATION_TYPE ? checkApplication : args.type === TUNNEL_TYPE ? checkTunnel : checkAppInstall;
    // The provider sees plain values (the engine unwraps secrets); mocks get them wrapped.
    const secretKeys = Object.keys(args.inputs).filter((k) => hasSecret(args.inputs[k]));
    if (args.type === ROLLOUT_TYPE) return await this.rollout(args, secretKeys);
    // Mocks never call the API: no preview lookup for `adopt` (the flag only matters to a real provider).
    const { [PREVIEW_KEY]: _preview, ...declared } = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const { inputs, failures } = await check({}, declared);
    if (failures.length > 0) throw new DooverCheckError(args.type, args.name, failures);
    const id = snowflake(`${args.type}/${args.name}`);
    const computed =
      args.type === APPLICATION_TYPE
        ? this.applicationOutputs(id, inputs)
        : args.type === TUNNEL_TYPE
          ? tunnelOutputs(id, inputs)
          : appInstallOutputs(id, inputs);
    const state: Record<string, unknown> = { ...inputs, ...computed };
    for (const k of secretKeys) if (k in state) state[k] = wrapSecret(state[k]);
    return { id, state };
  }

  /** A DooverRollout as a completed `up` leaves it (held after `holdAfterWave`): every device at the target. */
  private async rollout(
    args: pulumi.runtime.MockResourceArgs,
    secretKeys: string[],
  ): Promise<{ id: string; state: Record<string, unknown> }> {
    const news = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const { inputs, failures } = checkRolloutInputs(news);
    const selector = inputs.devices as GroupSelector | undefined;
    if (failures.length === 0 && selector !== undefined) {
      // The group's devices come from the declared fleet, as the lookups' do.
      const reader = this.dooverFleetReader();
      const group = (await reader.groups()).find((g) => g.id === selector.group);
      if (group) {
        const devices = await reader.devicesInGroup(group, {
          includeSubgroups: selector.subgroups !== false,
          includeArchived: false,
        });
        inputs.deviceIds = packDeviceIds(
          devices.map((d) => String(d.id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
        );
      } else {
        failures.push({
          property: "devices",
          reason:
            `devices: group ${selector.group} is not a group of the mocked fleet (declare it, with its devices, in ` +
            "setDooverMocks(…, { fleet: { groups, devices } }))",
        });
      }
    }
    if (failures.length === 0) failures.push(...claimDevices(news, inputs));
    if (failures.length > 0) throw new DooverCheckError(args.type, args.name, failures);
    const id = `rollout-${snowflake(`${args.type}/${args.name}`).slice(-12)}`;
    const fleet = unpackDeviceIds(inputs.deviceIds);
    const release = releaseOf(inputs.deploymentConfig, inputs.version, inputs.configProfileIds, managedOf(inputs));
    const hash = releaseHash(release);
    const waves = splitWaves(inputs.waves as WaveSpec[], fleet);
    const hold = typeof inputs.holdAfterWave === "number" ? inputs.holdAfterWave : waves.length;
    const records = new Map<string, DeviceRecord>();
    waves.forEach((members, w) => {
      for (const d of members) {
        records.set(
          d,
          w < hold
            ? {
                code: "SUC",
                installId: snowflake(`install/${args.name}/${d}`),
                deploymentId: snowflake(`deployment/${args.name}/${d}`),
                release: hash,
                previous: "-",
              }
            : { code: "PEN", previous: "-" },
        );
      }
    });
    const done = [...records.values()].filter((r) => r.code === "SUC").length;
    const state: Record<string, unknown> = {
      ...inputs,
      name: inputs.name ?? "mock_install",
      displayName: inputs.displayName ?? "Mock install",
      status: hold < waves.length ? "held" : "completed",
      configHash: hash,
      records: packRecords(records),
      releases: { [hash]: release },
      waveResults: waves.map((members, w) => ({
        wave: w + 1,
        devices: members.length,
        succeeded: w < hold ? members.length : 0,
        failed: 0,
        timedOut: 0,
        alreadyAtTarget: 0,
        status: w < hold ? "passed" : "held",
      })),
      totals: totalsOf(records, { deploymentsStarted: done, installsCreated: done, installsRemoved: 0 }),
      plan: {
        devices: fleet.length,
        waves: waveSizesText(inputs.waves as WaveSpec[], fleet.length),
        changes: done,
        install: String(done),
        deploy: "0",
        atTarget: 0,
      },
    };
    delete state.__dooverResource;
    for (const k of [...secretKeys, "releases"]) if (k in state) state[k] = wrapSecret(state[k]);
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult | Promise<pulumi.runtime.MockCallResult> {
    return this.userMocks?.call ? this.userMocks.call(args) : {};
  }

  private fleetReader?: FleetReader;

  /** What the lookup functions read under these mocks (the declared `fleet`). */
  dooverFleetReader(): FleetReader {
    this.fleetReader ??= mockFleetReader(this.options.fleet ?? {}, {
      id: this.organisationId(),
      name: this.options.organisationName ?? "Mock Organisation",
    });
    return this.fleetReader;
  }

  private organisationId(): string {
    return this.options.organisationId ?? new pulumi.Config("doover").get("organisationId") ?? "100000000000000001";
  }

  private applicationOutputs(id: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const orgId = (inputs.organisationId as string | undefined) ?? this.organisationId();
    const outs = computedOutputs({
      id,
      archived: false,
      organisation: { id: orgId, name: this.options.organisationName ?? "Mock Organisation" },
      approx_installs: 0,
    } as never);
    if (typeof inputs.deploymentFolder === "string") {
      outs.deploymentHash = deploymentHash(deploymentZip(path.resolve(inputs.deploymentFolder)).data);
    }
    return outs;
  }
}

function tunnelOutputs(id: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const endpointId = createHash("sha256").update(id).digest("hex").slice(0, 16);
  const protocol = String(inputs.protocol ?? "http");
  const endpoint =
    protocol === "http" || protocol === "https"
      ? `https://${endpointId}.tunnels.mock.doover.local`
      : `${protocol}://${endpointId}.tunnels.mock.doover.local:${20000 + (parseInt(endpointId.slice(0, 4), 16) % 10000)}`;
  // Tunnels are created inactive; `active: true` activates them.
  return tunnelComputed({ id, endpoint, endpoint_id: endpointId, is_active: inputs.active === true } as never);
}

/** An install as `pulumi up` leaves it: deployed (SUC, synced) unless `deploy: false`. */
function appInstallOutputs(id: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const deployed = inputs.deploy !== false;
  const latest = deployed
    ? {
        id: snowflake(`deployment/${id}`),
        app_install: id,
        status: "SUC",
        created_at: "2026-01-01T00:00:00.000Z",
        log_output: "",
        deployment_config: inputs.deploymentConfig ?? {},
        docker_message_id: null,
      }
    : null;
  const outs = appInstallComputed({
    id,
    archived: false,
    synced: deployed ? "OK" : "NO",
    latest_deployment: latest,
  } as never);
  // With only an application id, name and display name come from the application at create: stand-ins here.
  return { name: inputs.name ?? "mock_install", displayName: inputs.displayName ?? "Mock install", ...outs };
}

function isSecret(v: unknown): v is { value: unknown } {
  const o = v as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && o[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

function hasSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(hasSecret);
  return typeof v === "object" && v !== null && Object.values(v).some(hasSecret);
}

function unwrapSecrets(v: unknown): unknown {
  if (isSecret(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
}

function wrapSecret(value: unknown): unknown {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * Installs `DooverMocks` with `pulumi.runtime.setMocks`. Call it before the program module is loaded.
 * `userMocks` handles every non-Doover resource and every call; `project`/`stack` name the mocked stack
 * (config keys are read as `<project>:<key>`), `preview` mocks a preview instead of an update.
 */
export function setDooverMocks(
  userMocks?: Partial<pulumi.runtime.Mocks>,
  options: DooverMocksOptions & { project?: string; stack?: string; preview?: boolean; organization?: string } = {},
): Promise<void> {
  const { project, stack, preview, organization, ...mockOptions } = options;
  resetNameClaims(); // a new mocked program: no resource of an earlier one claims devices or names
  credentialsNotNeeded(); // no "no Doover API token" warning in mocked previews
  return Promise.resolve(
    pulumi.runtime.setMocks(new DooverMocks(userMocks, mockOptions), project, stack, preview, organization),
  );
}

/**
 * The value of an output in a mocked test, as a promise: resolves once the resource is registered, rejects
 * when registration failed (e.g. a `DooverCheckError` from invalid inputs), also when it failed for a
 * resource this one depends on (the install of an invalid application rejects with the application's error).
 * Unknown values resolve to `undefined`.
 */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  // Output's own promise carries registration errors; `apply` alone would never call back on one.
  const internal = (output as unknown as { promise?: () => Promise<T> }).promise;
  const own = typeof internal === "function" ? internal.call(output) : new Promise<T>((r) => output.apply(r));
  // @pulumi/pulumi before 3.27x never settles the outputs of a resource whose input comes from a failed
  // resource (its registration is dropped, not failed): the dependency's error is raced in from its inputs.
  return Promise.race([own, dependencyFailure(output)]);
}

/** Rejects with the first error among the inputs of the Doover resources `output` belongs to (transitively). */
function dependencyFailure(output: unknown, seen = new Set<object>()): Promise<never> {
  const owners = (output as { resources?: () => Set<object> }).resources?.() ?? new Set<object>();
  const failures: Promise<never>[] = [];
  for (const resource of owners) {
    if (seen.has(resource)) continue;
    seen.add(resource);
    const props = inputsOf(resource);
    if (props) failures.push(...inputFailures(props, seen));
  }
  return failures.length === 0 ? new Promise<never>(() => undefined) : Promise.race(failures);
}

function inputFailures(value: unknown, seen: Set<object>): Promise<never>[] {
  if (pulumi.Output.isInstance(value)) {
    const own = (value as unknown as { promise(): Promise<unknown> })
      .promise()
      .then(() => new Promise<never>(() => undefined));
    return [own, dependencyFailure(value, seen)];
  }
  if (value instanceof Promise) return [value.then(() => new Promise<never>(() => undefined))];
  if (Array.isArray(value)) return value.flatMap((v) => inputFailures(v, seen));
  if (typeof value === "object" && value !== null && !pulumi.Resource.isInstance(value)) {
    return Object.values(value).flatMap((v) => inputFailures(v, seen));
  }
  return [];
}
