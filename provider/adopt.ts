// `adopt`: take over an object that already holds the name instead of failing. Not a standing
// instruction: a preview says which object it would take (adopt-preview.ts), `up` warns to remove it
// once it did, and while it stays set on a resource that took an object over, deleting the resource
// leaves the object in place (it existed before the stack, and may be another stack's).
// `adopt: "<id>"` pins the object: only that id is taken over (what the `import` option becomes).

import { type Failures, isUnknown } from "./inputs";

/** The reserved input a resource adds during preview when `adopt` is set: check may then look the name up. */
export const PREVIEW_KEY = "__dooverPreview";

/** `adopt` as the provider sees it after check: false, true, or the pinned id. */
export type Adopt = boolean | string;

/** Whether `adopt` asks for a take-over (true or an id). */
export function adoptSet(v: unknown): boolean {
  return v === true || (typeof v === "string" && v !== "");
}

/** The pinned id of `adopt: "<id>"`, if any. */
export function adoptPin(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined;
}

/** `adopt` as written in messages: `adopt: true` or `adopt: "<id>"` (what the `import` option becomes). */
export function adoptText(v: unknown): string {
  const pin = adoptPin(v);
  return pin === undefined ? "`adopt: true`" : `\`adopt: "${pin}"\` (or the \`import\` option)`;
}

/** check: `adopt` is a boolean (default false) or the id of the object to take over (digits). */
export function checkAdopt(f: Failures, inputs: Record<string, unknown>): void {
  const v = inputs.adopt;
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    inputs.adopt = false;
    return;
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) inputs.adopt = String(v);
  else if (typeof v === "string" && /^\d+$/.test(v)) return;
  else if (typeof v !== "boolean") {
    const lost =
      typeof v === "number" && !Number.isSafeInteger(v) ? " (a number this large has lost digits: quote it)" : "";
    f.add(
      "adopt",
      `adopt must be true, false, or the id of the object to take over as a string of digits${lost}, not ${JSON.stringify(v)}`,
    );
  }
}

/**
 * diff: a resource that took an object over (`tookOver`) with `adopt` set, and no longer declares it, is
 * an update that writes nothing to Doover: state then records that the stack owns the object (so
 * `pulumi destroy` removes it).
 */
export function adoptReleased(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return olds.tookOver === true && adoptSet(olds.adopt) && !adoptSet(news.adopt) && !isUnknown(news.adopt);
}

/**
 * delete: a resource that took its object over because of `adopt`, with `adopt` still set, only leaves the
 * stack; the object stays (returns the line that says so, else undefined).
 */
export function keepOnDelete(
  props: Record<string, unknown>,
  kind: string,
  label: string,
  id: string,
): string | undefined {
  if (props.tookOver !== true || !adoptSet(props.adopt)) return undefined;
  const verb = kind === "application" ? "archiving" : "deleting";
  return (
    `doover: not ${verb} ${label} (id ${id}): this stack took it over with ${adoptText(props.adopt)} (it existed ` +
    `before), and that is still set, so it may be another stack's or someone else's; it stays as it is and is ` +
    `only removed from this stack. To have \`pulumi destroy\` remove it, first remove \`adopt\` (or the ` +
    "`import` option) from the resource and run `pulumi up`: the stack then owns it."
  );
}

/**
 * The `tookOver` output a create stores: for resources that declare `adopt` (true or false, so the class's
 * output resolves to a boolean), or when it is true; absent otherwise (state stays as before).
 */
export function tookOverOutput(inputs: Record<string, unknown>, tookOver: boolean): { tookOver?: boolean } {
  return tookOver || adoptSet(inputs.adopt) ? { tookOver } : {};
}
