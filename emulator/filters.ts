// django-filter style query filters for the list endpoints, declared as tables: one entry per
// query parameter the spec lists (`name`, `name__icontains`, `stars__gt`, `organisation__isnull`…),
// so tests/emulator-filters.test.ts can check each table against the OpenAPI document.
// A parameter no table declares answers 400: the emulator never silently returns everything.

import type { RequestContext } from "./context";
import { ApiError, type FieldErrors, validationError } from "./errors";

/** Reads the value a filter or ordering looks at from a stored record. */
export type Getter<T> = (item: T) => unknown;

/** One query parameter: parses its raw value (or throws a field message) and tests items. */
export interface Filter<T> {
  /** Parsed value → item test; a string result is the field's 400 message. */
  parse(raw: string): ((item: T) => boolean) | string;
  /** Repeated values (`id=1&id=2`) are joined with commas instead of the last one winning. */
  multi?: boolean;
}

/** A parameter the spec lists that the emulator cannot answer truthfully: 400 with this reason. */
export interface Unsupported {
  unsupported: string;
}

/** Query parameter name (exactly as the spec lists it) → its filter. */
export type FilterTable<T> = Record<string, Filter<T> | Unsupported>;

/** Everything a list endpoint accepts besides `page` and `per_page`. */
export interface ListSpec<T> {
  filters: FilterTable<T>;
  /** DRF SearchFilter: every whitespace/comma separated term must occur (any case) in one of these. */
  search?: Getter<T>[];
  /** DRF OrderingFilter: `ordering=-stars,name`; unknown fields answer 400. */
  ordering?: Record<string, Getter<T>>;
}

const PAGINATION = ["page", "per_page"];

const TRUE = new Set(["true", "True", "1"]);
const FALSE = new Set(["false", "False", "0"]);

function parseBool(raw: string): boolean | string {
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  return "Select a valid choice. That choice is not one of the available choices.";
}

