// The inputs each Doover resource of this program registered (what its constructor passed to Pulumi), kept so
// `pulumi-doover/testing` can tell that a resource's registration will never finish: with @pulumi/pulumi
// before ~3.27x, a resource whose input is an output of a failed resource never resolves its own outputs
// (the SDK drops the registration without failing them), so a unit test awaiting one would time out with no
// reason. Plain module state of the program process, never serialized.

const STATE = Symbol.for("pulumi-doover.resource-inputs.v1");
function inputs(): WeakMap<object, Record<string, unknown>> {
  const g = globalThis as unknown as Record<symbol, WeakMap<object, Record<string, unknown>> | undefined>;
  return (g[STATE] ??= new WeakMap());
}

/** Called by each resource constructor with the properties it registered. */
export function rememberInputs(resource: object, props: Record<string, unknown>): void {
  inputs().set(resource, props);
}

/** The properties `resource` registered, when it is a Doover resource of this program. */
export function inputsOf(resource: object): Record<string, unknown> | undefined {
  return inputs().get(resource);
}
