// config_schema check: JSON Schema 2020-12 plus Doover's extras (pydoover `config.to_schema`): keyword
// `additionalElements`, `x-…` annotations and formats such as `doover-application`.
//
// 2020-12 treats `format` as an annotation, so a format this checker does not know (pydoover's
// `dd_permissions`, a newer Doover format) passes; the formats ajv-formats knows are still checked when
// values are validated. A keyword that is neither JSON Schema nor Doover's is ignored by validators, so it is
// a warning, not an error; so is a `required` name that `properties` does not declare (legal JSON Schema: a
// config must have the key, with any value). Only a schema that does not compile is an error.

import type Ajv2020 from "ajv/dist/2020";

// ajv takes ~100 ms to load: it is required on the first check, not when the package is imported.
let ajvModules: { Ajv: typeof Ajv2020; addFormats: (ajv: Ajv2020) => unknown } | undefined;
/** ajv (2020-12) and ajv-formats, loaded on first use (also by deployment-config.ts). */
export function loadAjv(): NonNullable<typeof ajvModules> {
  ajvModules ??= {
    Ajv: (require("ajv/dist/2020") as { default: typeof Ajv2020 }).default,
    addFormats: (require("ajv-formats") as { default: (ajv: Ajv2020) => unknown }).default,
  };
  return ajvModules;
}

const DOOVER_KEYWORDS = [
  "additionalElements",
  "x-advanced",
  "x-name",
  "x-hidden",
  "x-required",
  "x-position",
  "x-collapsible",
  "x-defaultCollapsed",
];

/** Keywords whose value is a schema, a list of schemas, or a map of name → schema (for locating keywords). */
const SCHEMA_VALUED = ["not", "if", "then", "else", "contains", "items", "additionalProperties", "propertyNames"];
const SCHEMA_VALUED_MORE = ["unevaluatedItems", "unevaluatedProperties", "additionalItems", "additionalElements"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

/** One problem in a config schema: where (a JSON pointer into the schema, "" for its root) and what. */
export interface ConfigSchemaProblem {
  pointer: string;
  message: string;
}

/** Errors (the schema does not compile) and warnings (it compiles, but something in it will be ignored). */
export interface ConfigSchemaReport {
  errors: ConfigSchemaProblem[];
  warnings: ConfigSchemaProblem[];
}

/** `/properties/a/type: must be …`, or `(root): …` for the schema itself: one line per problem. */
export function formatSchemaProblem(p: ConfigSchemaProblem): string {
  return `${p.pointer || "(root)"}: ${p.message}`;
}

/** Human-readable errors, one line each with its JSON pointer; `[]` when the schema compiles. */
export function validateConfigSchema(schema: unknown): string[] {
  return checkConfigSchema(schema).errors.map(formatSchemaProblem);
}

/** Compiles `schema` as a Doover config schema and reports errors and warnings with their JSON pointers. */
export function checkConfigSchema(schema: unknown): ConfigSchemaReport {
  const report: ConfigSchemaReport = { errors: [], warnings: [] };
  if (schema === undefined || schema === null || typeof schema === "boolean") return report;
  if (typeof schema !== "object" || Array.isArray(schema)) {
    report.errors.push({ pointer: "", message: "config_schema must be a JSON object" });
    return report;
  }
  const unknownKeywords = new Set<string>();
  const undeclaredRequired: ConfigSchemaProblem[] = [];
  const { Ajv: Ajv2020, addFormats } = loadAjv();
  // Fresh instance per call: Doover schemas all use `$id: ""`, which would collide in a shared one.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictSchema: "log", // unknown keywords are logged (collected below as warnings), not thrown
    strictTypes: false,
    strictTuples: false,
    strictRequired: "log", // legal JSON Schema: collected below as warnings
    logger: {
      log: () => undefined,
      error: () => undefined,
      warn: (...args: unknown[]) => {
        const text = args.map(String).join(" ");
        const m = /unknown keyword: "([^"]+)"/.exec(text);
        if (m) unknownKeywords.add(m[1]);
        const r = /required property "([^"]+)" is not defined at "#([^"]*)"/.exec(text);
        if (r) undeclaredRequired.push(requiredWarning(r[1], r[2]));
      },
    },
  });
  addFormats(ajv);
  const keywords = new Set(DOOVER_KEYWORDS);
  const formats = new Set<string>();
  collect(schema, keywords, formats);
  for (const k of keywords) if (!ajv.getKeyword(k)) ajv.addKeyword({ keyword: k, schemaType: undefined });
  for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true); // annotation only: any value passes

  const s = { ...(schema as Record<string, unknown>) };
  if (s.$id === "") delete s.$id; // pydoover writes an empty $id; ajv would reject it as a duplicate base
  if (!ajv.validateSchema(s)) {
    report.errors.push(...metaSchemaProblems(s, ajv.errors ?? []));
    return report;
  }
  try {
    ajv.compile(s);
  } catch (e) {
    report.errors.push({ pointer: "", message: oneLine((e as Error).message) });
    return report;
  }
  for (const w of undeclaredRequired) {
    if (!report.warnings.some((x) => x.pointer === w.pointer && x.message === w.message)) report.warnings.push(w);
  }
  for (const keyword of unknownKeywords) {
    for (const pointer of locate(s, keyword)) {
      report.warnings.push({
        pointer,
        message: `unknown keyword "${keyword}" is ignored (not JSON Schema 2020-12, not a Doover keyword)`,
      });
    }
  }
  return report;
}

