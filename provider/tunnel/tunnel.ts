// DooverTunnel: a tunnel to a port on a Doover device as a Pulumi dynamic resource.

import * as pulumi from "@pulumi/pulumi";
import type { TunnelProtocol } from "../../sdk";
import { registerAdopt, warnWhileAdopting } from "../adopt-resource";
import { RESOURCE_NAME_KEY, resourceLabel } from "../check-names";
import { warnIfNoTokenAtPreview } from "../preview-warnings";
import { rememberInputs } from "../resource-inputs";
import { declaredProps, defineIdOutput, defineUnsetOutputs, pausePromiseStacks } from "../resource-props";
import { TUNNEL_PROVIDER } from "../shim";
import { TUNNEL_INPUT_KEYS, TUNNEL_OUTPUT_KEYS } from "./tunnel-fields";

/** Arguments of a {@link DooverTunnel}. */
export interface DooverTunnelArgs {
  /** The device the tunnel reaches into (its id, digits). Changing it replaces the tunnel. */
  deviceId: pulumi.Input<string>;
  /** Target host or IP on the device side (≤200). */
  hostname: pulumi.Input<string>;
  /** Target port, 1-65535. */
  port: pulumi.Input<number>;
  /** `"tcp"`, `"rtsp"`, `"http"` or `"https"`. Changing it replaces the tunnel. */
  protocol: pulumi.Input<TunnelProtocol>;
  /** Tunnel name (≤200), unique on the device; defaults to the Pulumi resource name. */
  name?: pulumi.Input<string>;
  /** Idle timeout in seconds (a positive integer). */
  timeout?: pulumi.Input<number>;
  /** Restrict access to the addresses in `ipWhitelist`. */
  ipRestricted?: pulumi.Input<boolean>;
  /** Addresses allowed when `ipRestricted`: IPv4/IPv6 addresses or CIDR ranges (`"10.0.0.0/8"`). */
  ipWhitelist?: pulumi.Input<pulumi.Input<string>[]>;
  /** Show the tunnel among the device's favourites. */
  isFavourite?: pulumi.Input<boolean>;
  /** Not a secret by default; pass `pulumi.secret(...)` if it is sensitive (the output stays secret too). */
  username?: pulumi.Input<string | null>;
  /** Always a secret in state, in the inputs and the outputs. Prefer `config.requireSecret(...)`. */
  password?: pulumi.Input<string | null>;
  /** Skip TLS certificate verification towards the device-side service (https tunnels). */
  disableTlsVerification?: pulumi.Input<boolean>;
  /** Activate (true) or deactivate (false) the tunnel; left alone when unset. */
  active?: pulumi.Input<boolean>;
  /** Create it through the staging API whatever the stack. Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /**
   * Take over the existing tunnel with this name on the device instead of failing: `true`, or its id
   * (`"<id>"`: only that tunnel). Preview says which tunnel it would take over; remove it once `up` took
   * the tunnel over (while it is set, `pulumi destroy` leaves the tunnel in place). The `import` resource
   * option becomes `adopt: "<id>"`.
   */
  adopt?: pulumi.Input<boolean | string>;
}

/** A [DooverTunnel] is a tunnel to a device port. `pulumi destroy` deletes it. */
export class DooverTunnel extends pulumi.CustomResource {
  /** The tunnel id (snowflake, as a string). */
  declare readonly tunnelId: pulumi.Output<string>;
  /** The public address of the tunnel. */
  declare readonly endpoint: pulumi.Output<string>;
  /** The id of the endpoint serving the tunnel. */
  declare readonly endpointId: pulumi.Output<string>;
  /** Whether the tunnel is active, as the API reports it. */
  declare readonly isActive: pulumi.Output<boolean>;
  /** The device id. */
  declare readonly deviceId: pulumi.Output<string>;
  /** The target host on the device side. */
  declare readonly hostname: pulumi.Output<string>;
  /** The target port. */
  declare readonly port: pulumi.Output<number>;
  /** The protocol (lower case). */
  declare readonly protocol: pulumi.Output<TunnelProtocol>;
  /** The tunnel name. */
  declare readonly name: pulumi.Output<string>;
  /** The timeout in seconds, when declared. */
  declare readonly timeout: pulumi.Output<number | undefined>;
  /** Whether access is restricted to `ipWhitelist`, when declared. */
  declare readonly ipRestricted: pulumi.Output<boolean | undefined>;
  /** The allowed addresses, when declared. */
  declare readonly ipWhitelist: pulumi.Output<string[] | undefined>;
  /** Whether the tunnel is a favourite, when declared. */
  declare readonly isFavourite: pulumi.Output<boolean | undefined>;
  /** The username, when declared. */
  declare readonly username: pulumi.Output<string | null | undefined>;
  /** The password (secret), when declared. */
  declare readonly password: pulumi.Output<string | null | undefined>;
  /** Whether TLS verification is skipped, when declared. */
  declare readonly disableTlsVerification: pulumi.Output<boolean | undefined>;
  /** The declared activation state (see `isActive` for the API's). */
  declare readonly active: pulumi.Output<boolean | undefined>;
  /** Whether this tunnel lives on the staging API. */
  declare readonly staging: pulumi.Output<boolean>;
  /** `adopt` as declared: false, true or the pinned id. */
  declare readonly adopt: pulumi.Output<boolean | string>;
  /** True when `up` took over a tunnel that already existed because of `adopt` (or `import`). */
  declare readonly tookOver: pulumi.Output<boolean>;

  constructor(name: string, args: DooverTunnelArgs, opts?: pulumi.CustomResourceOptions) {
    const computed = { endpoint: undefined, endpointId: undefined, isActive: undefined }; // tunnelId is `id`
    const label = resourceLabel(name, opts?.parent && pulumi.resourceName(opts.parent));
    const adopting = registerAdopt("DooverTunnel", name, args.adopt, opts);
    opts = adopting.opts;
    const props = declaredProps(args, {
      name: args.name ?? name,
      [RESOURCE_NAME_KEY]: label,
      ...computed,
      ...adopting.props,
    });
    // Secret in the stored inputs too, not only in the outputs.
    if (args.password !== undefined && args.password !== null) props.password = pulumi.secret(args.password);
    props.__provider = TUNNEL_PROVIDER; // what pulumi.dynamic.Resource stores, but ~0.5 KB (see shim.ts)
    const stacks = pausePromiseStacks();
    try {
      super(
        "pulumi-nodejs:dynamic/doover:Tunnel",
        name,
        props,
        pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
      );
    } catch (e) {
      stacks.restack(e, DooverTunnel);
      throw e;
    } finally {
      stacks.resume();
    }
    rememberInputs(this, props);
    warnIfNoTokenAtPreview();
    if (adopting.declared) warnWhileAdopting(this, "DooverTunnel", "tunnel", this);
  }
}

// Unset inputs resolve to check's defaults (undefined but for these two).
defineUnsetOutputs(
  DooverTunnel,
  Object.fromEntries(
    [...TUNNEL_INPUT_KEYS, ...TUNNEL_OUTPUT_KEYS]
      .filter((k) => !["name", "endpoint", "endpointId", "isActive", "tunnelId"].includes(k))
      .map((k) => [k, k === "staging" || k === "adopt" ? () => false : () => undefined]),
  ),
);
defineIdOutput(DooverTunnel, "tunnelId");
defineUnsetOutputs(DooverTunnel, { tookOver: () => false }); // registered only with `adopt`/`import`
