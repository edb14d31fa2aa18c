// Helpers shared by the application and tunnel providers: the preview "unknown" sentinel, check failures
// and small validators. No HTTP and no module-scope state here.

import { codePointLength, describeJsonPlace, jsonProblem, textProblem } from "../sdk/json-limits";

/** The value Pulumi puts in place of an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `v` is, or contains, a value unknown during preview. */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Collects failures; `check` returns them instead of throwing so the engine names each property. */
export class Failures {
  readonly list: CheckFailure[] = [];
  add(property: string, reason: string): void {
    this.list.push({ property, reason });
  }
}

export function checkString(
  f: Failures,
  inputs: Record<string, unknown>,
  key: string,
  opts: {
    required?: boolean;
    max?: number;
    pattern?: RegExp;
    patternText?: string;
    nullable?: boolean;
    /** "" is refused (the API wants a value or null); the text says what to do instead */
    emptyText?: string;
  },
): void {
  const v = inputs[key];
  if (isUnknown(v)) return;
  if (v === undefined || (v === null && !opts.required)) {
    if (opts.required) f.add(key, `${key} is required`);
    if (v === null && !opts.nullable) delete inputs[key];
    return;
  }
  if (typeof v !== "string") {
    f.add(key, `${key} must be a string`);
    return;
  }
  const refused = textProblem(v); // the API refuses these (DRF's CharField validators)
  if (refused) f.add(key, `${key}: ${refused.replace(/\.$/, "")}; the Doover API refuses them`);
  if (opts.required && v.length === 0) f.add(key, `${key} must not be empty`);
  else if (opts.emptyText !== undefined && v.length === 0) f.add(key, `${key} must not be empty: ${opts.emptyText}`);
  // Characters as the API counts them (code points): 100 emoji are 100 characters, not 200 UTF-16 units.
  const length = opts.max === undefined ? 0 : codePointLength(v);
  if (opts.max !== undefined && length > opts.max) {
    f.add(key, `${key} must be at most ${opts.max} characters (got ${length})`);
  }
  if (opts.pattern && !opts.pattern.test(v)) f.add(key, `${key} ${opts.patternText ?? `must match ${opts.pattern}`}`);
}

/**
 * A JSON input (schema, config, overlay) the API could not store or read back: a NUL character or a lone
 * surrogate in a string or key, or nesting deeper than MAX_JSON_DEPTH. Adds one failure naming the property and
 * where in it; returns whether it did.
 */
export function checkJsonValue(f: Failures, key: string, v: unknown): boolean {
  if (isUnknown(v)) return false;
  const problem = jsonProblem(v);
  if (!problem) return false;
  f.add(key, `${describeJsonPlace(key, problem.pointer)}: ${problem.message}`);
  return true;
}

export function checkBoolean(f: Failures, inputs: Record<string, unknown>, key: string, dflt?: boolean): void {
  const v = inputs[key];
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    if (dflt === undefined) delete inputs[key];
    else inputs[key] = dflt;
    return;
  }
  if (typeof v !== "boolean") f.add(key, `${key} must be a boolean`);
}

export function checkInteger(
  f: Failures,
  inputs: Record<string, unknown>,
  key: string,
  opts: { required?: boolean; min: number; max: number },
): void {
  const v = inputs[key];
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    if (opts.required) f.add(key, `${key} is required`);
    else delete inputs[key];
    return;
  }
  if (typeof v !== "number" || !Number.isInteger(v) || v < opts.min || v > opts.max) {
    f.add(key, `${key} must be an integer from ${opts.min} to ${opts.max} (got ${JSON.stringify(v)})`);
  }
}

/**
 * An id given as a number: a safe integer becomes its decimal string; a larger one (Doover ids have 18 digits,
 * above 2^53) already lost its last digits before the program saw it (a JavaScript number holds ~16), so it is
 * a failure that says so and how to keep it a string. `path` names the property (e.g. `configProfileIds[1]`).
 * Returns the value to keep (unchanged unless converted).
 */
