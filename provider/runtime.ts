// The provider implementation the serialized shim loads at run time through
// `require("pulumi-doover/provider-runtime")` (package.json `exports`). Everything here may change between
// versions without changing what is stored in state.

import type * as AppInstall from "./app-install/app-install-provider";
import type * as Application from "./application/application-provider";
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
  diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
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

/** The methods of one kind, each calling into the implementation `impl()` loads on first use. */
function methods(
  impl: () => Pick<typeof Application, "check" | "diff" | "create" | "read" | "update" | "del">,
): ProviderMethods {
  return {
    configure: configureAsync,
    check: (olds, news) => impl().check(olds, news),
    diff: (id, olds, news) => impl().diff(id, olds, news),
    create: keepingProvider((inputs) => impl().create(inputs)),
    read: (id, props) => impl().read(id, props),
    update: (id, olds, news) => impl().update(id, olds, news),
    delete: (id, props) => impl().del(id, props),
  };
}

export const applications: ProviderMethods = methods(application);
export const tunnels: ProviderMethods = methods(tunnel);
export const appInstalls: ProviderMethods = methods(appInstall);
export const rollouts: ProviderMethods = methods(rollout);
