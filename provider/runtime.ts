// The provider implementation the serialized shim loads at run time through
// `require("pulumi-doover/provider-runtime")` (package.json `exports`). Everything here may change between
// versions without changing what is stored in state.

import "../sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

import type * as AppInstall from "./app-install/app-install-provider";
import type * as Application from "./application/application-provider";
import { declaresNull, stableEqual } from "./diff";
import { DooverProviderError } from "./errors";
import { type ConfigureRequest, configure } from "./provider-config";
import type * as Rollout from "./rollout/rollout-provider";
import type * as Tunnel from "./tunnel/tunnel-provider";

export { DooverProviderError, DooverResourceInitError } from "./errors";
export {
  type ConfigureRequest,
  configure,
  environmentChanged,
  type ProviderSettings,
  resetConfiguration,
} from "./provider-config";

/** One resource kind's methods, with the signatures of `pulumi.dynamic.ResourceProvider`. */
export interface ProviderMethods {
  configure(req: ConfigureRequest): Promise<void>;
  check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ inputs: Record<string, unknown>; failures: { property: string; reason: string }[] }>;
  /** `changes` undefined: an in-place update the engine diffs itself, to mark the changed properties (see below) */
  diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ changes?: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(
    id: string,
    props: Record<string, unknown>,
  ): Promise<{ id: string; props?: Record<string, unknown>; inputs?: Record<string, unknown> }>;
  update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ outs: Record<string, unknown> }>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

const configureAsync = async (req: ConfigureRequest): Promise<void> => configure(req);

/**
 * A create whose object exists but whose follow-up failed throws DooverResourceInitError; the host records its
 * `properties` as the resource's state as they are. Without the stored provider text in them, the next
 * `pulumi destroy`/`refresh` of that half-created resource cannot load a provider: add it here, for every kind.
 */
function keepingProvider(create: ProviderMethods["create"]): ProviderMethods["create"] {
  return async (inputs) => {
    try {
      return await create(inputs);
    } catch (e) {
      const properties = (e as { properties?: Record<string, unknown> }).properties;
      if (DooverProviderError.isInstance(e) && properties && properties.__provider === undefined) {
        properties.__provider = inputs.__provider;
      }
      throw e;
    }
  };
}

// `pulumi preview --diff` of an update: the Node dynamic-provider host sends only "changes: yes/no" (no list of
// changed keys, no detailed diff), so the CLI diffs the old and new inputs itself for display, with secrets
// already masked: a changed secret (a tunnel password) shows as `(update)` with no property marked. When the
// provider answers "unknown" instead, the engine diffs the inputs itself with secrets unwrapped and sends a
// detailed diff, so the display marks `~ password: [secret] => [secret]` without showing the value.
// That is only safe when the engine's diff (old stored inputs vs new inputs) sees a change wherever ours (old
// outputs vs new inputs) does: true when the outputs echo the inputs, i.e. were written by create/update of
// this code (marked with ECHOED) and not since changed by a refresh that found drift (its inputs may not be
// stored by an older host). Unmarked states, and replacements, keep the plain "changes: true".
const ECHOED = "__inputsEchoed";

/**
 * Whether the engine's own diff of the inputs sees every change ours does. It does not see a value that only
 * turns from absent to null (or back), at any depth: a property map key holding null "has no value" to it. Ours
 * does (a newly declared null clears a field), so such a change keeps the plain "changes: true".
 */
function engineSeesEveryChange(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  for (const k of Object.keys(news)) {
    if (k.startsWith("__")) continue;
    if (declaresNull(olds, news, k)) return false;
    if (stableEqual(olds[k], news[k])) continue;
    if (stableEqual(withoutNulls(olds[k]), withoutNulls(news[k]))) return false;
  }
  return true;
}

/** The value as the engine compares it: null and absent alike (object keys holding null dropped). */
function withoutNulls(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : withoutNulls(x)));
  if (typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const kept = withoutNulls(x);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

function echoed(outs: Record<string, unknown>): Record<string, unknown> {
  return { ...outs, [ECHOED]: true };
}

// Each kind's implementation loads on its first call: a stack of applications never loads the tunnel and
// install code (and what it imports), ~12 ms of a provider host's start.
function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
const application = lazy(() => require("./application/application-provider") as typeof Application);
const tunnel = lazy(() => require("./tunnel/tunnel-provider") as typeof Tunnel);
const appInstall = lazy(() => require("./app-install/app-install-provider") as typeof AppInstall);
const rollout = lazy(() => require("./rollout/rollout-provider") as typeof Rollout);

/**
 * The methods of one kind, each calling into the implementation `impl()` loads on first use. `liveDiff`: the
 * kind's diff may find changes its inputs do not show (a rollout's devices that failed or joined, read live at
 * check), so its "changes: true" is never left to the engine's own diff of the inputs.
 */
function methods(
  impl: () => Pick<typeof Application, "check" | "diff" | "create" | "read" | "update" | "del">,
  opts: { liveDiff?: boolean } = {},
): ProviderMethods {
  return {
    configure: configureAsync,
    check: (olds, news) => impl().check(olds, news),
    diff: async (id, olds, news) => {
      const d = await impl().diff(id, olds, news);
      const inPlace =
        !opts.liveDiff &&
        d.changes === true &&
        d.replaces.length === 0 &&
        olds[ECHOED] === true &&
        engineSeesEveryChange(olds, news);
      return inPlace ? { ...d, changes: undefined } : d;
    },
    create: keepingProvider(async (inputs) => {
      const r = await impl().create(inputs);
      return { id: r.id, outs: echoed(r.outs) };
    }),
    read: async (id, props) => {
      const r = await impl().read(id, props);
      // Drift changes the inputs; an older host does not store them, so the echo may no longer hold.
      return r.props && r.inputs === undefined && props[ECHOED] === true ? { ...r, props: echoed(r.props) } : r;
    },
    update: async (id, olds, news) => ({ outs: echoed((await impl().update(id, olds, news)).outs) }),
    delete: (id, props) => impl().del(id, props),
  };
}

export const applications: ProviderMethods = methods(application);
export const tunnels: ProviderMethods = methods(tunnel);
export const appInstalls: ProviderMethods = methods(appInstall);
export const rollouts: ProviderMethods = methods(rollout, { liveDiff: true });
