// What a resource constructor registers with Pulumi. Every registered key costs the SDK one Output with four
// debuggable promises (a captured stack trace each) per resource, and ~30 declared-but-unset keys were half of
// a program's CPU. So only the keys the program set and the outputs the provider computes are registered; the
// class's other output properties are getters defined once on the prototype (see `defineUnsetOutputs`).

import type * as pulumi from "@pulumi/pulumi";

/** The arguments the program set (not `undefined`), plus `extra` (e.g. the default `name`, computed outputs). */
export function declaredProps(args: object, extra: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) props[k] = v;
  return Object.assign(props, extra);
}

/**
 * Output properties for keys a resource did not register: each resolves, once the resource is created, to
 * what the provider stores for an unset input (`value()`: the check default, or undefined). The provider
 * never reads back a key the program did not set, so that is also what state holds. A registered key gets an
 * own property instead (the setter), exactly as without these getters.
 */
export function defineUnsetOutputs(cls: { prototype: object }, unset: Record<string, () => unknown>): void {
  const own = (target: object, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  const define = (key: string, make: (r: pulumi.CustomResource) => unknown) =>
    Object.defineProperty(cls.prototype, key, {
      configurable: true,
      get(this: pulumi.CustomResource) {
        const value = make(this);
        own(this, key, value);
        return value;
      },
      set(this: object, value: unknown) {
        own(this, key, value);
      },
    });
  for (const [key, value] of Object.entries(unset)) define(key, (r) => r.id.apply(() => value()));
}