// Django's IntegerField: optional sign, digits, an ignorable ".0…" tail.
function parseInteger(raw: string): bigint | string {
  const m = /^\s*([-+]?\d+)(\.0*)?\s*$/.exec(raw);
  return m ? BigInt(m[1]) : "Enter a whole number.";
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

const text = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** `name`, `name__contains`, `name__icontains` (CharFilter exact / contains / icontains). */
export function textFilters<T>(
  name: string,
  get: Getter<T>,
  lookups: readonly ("exact" | "contains" | "icontains")[] = ["exact", "contains", "icontains"],
): FilterTable<T> {
  const out: FilterTable<T> = {};
  for (const lookup of lookups) {
    const key = lookup === "exact" ? name : `${name}__${lookup}`;
    out[key] = {
      parse: (raw) =>
        lookup === "exact"
          ? (i) => text(get(i)) === raw
          : lookup === "contains"
            ? (i) => text(get(i)).includes(raw)
            : (i) => text(get(i)).toLowerCase().includes(raw.toLowerCase()),
    };
  }
  return out;
}

/** `stars`, `stars__gt`, `stars__gte`, `stars__lt`, `stars__lte` (NumberFilter). */
export function numberFilters<T>(
  name: string,
  get: Getter<T>,
  lookups: readonly ("exact" | "gt" | "gte" | "lt" | "lte")[] = ["exact", "gt", "gte", "lt", "lte"],
): FilterTable<T> {
  const cmp: Record<string, (a: bigint, b: bigint) => boolean> = {
    exact: (a, b) => a === b,
    gt: (a, b) => a > b,
    gte: (a, b) => a >= b,
    lt: (a, b) => a < b,
    lte: (a, b) => a <= b,
  };
  const out: FilterTable<T> = {};
  for (const lookup of lookups) {
    const key = lookup === "exact" ? name : `${name}__${lookup}`;
    out[key] = {
      parse: (raw) => {
        const want = parseInteger(raw);
        if (typeof want === "string") return want;
        return (i) => {
          const have = asBigInt(get(i));
          return have !== undefined && cmp[lookup](have, want);
        };
      },
    };
  }
  return out;
}

/** `archived=true|false` (BooleanFilter). */
export function boolFilter<T>(get: Getter<T>): Filter<T> {
  return {
    parse: (raw) => {
      const want = parseBool(raw);
      return typeof want === "string" ? want : (i) => Boolean(get(i)) === want;
    },
  };
}

/** `type=PRO` (ChoiceFilter): a value outside `choices` is a 400. */
export function choiceFilter<T>(get: Getter<T>, choices: readonly string[]): Filter<T> {
  return {
    parse: (raw) =>
      choices.includes(raw)
        ? (i) => get(i) === raw
        : `Select a valid choice. ${raw} is not one of the available choices.`,
  };
}

/**
 * A foreign key by id (ModelChoiceFilter): `organisation=<id>`, plus `organisation__isnull` when asked.
 * The getter returns the related id or null.
 */
export function referenceFilters<T>(name: string, get: Getter<T>, opts: { isnull?: boolean } = {}): FilterTable<T> {
  const out: FilterTable<T> = {
    [name]: {
      parse: (raw) =>
        /^\s*\d+\s*$/.test(raw)
          ? (i) => text(get(i)) === raw.trim()
          : "Select a valid choice. That choice is not one of the available choices.",
    },
  };
  if (opts.isnull) {
    out[`${name}__isnull`] = {
      parse: (raw) => {
        const want = parseBool(raw);
        if (typeof want === "string") return want;
        return (i) => (get(i) === null || get(i) === undefined) === want;
      },
    };
  }
  return out;
}

/** `id` as an integer (NumberFilter on the primary key). */
export function idFilter<T>(get: Getter<T>): Filter<T> {
  return numberFilters("id", get, ["exact"]).id as Filter<T>;
}

/** `id=1&id=2` or `id=1,2` (an array parameter): any of the ids. */
export function idListFilter<T>(get: Getter<T>): Filter<T> {
  return {
    multi: true,
    parse: (raw) => {
      const ids = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (!ids.every((s) => /^\d+$/.test(s))) return "Enter a whole number.";
      return (i) => ids.includes(text(get(i)));
    },
  };
}

function isUnsupported<T>(f: Filter<T> | Unsupported): f is Unsupported {
  return "unsupported" in f;
}

/** The query parameters `spec` accepts, pagination included (for 400 messages and the spec test). */
export function acceptedParameters<T>(spec: ListSpec<T>): string[] {
  return [
    ...Object.keys(spec.filters),
    ...(spec.search ? ["search"] : []),
    ...(spec.ordering ? ["ordering"] : []),
    ...PAGINATION,
  ].sort();
}

/** Applies the query of `ctx` to `items`: filters (AND), then search, then ordering. */
export function applyListQuery<T>(ctx: RequestContext, items: T[], spec: ListSpec<T>): T[] {
  const q = ctx.query;
  const accepted = new Set(acceptedParameters(spec));
  const unknown = [...new Set(q.keys())].filter((k) => !accepted.has(k));
  if (unknown.length) {
    const error = Object.fromEntries(unknown.map((k) => [k, ["Unknown query parameter."]]));
    throw new ApiError(400, {
      detail:
        `Unknown query parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} ` +
        `for GET ${ctx.path} (the emulator rejects filters the API does not list rather than ignore them). ` +
        `Accepted: ${[...accepted].join(", ")}.`,
      error,
    });
  }
  const errors: FieldErrors = {};
  const tests: ((i: T) => boolean)[] = [];
  for (const [name, filter] of Object.entries(spec.filters)) {
    // Like Django's QueryDict.get, the last of repeated values wins (id lists join them all).
    const values = q.getAll(name);
    if (values.length === 0) continue;
    const raw = !isUnsupported(filter) && filter.multi ? values.join(",") : values[values.length - 1];
    if (raw === "") continue; // django-filter skips empty values
    if (isUnsupported(filter)) {
      errors[name] = [`The emulator does not implement this filter: ${filter.unsupported}.`];
      continue;
    }
    const parsed = filter.parse(raw);
    if (typeof parsed === "string") errors[name] = [parsed];
    else tests.push(parsed);
  }
  let orderKeys: { desc: boolean; get: Getter<T> }[] = [];
  const ordering = q.get("ordering");
  if (ordering && spec.ordering) {
    const fields = ordering
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean);
    const bad = fields.filter((k) => !(k.replace(/^-/, "") in spec.ordering!));
    if (bad.length) {
      errors.ordering = [
        `Cannot order by ${bad.map((k) => `"${k}"`).join(", ")}. ` +
          `Choices: ${Object.keys(spec.ordering).join(", ")} (prefix "-" for descending).`,
      ];
    }
    orderKeys = fields
      .filter((k) => !bad.includes(k))
      .map((k) => ({ desc: k.startsWith("-"), get: spec.ordering![k.replace(/^-/, "")] }));
  }
  if (Object.keys(errors).length) throw validationError(errors);

  let out = items.filter((i) => tests.every((t) => t(i)));
  const search = q.get("search");
  if (search && spec.search) {
    const terms = search.replace(/\0/g, "").replace(/,/g, " ").split(/\s+/).filter(Boolean);
    out = out.filter((i) =>
      terms.every((term) => spec.search!.some((g) => text(g(i)).toLowerCase().includes(term.toLowerCase()))),
    );
  }
  if (orderKeys.length) {
    out = [...out].sort((a, b) => {
      for (const k of orderKeys) {
        const r = compare(k.get(a), k.get(b));
        if (r !== 0) return k.desc ? -r : r;
      }
      return 0;
    });
  }
  return out;
}

/** Shape of the first-round filter declarations, still accepted by applyFilters. */
export interface FilterSpec<T> {
  exact?: Record<string, Getter<T>>;
  text?: Record<string, Getter<T>>; // also name__contains / name__icontains
  bool?: Record<string, Getter<T>>;
  choice?: Record<string, { get: Getter<T>; choices: readonly string[] }>;
  search?: Getter<T>[];
  ordering?: Record<string, Getter<T>>;
}

/** Builds the table form of a FilterSpec. */
export function listSpec<T>(spec: FilterSpec<T>): ListSpec<T> {
  const filters: FilterTable<T> = {};
  for (const [name, get] of Object.entries(spec.exact ?? {}))
    filters[name] = { parse: (raw) => (i) => text(get(i)) === raw };
  for (const [name, get] of Object.entries(spec.text ?? {})) Object.assign(filters, textFilters(name, get));
  for (const [name, get] of Object.entries(spec.bool ?? {})) filters[name] = boolFilter(get);
  for (const [name, c] of Object.entries(spec.choice ?? {})) filters[name] = choiceFilter(c.get, c.choices);
  return { filters, search: spec.search, ordering: spec.ordering };
}

/** applyListQuery for a FilterSpec (kept for callers written against the first round). */
export function applyFilters<T>(ctx: RequestContext, items: T[], spec: FilterSpec<T>): T[] {
  return applyListQuery(ctx, items, listSpec(spec));
}

/**
 * Orders like Postgres: integers (and snowflake strings) numerically, booleans false first,
 * strings by code point, nulls last.
 */
export function compare(a: unknown, b: unknown): number {
  const nullA = a === null || a === undefined;
  const nullB = b === null || b === undefined;
  if (nullA || nullB) return nullA === nullB ? 0 : nullA ? 1 : -1;
  const x = asBigInt(a);
  const y = asBigInt(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}
