// A random password made once and kept in state as a secret: infrastructure that needs no plugin
// download (a plain dynamic resource, like the random provider's RandomPassword).
import * as pulumi from "@pulumi/pulumi";

interface Inputs {
  length: number;
}

const provider: pulumi.dynamic.ResourceProvider<Inputs, Inputs & { value: string }> = {
  async create(inputs) {
    // Loaded inside the method so nothing but the function text is serialized.
    const { randomBytes } = require("node:crypto") as typeof import("node:crypto");
    const value = randomBytes(inputs.length).toString("base64url").slice(0, inputs.length);
    return { id: randomBytes(8).toString("hex"), outs: { length: inputs.length, value } };
  },
  async diff(_id, olds, news) {
    const changed = olds.length !== news.length;
    return { changes: changed, replaces: changed ? ["length"] : [] };
  },
};

export class GeneratedPassword extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, args: { length?: number } = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { length: args.length ?? 24, value: undefined },
      { ...opts, additionalSecretOutputs: ["value"] },
      "examples",
      "GeneratedPassword",
    );
  }
}
