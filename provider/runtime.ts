// The provider implementation the serialized shim loads at run time through
// `require("pulumi-doover/provider-runtime")` (package.json `exports`). Everything here may change between
// versions without changing what is stored in state.

import * as appInstall from "./app-install-provider";
import * as application from "./application-provider";
import { DooverProviderError } from "./errors";
import { type ConfigureRequest, configure } from "./provider-config";
import * as tunnel from "./tunnel-provider";

export { DooverProviderError, DooverResourceInitError } from "./errors";
export { type ConfigureRequest, configure, type ProviderSettings, resetConfiguration } from "./provider-config";

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

export const applications: ProviderMethods = {
  configure: configureAsync,
  check: application.check,
  diff: application.diff,
  create: keepingProvider(application.create),
  read: application.read,
  update: application.update,
  delete: application.del,
};

export const tunnels: ProviderMethods = {
  configure: configureAsync,
  check: tunnel.check,
  diff: tunnel.diff,
  create: keepingProvider(tunnel.create),
  read: tunnel.read,
  update: tunnel.update,
  delete: tunnel.del,
};

export const appInstalls: ProviderMethods = {
  configure: configureAsync,
  check: appInstall.check,
  diff: appInstall.diff,
  create: keepingProvider(appInstall.create),
  read: appInstall.read,
  update: appInstall.update,
  delete: appInstall.del,
};
