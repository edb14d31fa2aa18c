// Preview of a new resource with `adopt`: the only place `check` does HTTP, and only reads. It looks the
// name up and says which existing object `up` would take over (id, organisation, the fields it would
// change), or that the name is free and `up` will create it. A pinned `adopt: "<id>"` that `up` would
// refuse (the name holds another id, no such id, another name or device) fails the preview instead.
// Without credentials or an answer it warns and skips: previews without secrets (pull-request CI) are
// normal, and `up` looks again before writing anything.

import { adoptPin, adoptText } from "./adopt";
import { messageOf } from "./errors";
import type { CheckFailure } from "./inputs";

/** What the preview lookup needs of one resource kind (built lazily: it needs credentials). */
export interface PreviewTarget<T> {
  /** the object in messages, e.g. `application "pump_monitor"` */
  label: string;
  /** the name lookup `up` does before its POST */
  lookup(): Promise<T | undefined>;
  /** the object with a pinned id (undefined when there is none) */
  retrieve(id: string): Promise<T | undefined>;
  /** why the pinned object is not this resource's (another name or device) */
  mismatch(obj: T): string | undefined;
  /** where the object is, e.g. `id 1, organisation Acme (2)` */
  describe(obj: T): string;
  /** the wire fields `up` would change on it */
  changes?(obj: T): string[];
  /** why `up` would refuse to take it over (another organisation, application or protocol) */
  refuse?(obj: T): string | undefined;
}

export interface PreviewAdoptSpec<T> {
  resourceType: string;
  kind: string;
  /** the checked `adopt` input (true or a pinned id) */
  adopt: unknown;
  /** the Pulumi resource name, when the program passed it */
  resource?: string;
  target(): PreviewTarget<T>;
  log?: (line: string) => void;
}

/** Looks the name up and says what `up` would do; returns check failures for a pin `up` would refuse. */
export async function previewAdopt<T extends { id: unknown }>(spec: PreviewAdoptSpec<T>): Promise<CheckFailure[]> {
  const log = spec.log ?? ((line: string) => console.error(line));
  const who = `${spec.resourceType}${spec.resource ? ` "${spec.resource}"` : ""} with ${adoptText(spec.adopt)}`;
  const skip = (e: unknown): CheckFailure[] => {
    log(
      `doover: warning: ${who}: preview could not look up which ${spec.kind} \`pulumi up\` would take over ` +
        `(${messageOf(e)}); \`up\` looks it up before writing anything.`,
    );
    return [];
  };
  let t: PreviewTarget<T>;
  try {
    t = spec.target();
  } catch (e) {
    return skip(e);
  }
  const pin = adoptPin(spec.adopt);
  const fail = (reason: string): CheckFailure[] => [{ property: "adopt", reason: `${who}: ${reason}` }];
  let found: T | undefined;
  try {
    found = await t.lookup();
    if (pin !== undefined && found !== undefined && String(found.id) !== pin) {
      return fail(
        `${t.label} is ${spec.kind} ${String(found.id)}, not ${pin}. Pin the id the name holds ` +
          `(${String(found.id)}), or give this resource another name.`,
      );
    }
    if (pin !== undefined && found === undefined) {
      found = await t.retrieve(pin);
      if (found === undefined) return fail(`there is no ${spec.kind} ${pin} (and no ${t.label}). Check the id.`);
      const other = t.mismatch(found);
      if (other !== undefined) {
        return fail(
          `${spec.kind} ${pin} ${other}; a pinned take-over never renames or moves an object. Declare it as it is, ` +
            "or pin another id.",
        );
      }
    }
  } catch (e) {
    return skip(e);
  }
  if (found === undefined) {
    log(`doover: ${who}: no ${t.label} exists; \`pulumi up\` will create it.`);
    return [];
  }
  const refused = t.refuse?.(found);
  if (refused !== undefined) return fail(`${t.label} exists (${t.describe(found)}) but ${refused}.`);
  const changes = t.changes?.(found) ?? [];
  log(
    `doover: ${who} will take over the existing ${t.label} (${t.describe(found)}) and ` +
      (changes.length > 0 ? `set ${changes.join(", ")} to the declared values.` : "change nothing on it.") +
      " If another stack manages it, that stack and this one will both change it: prefer handing it over " +
      "(see docs/recovery.md in the pulumi-doover package).",
  );
  return [];
}
