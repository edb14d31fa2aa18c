// DooverTunnel: a tunnel to a port on a Doover device as a Pulumi dynamic resource.

import * as pulumi from "@pulumi/pulumi";
import { declaredProps, defineUnsetOutputs } from "./resource-props";
import { TUNNEL_PROVIDER } from "./shim";
import { TUNNEL_INPUT_KEYS, TUNNEL_OUTPUT_KEYS } from "./tunnel-fields";

/** Arguments of a {@link DooverTunnel}. */
export interface DooverTunnelArgs {
  /** The device the tunnel reaches into. Changing it replaces the tunnel. */
  deviceId: pulumi.Input<string>;
  /** Target host or IP on the device side. */
  hostname: pulumi.Input<string>;
  /** Target port, 1-65535. */
  port: pulumi.Input<number>;
  /** `tcp`, `rtsp`, `http` or `https`. Changing it replaces the tunnel. */
  protocol: pulumi.Input<string>;
  /** Tunnel name (≤200), unique on the device; defaults to the Pulumi resource name. */
  name?: pulumi.Input<string>;
  /** Timeout in seconds. */
  timeout?: pulumi.Input<number>;
  /** Restrict access to `ipWhitelist`. */
  ipRestricted?: pulumi.Input<boolean>;
  ipWhitelist?: pulumi.Input<pulumi.Input<string>[]>;
  isFavourite?: pulumi.Input<boolean>;
  /** Not a secret by default; pass `pulumi.secret(...)` if it is sensitive (the output stays secret too). */
  username?: pulumi.Input<string | null>;
  /** Always a secret in state, in the inputs and the outputs. */
  password?: pulumi.Input<string | null>;
  disableTlsVerification?: pulumi.Input<boolean>;
  /** Activate (true) or deactivate (false) the tunnel; left alone when unset. */
  active?: pulumi.Input<boolean>;
  /** Create it through the staging API whatever the stack. Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /** Take over an existing tunnel with the same name on the device instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

/** A [DooverTunnel] is a tunnel to a device port. `pulumi destroy` deletes it. */
export class DooverTunnel extends pulumi.CustomResource {
  declare readonly tunnelId: pulumi.Output<string>;
  /** The public address of the tunnel. */
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly endpointId: pulumi.Output<string>;
  declare readonly isActive: pulumi.Output<boolean>;
  declare readonly deviceId: pulumi.Output<string>;
  declare readonly hostname: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly protocol: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly timeout: pulumi.Output<number | undefined>;
  declare readonly ipRestricted: pulumi.Output<boolean | undefined>;
  declare readonly ipWhitelist: pulumi.Output<string[] | undefined>;
  declare readonly isFavourite: pulumi.Output<boolean | undefined>;
  declare readonly username: pulumi.Output<string | null | undefined>;
  declare readonly password: pulumi.Output<string | null | undefined>;
  declare readonly disableTlsVerification: pulumi.Output<boolean | undefined>;
  declare readonly active: pulumi.Output<boolean | undefined>;
  declare readonly staging: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;

  constructor(name: string, args: DooverTunnelArgs, opts?: pulumi.CustomResourceOptions) {
    const computed = { tunnelId: undefined, endpoint: undefined, endpointId: undefined, isActive: undefined };
    const props = declaredProps(args, { name: args.name ?? name, ...computed });
    // Secret in the stored inputs too, not only in the outputs.
    if (args.password !== undefined && args.password !== null) props.password = pulumi.secret(args.password);
    props.__provider = TUNNEL_PROVIDER; // what pulumi.dynamic.Resource stores, but ~0.5 KB (see shim.ts)
    super(
      "pulumi-nodejs:dynamic/doover:Tunnel",
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
    );
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
