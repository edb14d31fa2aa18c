// DooverAppInstall: an application installed on a Doover device, with its deployment config, as a
// Pulumi dynamic resource. `pulumi up` rolls the config out and waits for the deployment.

import * as pulumi from "@pulumi/pulumi";
import { registerAdopt, warnWhileAdopting } from "../adopt-resource";
import { RESOURCE_NAME_KEY, resourceLabel } from "../check-names";
import { warnIfNoTokenAtPreview } from "../preview-warnings";
import { rememberInputs } from "../resource-inputs";
import { defineUnsetOutputs, pausePromiseStacks } from "../resource-props";
import { APP_INSTALL_PROVIDER } from "../shim";
import { APP_INSTALL_INPUT_KEYS, APP_INSTALL_OUTPUT_KEYS } from "./app-install-fields";
import { applicationProps } from "./app-install-source";

/** Arguments of a {@link DooverAppInstall}. */
export interface DooverAppInstallArgs {
  /**
   * The application: a `DooverApplication` of this program (its id, name, display name and
   * `configSchema` flow in, and `deploymentConfig` is checked against that schema at preview), or an
   * application id (the schema is then fetched and checked before the first write). Changing it replaces
   * the install.
   */
  application: pulumi.Resource | pulumi.Input<string>;
  /** The device to install on (digits). Changing it replaces the install. */
  deviceId: pulumi.Input<string>;
  /** Install name, unique on the device; defaults to the application's name (as the API does). */
  name?: pulumi.Input<string>;
  /** Name shown for this install (≤100, e.g. "River Pump 1"); defaults to the application's display name. */
  displayName?: pulumi.Input<string>;
  /** Version to run (≤20); unset leaves it to the platform. */
  version?: pulumi.Input<string | null>;
  /**
   * The app's config on this device, validated against the application's `configSchema` (JSON Schema
   * 2020-12 with Doover's keywords; `default`s count as given). Sent as declared. Default `{}`.
   */
  deploymentConfig?: pulumi.Input<Record<string, unknown>>;
  /** Config profiles applied to this install. */
  configProfileIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * After a create, or a change of deploymentConfig/version/configProfileIds, start a deployment and wait
   * for it (default true). A failed, cancelled or timed-out deployment fails `pulumi up` with its log; the
   * install stays in state and the next `up` deploys again.
   */
  deploy?: pulumi.Input<boolean>;
  /** How long `up` waits for a deployment to finish (default 600). */
  deployTimeoutSeconds?: pulumi.Input<number>;
  /** Use the staging API whatever the stack (must match the application's). Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /**
   * Take over the existing install with this name on the device instead of failing: `true`, or its id
   * (`"<id>"`: only that install). Preview says which install it would take over; remove it once `up` took
   * the install over (while it is set, `pulumi destroy` leaves the install in place). The `import` resource
   * option becomes `adopt: "<id>"`.
   */
  adopt?: pulumi.Input<boolean | string>;
}

/** `{id, status, createdAt}` of the install's latest deployment (status QUE, RUN, SUC, FAI or CAN). */
export interface DeploymentSummary {
  id: string;
  status: string;
  createdAt: string;
}

/**
 * A [DooverAppInstall] puts an application on a device with its deployment config and rolls it out.
 * `pulumi destroy` deletes the install (before its application is archived: it depends on it).
 */
export class DooverAppInstall extends pulumi.CustomResource {
  /** The install id (snowflake, as a string). */
  declare readonly installId: pulumi.Output<string>;
  /** `OK` (the device runs the current config), `NO` (out of sync) or `OV` (overrides set). */
  declare readonly synced: pulumi.Output<string | null>;
  declare readonly latestDeployment: pulumi.Output<DeploymentSummary | null>;
  declare readonly archived: pulumi.Output<boolean>;
  declare readonly applicationId: pulumi.Output<string>;
  /** The application's name, when `application` is a DooverApplication. */
  declare readonly applicationName: pulumi.Output<string | undefined>;
  declare readonly deviceId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly displayName: pulumi.Output<string>;
  declare readonly version: pulumi.Output<string | null | undefined>;
  declare readonly deploymentConfig: pulumi.Output<Record<string, unknown>>;
  declare readonly configProfileIds: pulumi.Output<string[] | undefined>;
  declare readonly deploy: pulumi.Output<boolean>;
  declare readonly deployTimeoutSeconds: pulumi.Output<number>;
  declare readonly staging: pulumi.Output<boolean>;
  /** `adopt` as declared: false, true or the pinned id. */
  declare readonly adopt: pulumi.Output<boolean | string>;
  /** True when `up` took over an install that already existed because of `adopt` (or `import`). */
  declare readonly tookOver: pulumi.Output<boolean>;

  constructor(name: string, args: DooverAppInstallArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {};
    for (const k of [...APP_INSTALL_INPUT_KEYS, ...APP_INSTALL_OUTPUT_KEYS]) props[k] = undefined;
    const { application, ...rest } = args;
    Object.assign(props, rest);
    const adopting = registerAdopt("DooverAppInstall", name, args.adopt, opts);
    opts = adopting.opts;
    Object.assign(props, adopting.props);
    Object.assign(props, applicationProps("DooverAppInstall", name, application, args.staging));
    // Check claims (application, device) under this name: a rollout of the same app there fails preview.
    props[RESOURCE_NAME_KEY] = resourceLabel(name, opts?.parent && pulumi.resourceName(opts.parent));
    props.__provider = APP_INSTALL_PROVIDER; // the stored provider text (see shim.ts)
    const stacks = pausePromiseStacks();
    try {
      super("pulumi-nodejs:dynamic/doover:AppInstall", name, props, opts);
    } catch (e) {
      stacks.restack(e, DooverAppInstall);
      throw e;
    } finally {
      stacks.resume();
    }
    rememberInputs(this, props);
    warnIfNoTokenAtPreview();
    if (adopting.declared) warnWhileAdopting(this, "DooverAppInstall", "app install", this);
  }
}

defineUnsetOutputs(DooverAppInstall, { tookOver: () => false }); // registered only with `adopt`/`import`