export function idFromNumber(f: Failures, path: string, v: unknown): unknown {
  if (typeof v !== "number") return v;
  if (Number.isSafeInteger(v) && v >= 0) return String(v);
  if (!Number.isInteger(v) || v < 0) return v; // not an id at all: the usual "must be a string" says so
  f.add(
    path,
    `${path} arrived as the number ${String(v)}, above 2^53, so its last digits were lost before the program ` +
      "saw it (a JavaScript number keeps only about 16 digits; Doover ids have 18). Keep ids as strings: in stack " +
      "config, `pulumi config set --path --type string '<key>[0]' <id>` (without `--type string`, a `--path` value " +
      "that looks like an integer is stored as a number), or `pulumi config set <key> <id>` for a top-level key; " +
      "in the program, quote the id.",
  );
  return v;
}

/** {@link idFromNumber} for a top-level input: converts in place; true when it reported a failure. */
export function checkIdNumber(f: Failures, inputs: Record<string, unknown>, key: string): boolean {
  const before = f.list.length;
  inputs[key] = idFromNumber(f, key, inputs[key]);
  if (inputs[key] === undefined) delete inputs[key];
  return f.list.length > before;
}

/** Accepts either the wire code ("DEV") or the enum member name ("device"), and stores the wire code. */
export function checkEnum(
  f: Failures,
  inputs: Record<string, unknown>,
  key: string,
  values: Record<string, string>,
  opts: { required?: boolean; dflt?: string },
): void {
  const v = inputs[key];
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    if (opts.dflt !== undefined) inputs[key] = opts.dflt;
    else if (opts.required) f.add(key, `${key} is required`);
    return;
  }
  const codes = Object.values(values);
  const byName = typeof v === "string" ? values[v.toLowerCase()] : undefined;
  const code = typeof v === "string" && codes.includes(v.toUpperCase()) ? v.toUpperCase() : byName;
  if (code === undefined) {
    const names = Object.entries(values).map(([n, c]) => `${c} (${n})`);
    f.add(key, `${key} must be one of ${names.join(", ")} (got ${JSON.stringify(v)})`);
    return;
  }
  inputs[key] = code;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Keeps only the listed keys (and `__provider`), and reports anything else as a failure. */
export function pickKnownKeys(
  f: Failures,
  news: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (keys.includes(k)) out[k] = v;
    else if (!k.startsWith("__")) {
      const near = closestKey(
        k,
        keys.filter((x) => !x.startsWith("deploymentHash")),
      );
      f.add(k, `unknown property ${k}${near ? ` (did you mean \`${near}\`?)` : ""}`);
    }
  }
  return out;
}

/**
 * The valid key a mistyped one most likely meant: the same key in camelCase (`display_name` →
 * `displayName`), ignoring case, or the nearest by edit distance when it is close enough.
 */
export function closestKey(key: string, keys: readonly string[]): string | undefined {
  const camel = key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  const exact = keys.find((k) => k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of keys) {
    const d = editDistance(camel.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Failures as the engine prints them. It shows `property <p> value {<value>} has a problem: <reason>` and
 * looks the value up as a top-level key only, so a nested path (`stagingConfig.x`, `dependsOn[1]`) would
 * print `{<nil>}` and an object value a raw Go map. Those get no property: the reason, which names the path
 * and the value itself, is printed alone.
 */
export function forEngine(failures: CheckFailure[], news: Record<string, unknown>): CheckFailure[] {
  return failures.map((x) => {
    const v = news[x.property];
    const scalar = v === undefined || v === null || typeof v !== "object" || isStringList(v);
    const plain = !/[.[]/.test(x.property) && scalar;
    return plain ? x : { property: "", reason: x.reason };
  });
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null);
}

/** A short, one-line rendering of a value for a message. */
export function show(v: unknown, max = 80): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
