// Duplicate API names inside one program, caught at `check` (preview) instead of failing at `up`.
//
// The engine runs one provider process per deployment and calls `check` for every resource of a kind in it,
// but passes no URN. So each resource class adds its Pulumi resource name as the reserved input
// `__dooverResource` (stripped by check like every `__` key, so it never reaches state or diff), and this
// module remembers, per process, which resource claimed which API name. A second check of the SAME resource
// (the engine checks again on a replace) finds its own claim and passes.

import { isUnknown } from "./inputs";

/** The reserved input carrying the Pulumi resource name (set by DooverApplication / DooverTunnel). */
export const RESOURCE_NAME_KEY = "__dooverResource";

const claims = new Map<string, string>();

/**
 * How a resource is named in check messages and told apart from others: its Pulumi name, prefixed with its
 * parent's name when it has one (two components can each have a child "app").
 */
export function resourceLabel(name: string, parentName?: string): string {
  return parentName ? `${parentName}/${name}` : name;
}

/** The Pulumi resource name the program passed, if any (direct provider calls in tests pass none). */
export function resourceNameOf(news: Record<string, unknown>): string | undefined {
  const v = news[RESOURCE_NAME_KEY];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Claims `apiName` (within `scope`: the kind, target API and device) for `resource`; returns the other
 * resource's name when a different resource already claimed it in this deployment.
 */
export function claimName(scope: string, apiName: unknown, resource: string | undefined): string | undefined {
  if (resource === undefined || typeof apiName !== "string" || apiName === "" || isUnknown(apiName)) return undefined;
  const key = `${scope}\u0000${apiName}`;
  const owner = claims.get(key);
  if (owner !== undefined && owner !== resource) return owner;
  claims.set(key, resource);
  return undefined;
}

/** Forgets every claim (tests that reuse one process for several "deployments"). */
export function resetNameClaims(): void {
  claims.clear();
}