/** `required` at `at` (ajv's schema path after `#`) names `name`, which no `properties` there declares. */
function requiredWarning(name: string, at: string): ConfigSchemaProblem {
  const where = at === "" ? "properties" : `${at}/properties`;
  return {
    pointer: `${at}/required`,
    message:
      `names "${name}", which ${where} does not declare: a config must still have "${name}" (any value ` +
      `passes), but nothing describes it. Declare it under ${where}, or remove it from required.`,
  };
}

/** Every `x-…` keyword and every `format` value used anywhere in the schema. */
function collect(node: unknown, keywords: Set<string>, formats: Set<string>): void {
  if (Array.isArray(node)) {
    for (const v of node) collect(v, keywords, formats);
  } else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("x-")) keywords.add(k);
      if (k === "format" && typeof v === "string") formats.add(v);
      collect(v, keywords, formats);
    }
  }
}

/** JSON pointers of every subschema that uses `keyword`. */
function locate(schema: unknown, keyword: string, pointer = "", out: string[] = []): string[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return out;
  const node = schema as Record<string, unknown>;
  if (keyword in node) out.push(`${pointer}/${escapePointer(keyword)}`);
  const at = (k: string) => `${pointer}/${escapePointer(k)}`;
  for (const k of [...SCHEMA_VALUED, ...SCHEMA_VALUED_MORE]) {
    const v = node[k];
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) locate(x, keyword, `${at(k)}/${i}`, out);
    } else locate(v, keyword, at(k), out);
  }
  for (const k of SCHEMA_LISTS) {
    const v = node[k];
    if (Array.isArray(v)) for (const [i, x] of v.entries()) locate(x, keyword, `${at(k)}/${i}`, out);
  }
  for (const k of SCHEMA_MAPS) {
    const v = node[k];
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      for (const [name, sub] of Object.entries(v)) locate(sub, keyword, `${at(k)}/${escapePointer(name)}`, out);
    }
  }
  return out;
}

/** One JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export const escapePointer = (k: string): string => k.replace(/~/g, "~0").replace(/\//g, "~1");

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Meta-schema errors, one per place. Ajv reports each failed branch of the meta-schema (`type` must be a
 * string, or an array, or match anyOf …); the most specific one per pointer is kept, with the value found.
 */
function metaSchemaProblems(schema: unknown, errors: AjvError[]): ConfigSchemaProblem[] {
  const byPointer = new Map<string, AjvError[]>();
  for (const e of errors) byPointer.set(e.instancePath, [...(byPointer.get(e.instancePath) ?? []), e]);
  const out: ConfigSchemaProblem[] = [];
  for (const [pointer, list] of byPointer) {
    const specific = list.filter((e) => !["anyOf", "oneOf", "allOf", "if", "$dynamicRef"].includes(e.keyword));
    const e = specific.find((x) => x.keyword === "enum") ?? specific[0] ?? list[0];
    let message = e.message ?? "is invalid";
    if (e.keyword === "enum" && Array.isArray(e.params.allowedValues)) {
      message = `must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    const got = valueAt(schema, pointer);
    if (got !== undefined) message += ` (got ${short(got)})`;
    out.push({ pointer, message });
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

function short(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
