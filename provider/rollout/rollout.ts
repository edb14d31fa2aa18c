// DooverRollout: one application installed and deployed on a fleet of devices in waves (a canary first),
// with a failure threshold per wave, stop or roll back, hold and resume. One resource for the whole fleet.

import * as pulumi from "@pulumi/pulumi";
import { applicationProps } from "../app-install/app-install-source";
import { RESOURCE_NAME_KEY, resourceLabel } from "../check-names";
import { pausePromiseStacks } from "../resource-props";
import { ROLLOUT_PROVIDER } from "../shim";
import type { RolloutStatus, WaveSpec } from "./rollout-fields";
import type { RolloutPlan } from "./rollout-preview";
import { type DeviceResult, deviceResults, packDeviceIds } from "./rollout-records";
import type { Totals, WaveResult } from "./rollout-report";

/** A device group as the fleet: its devices (and, with `subgroups` — the default — every subgroup's). */
export interface DooverDeviceGroup {
  /** The group id (digits). */
  group: pulumi.Input<string>;
  /** Include the devices of every group under it (`group_tree`); default true. */
  subgroups?: pulumi.Input<boolean>;
}

/** One wave: `{ devices: 2 }` (a count, e.g. the canary) or `{ percent: 30 }`, counted cumulatively. */
export type DooverRolloutWave = { devices: number; percent?: undefined } | { percent: number; devices?: undefined };

/** Arguments of a {@link DooverRollout}. */
export interface DooverRolloutArgs {
  /**
   * The application: a `DooverApplication` of this program (its schema checks `deploymentConfig` at preview),
   * or an application id (the schema is then read from the API at preview). Changing it replaces the rollout.
   */
  application: pulumi.Resource | pulumi.Input<string>;
  /**
   * The fleet: device ids (in rollout order: the first ones are the canary), or a device group resolved at
   * every preview (devices that join get the current release on the next `up`; see `onDeviceRemoved`).
   */
  devices: pulumi.Input<pulumi.Input<string>[]> | DooverDeviceGroup;
  /** The app's config on every device, validated against the application's `configSchema`. Default `{}`. */
  deploymentConfig?: pulumi.Input<Record<string, unknown>>;
  /** Version to run (≤20); unset leaves it to the platform. */
  version?: pulumi.Input<string | null>;
  /** Config profiles applied to every install. */
  configProfileIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Install name on each device; defaults to the application's name. */
  name?: pulumi.Input<string>;
  /** Display name of each install; defaults to the application's display name. */
  displayName?: pulumi.Input<string>;
  /**
   * Cumulative waves, e.g. `[{ devices: 2 }, { percent: 30 }, { percent: 100 }]`; the last takes the rest.
   * A wave starts only when the one before passed. Default `[{ devices: 1 }, { percent: 100 }]`.
   */
  waves?: pulumi.Input<DooverRolloutWave[]>;
  /**
   * A wave fails when more than `percent` of its finished devices failed, judged once `minDevices` finished
   * (or the whole wave, when smaller). Default `{ percent: 0, minDevices: 1 }`: any failure stops.
   */
  failureThreshold?: pulumi.Input<{ percent?: number; minDevices?: number }>;
  /** A deployment still queued or running after this long counts as failed (default 600). */
  deviceTimeoutSeconds?: pulumi.Input<number>;
  /**
   * When a wave fails: `"stop"` (default: no later wave starts, `up` fails with a table of the failed
   * devices) or `"rollback"` (also redeploys, to every device this rollout changed, what it ran before).
   */
  onFailure?: pulumi.Input<"stop" | "rollback">;
  /**
   * Stop after this wave (1 = after the canary) and succeed; remove it (or raise it) and `up` again to
   * continue from there.
   */
  holdAfterWave?: pulumi.Input<number>;
  /** A device that leaves the fleet: `"uninstall"` (default) or `"keep"` its install (no longer managed). */
  onDeviceRemoved?: pulumi.Input<"uninstall" | "keep">;
  /** How many devices of a wave are installed/deployed at once (default 16); the API limiter applies too. */
  maxParallelDeployments?: pulumi.Input<number>;
  /** Use the staging API whatever the stack (must match the application's). Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /** Take over installs of the application that already exist on the devices, instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

/** Outputs the provider computes (registered so the engine returns them). */
const COMPUTED = ["status", "configHash", "records", "releases", "waveResults", "totals", "plan"] as const;

/**
 * A [DooverRollout] installs an application on a fleet of devices and deploys its config in waves. `pulumi
 * up` prints a status line every few seconds; a failed wave fails the `up` with a table of failed devices.
 * `pulumi destroy` deletes every install it manages.
 */
export class DooverRollout extends pulumi.CustomResource {
  /** `completed`, `held` (holdAfterWave), `stopped` or `rolledBack` after the last `up`. */
  declare readonly status: pulumi.Output<RolloutStatus>;
  /** Fingerprint of the target release (config, version, profiles): each device's `configHash` when it runs it. */
  declare readonly configHash: pulumi.Output<string>;
  /** Per device: `{ installId, status, deploymentId, configHash }`. */
  declare readonly deviceResults: pulumi.Output<Record<string, DeviceResult>>;
  /** Per wave: devices, succeeded, failed, timedOut, alreadyAtTarget, status. */
  declare readonly waveResults: pulumi.Output<WaveResult[]>;
  /** Fleet totals after the last `up`, and what that `up` did. */
  declare readonly totals: pulumi.Output<Totals>;
  /** What the last preview planned: device counts per change. */
  declare readonly plan: pulumi.Output<RolloutPlan>;
  /** The per-device records, packed (see `deviceResults`). */
  declare readonly records: pulumi.Output<string>;
  declare readonly applicationId: pulumi.Output<string>;
  declare readonly deploymentConfig: pulumi.Output<Record<string, unknown>>;
  declare readonly waves: pulumi.Output<WaveSpec[]>;

  constructor(name: string, args: DooverRolloutArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {};
    const { application, devices, ...rest } = args;
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) props[k] = v;
    for (const k of COMPUTED) props[k] = undefined;
    // A list travels as one string (a preview line, not one per device); a group as it is.
    props.devices = (pulumi.output(devices as pulumi.Input<unknown>) as pulumi.Output<unknown>).apply((d: unknown) =>
      Array.isArray(d) ? packDeviceIds(d.map(String)) : d,
    );
    Object.assign(props, applicationProps("DooverRollout", name, application, args.staging));
    props[RESOURCE_NAME_KEY] = resourceLabel(name, opts?.parent && pulumi.resourceName(opts.parent));
    props.__provider = ROLLOUT_PROVIDER; // the stored provider text (see shim.ts)
    // Previous releases (for rollbacks) hold configs: always encrypted in state.
    const options: pulumi.CustomResourceOptions = {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "releases"],
    };
    const stacks = pausePromiseStacks();
    try {
      super("pulumi-nodejs:dynamic/doover:Rollout", name, props, options);
    } catch (e) {
      stacks.restack(e, DooverRollout);
      throw e;
    } finally {
      stacks.resume();
    }
    (this as { deviceResults: pulumi.Output<Record<string, DeviceResult>> }).deviceResults = this.records.apply(
      (packed) => deviceResults(packed),
    );
  }
}
