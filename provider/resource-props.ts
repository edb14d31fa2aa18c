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

/**
 * An output property that is the resource's id (`applicationId`, `tunnelId`, `installId`): derived from
 * `id`, so it is not registered (one Output and four captured stack traces fewer per resource). The provider
 * still stores it in state.
 */
export function defineIdOutput(cls: { prototype: object }, key: string): void {
  const own = (target: object, value: unknown) =>
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(cls.prototype, key, {
    configurable: true,
    get(this: pulumi.CustomResource) {
      const value = this.id;
      own(this, value);
      return value;
    },
    set(this: object, value: unknown) {
      own(this, value);
    },
  });
}

/** Stack capture paused by {@link pausePromiseStacks}. */
export interface PausedStacks {
  /** Puts the limit back (call in `finally`). */
  resume(): void;
  /** Gives an error thrown while paused a stack that points at the constructor's caller. */
  restack(e: unknown, constructorFn: NonNullable<unknown>): void;
}

/**
 * Turns V8's stack capture off for a resource constructor's registration (`super(...)`), until `resume()`.
 * The Pulumi SDK stores a formatted stack trace (`new Error().stack`, mapped by source-map-support) on each of
 * the four promises of every registered property, read only when PULUMI_DEBUG_PROMISE_LEAKS is set (then
 * nothing is paused); formatting them was the largest per-resource cost left in a program. The resource's
 * source position is unaffected: the SDK raises the limit itself to capture it.
 *
 *     const stacks = pausePromiseStacks();
 *     try { super(...); } catch (e) { stacks.restack(e, MyResource); throw e; } finally { stacks.resume(); }
 */
export function pausePromiseStacks(): PausedStacks {
  const limit = Error.stackTraceLimit;
  const paused = !process.env.PULUMI_DEBUG_PROMISE_LEAKS;
  if (paused) Error.stackTraceLimit = 0;
  const resume = () => {
    if (paused) Error.stackTraceLimit = limit;
  };
  return {
    resume,
    restack(e, constructorFn) {
      resume();
      if (paused && e instanceof Error) Error.captureStackTrace(e, constructorFn as (...a: unknown[]) => unknown);
    },
  };
}
