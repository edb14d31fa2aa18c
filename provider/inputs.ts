// Helpers shared by the application and tunnel providers: the preview "unknown" sentinel, check failures
// and small validators. No HTTP and no module-scope state here.

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
  opts: { required?: boolean; max?: number; pattern?: RegExp; patternText?: string; nullable?: boolean },
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
  if (opts.required && v.length === 0) f.add(key, `${key} must not be empty`);
  if (opts.max !== undefined && v.length > opts.max) {
    f.add(key, `${key} must be at most ${opts.max} characters (got ${v.length})`);
  }
  if (opts.pattern && !opts.pattern.test(v)) f.add(key, `${key} ${opts.patternText ?? `must match ${opts.pattern}`}`);
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
    else if (!k.startsWith("__")) f.add(k, `unknown property ${k}`);
  }
  return out;
}
