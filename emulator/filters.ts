// django-filter style query filters shared by the list endpoints.

import type { RequestContext } from "./context";
import { validationError, type FieldErrors } from "./errors";

export type Getter<T> = (item: T) => unknown;

/** Boolean query value: "true"/"false" (also True/1/0), else a 400 like django-filter. */
function parseBool(v: string): boolean | undefined {
  if (["true", "True", "1"].includes(v)) return true;
  if (["false", "False", "0"].includes(v)) return false;
  return undefined;
}

export interface FilterSpec<T> {
  exact?: Record<string, Getter<T>>;
  text?: Record<string, Getter<T>>; // also name__contains / name__icontains
  bool?: Record<string, Getter<T>>;
  choice?: Record<string, { get: Getter<T>; choices: readonly string[] }>;
  search?: Getter<T>[];
  ordering?: Record<string, Getter<T>>;
}

export function applyFilters<T>(
  ctx: RequestContext,
  items: T[],
  spec: FilterSpec<T>,
): T[] {
  const q = ctx.query;
  const errors: FieldErrors = {};
  let out = items;
  for (const [name, get] of Object.entries(spec.exact ?? {})) {
    const v = q.get(name);
    if (v !== null && v !== "")
      out = out.filter((i) => String(get(i) ?? "") === v);
  }
  for (const [name, get] of Object.entries(spec.text ?? {})) {
    const exact = q.get(name);
    if (exact !== null && exact !== "")
      out = out.filter((i) => String(get(i) ?? "") === exact);
    const contains = q.get(`${name}__contains`);
    if (contains)
      out = out.filter((i) => String(get(i) ?? "").includes(contains));
    const icontains = q.get(`${name}__icontains`);
    if (icontains)
      out = out.filter((i) =>
        String(get(i) ?? "")
          .toLowerCase()
          .includes(icontains.toLowerCase()),
      );
  }
  for (const [name, get] of Object.entries(spec.bool ?? {})) {
    const v = q.get(name);
    if (v === null || v === "") continue;
    const b = parseBool(v);
    if (b === undefined)
      errors[name] = [
        "Select a valid choice. That choice is not one of the available choices.",
      ];
    else out = out.filter((i) => Boolean(get(i)) === b);
  }
  for (const [name, { get, choices }] of Object.entries(spec.choice ?? {})) {
    const v = q.get(name);
    if (v === null || v === "") continue;
    if (!choices.includes(v))
      errors[name] = [
        `Select a valid choice. ${v} is not one of the available choices.`,
      ];
    else out = out.filter((i) => get(i) === v);
  }
  if (Object.keys(errors).length) throw validationError(errors);
  const search = q.get("search");
  if (search && spec.search) {
    const s = search.toLowerCase();
    out = out.filter((i) =>
      spec.search!.some((g) =>
        String(g(i) ?? "")
          .toLowerCase()
          .includes(s),
      ),
    );
  }
  const ordering = q.get("ordering");
  if (ordering && spec.ordering) {
    const keys = ordering
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean);
    const cmps = keys
      .map((k) => ({
        desc: k.startsWith("-"),
        get: spec.ordering![k.replace(/^-/, "")],
      }))
      .filter((c) => c.get !== undefined);
    out = [...out].sort((a, b) => {
      for (const c of cmps) {
        const r = compare(c.get(a), c.get(b));
        if (r !== 0) return c.desc ? -r : r;
      }
      return 0;
    });
  }
  return out;
}

/** Compares snowflake strings numerically, everything else as strings. */
export function compare(a: unknown, b: unknown): number {
  if (
    typeof a === "string" &&
    typeof b === "string" &&
    /^\d+$/.test(a) &&
    /^\d+$/.test(b)
  ) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = String(a ?? "");
  const y = String(b ?? "");
  return x < y ? -1 : x > y ? 1 : 0;
}
