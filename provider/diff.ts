// Stable deep equality and the wire-level "what changed" used by diff, update and read.

import { canonical } from "../sdk/canonical-json";
import { isUnknown } from "./inputs";

export { canonical };

/** Deep equality ignoring key order; null and undefined are the same ("not set"). */
export function stableEqual(a: unknown, b: unknown): boolean {
  // The same answer as comparing canonical texts, without building them for the common cases: read and diff
  // compare every declared field of every resource (~120 comparisons per resource in a refresh), mostly
  // strings and booleans, and two canonical texts cost ~10× a direct comparison.
  if (a === b) return true;
  const unsetA = a === null || a === undefined;
  const unsetB = b === null || b === undefined;
  if (unsetA && unsetB) return true;
  // Not the same string or boolean, not both unset: different (numbers and objects go the canonical way).
  const plainA = unsetA || typeof a === "string" || typeof a === "boolean";
  const plainB = unsetB || typeof b === "string" || typeof b === "boolean";
  if (plainA && plainB) return false;
  return canonical(a) === canonical(b);
}

/**
 * Equal, or not known yet (preview): used for delete-before-replace, where guessing "different" when the
 * value turns out the same would create a duplicate name.
 */
export function mayBeEqual(a: unknown, b: unknown): boolean {
  return isUnknown(b) || stableEqual(a, b);
}

/**
 * A newly declared null where nothing was declared before: the program now says "clear it" (e.g. a
 * doover_config.json's `"image_name": null`), which the cloud may not have done yet, so it is a change.
 */
export function declaresNull(olds: Record<string, unknown>, news: Record<string, unknown>, k: string): boolean {
  return news[k] === null && olds[k] === undefined;
}

/** The keys among `keys` whose values differ (an unknown new value always counts as a change). */
export function changedKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[],
): string[] {
  return keys.filter((k) => isUnknown(news[k]) || declaresNull(olds, news, k) || !stableEqual(olds[k], news[k]));
}

/**
 * The PATCH body turning wire payload `from` into `to`: changed keys get their new value (a null newly
 * declared is sent: it clears the field); a key that is no longer declared is cleared with null when the API
 * allows null, and otherwise left alone.
 */
export function wirePatch(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  nullable: readonly string[],
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (!declaresNull(from, to, k) && stableEqual(from[k], to[k])) continue;
    if (to[k] !== undefined) patch[k] = to[k];
    else if (nullable.includes(k)) patch[k] = null;
  }
  return patch;
}

/** Inputs that, left undeclared, are the server's (or the application's) business: not diffed (installs, rollouts). */
export const UNMANAGED_WHEN_UNSET: ReadonlySet<string> = new Set([
  "name",
  "displayName",
  "version",
  "configProfileIds",
]);

/** The `keys` whose declared value (`news`) differs from `before`; unknown values count as changed. */
export function changedDeclared(
  keys: readonly string[],
  before: Record<string, unknown>,
  news: Record<string, unknown>,
): string[] {
  return keys.filter((k) => {
    if (news[k] === undefined && UNMANAGED_WHEN_UNSET.has(k)) return false;
    return isUnknown(news[k]) || !stableEqual(before[k], news[k]);
  });
}
