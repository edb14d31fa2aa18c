// Program side of `adopt` (see adopt.ts): the `import` resource option as a pinned adopt, the preview
// flag that lets check look the name up, and the warning `up` prints while `adopt` stays set on a
// resource that took an existing object over.

import * as pulumi from "@pulumi/pulumi";
import { adoptSet, PREVIEW_KEY } from "./adopt";

/** What a resource constructor registers for `adopt`, after the `import` option became a pinned adopt. */
export interface AdoptRegistration {
  /** the options without `import` (the engine's import step cannot run a dynamic provider) */
  opts?: pulumi.CustomResourceOptions;
  /** extra props: the pinned `adopt`, the preview flag, the `tookOver` output */
  props: Record<string, unknown>;
  /** the program declared `adopt` (or `import`): warn while it stays set after a take-over */
  declared: boolean;
}

/**
 * `{ import: "<id>" }` is what Pulumi users try first, but the engine's import step reads the object
 * without the provider code a dynamic resource needs (it fails with "code must be a string, not
 * undefined"). So the option is removed from what the engine sees and becomes `adopt: "<id>"`: `up`
 * reads that object, PATCHes what differs from the program and takes it over (a `create` in the plan).
 */
export function registerAdopt(
  type: string,
  name: string,
  adopt: pulumi.Input<boolean | string> | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
): AdoptRegistration {
  const props: Record<string, unknown> = {};
  let declared = adopt !== undefined && adopt !== false;
  const imported = opts?.import;
  if (imported !== undefined && imported !== null && imported !== "") {
    if (typeof adopt === "string" && adopt !== String(imported)) {
      throw new pulumi.RunError(
        `${type} ${name}: the \`import\` option (${String(imported)}) and \`adopt\` ("${adopt}") name different ` +
          "objects; keep one of them",
      );
    }
    props.adopt = String(imported);
    const { import: _import, ...rest } = opts!;
    opts = rest;
    declared = true;
  }
  if (declared) {
    props.tookOver = undefined; // registered: the warning below reads it
    // Preview only: check may then look the name up and say which object `up` would take over.
    if (pulumi.runtime.isDryRun()) props[PREVIEW_KEY] = true;
  }
  return { opts, props, declared };
}

/**
 * `up` (and preview) warn while a resource that took an existing object over still declares `adopt`:
 * left in the program, every stack that runs it takes the same object over, and `pulumi destroy` leaves
 * it in place.
 */
export function warnWhileAdopting(
  resource: pulumi.CustomResource,
  type: string,
  kind: string,
  outputs: { tookOver: pulumi.Output<unknown>; adopt: pulumi.Output<unknown>; name: pulumi.Output<unknown> },
): void {
  pulumi.all([outputs.tookOver, outputs.adopt, outputs.name, resource.id]).apply(([took, adopt, name, id]) => {
    if (took !== true || !adoptSet(adopt)) return;
    void pulumi.log.warn(
      `${type} took over ${kind} "${String(name)}" (id ${String(id)}), which existed before this stack, because ` +
        `of \`adopt\`. Remove \`adopt\` (or the \`import\` option) from it now and run \`pulumi up\`: while it is ` +
        `set, every other stack that runs this program takes the same ${kind} over, and \`pulumi destroy\` ` +
        `leaves the ${kind} in place. To hand it to another stack instead, see "Handing an object to another ` +
        `stack" in the package's docs/recovery.md.`,
      resource,
    );
  });
}
