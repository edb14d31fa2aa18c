// config_schema check: JSON Schema 2020-12 plus Doover's extras (pydoover
// `config.to_schema`): keyword `additionalElements`, `x-…` annotations and the
// formats `doover-application` / `doover-resource-application`.

import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

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
const DOOVER_FORMATS = ["doover-application", "doover-resource-application"];

/**
 * Every `x-…` key and `doover-…` format used anywhere in the schema, so Doover's
 * newer annotations and formats (e.g. `doover-schedule`) pass too.
 */
function collectDooverExtras(node: unknown, keywords: Set<string>, formats: Set<string>): void {
  if (Array.isArray(node)) {
    for (const v of node) collectDooverExtras(v, keywords, formats);
  } else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("x-")) keywords.add(k);
      if (k === "format" && typeof v === "string" && v.startsWith("doover-")) formats.add(v);
      collectDooverExtras(v, keywords, formats);
    }
  }
}

/** Human-readable problems; `[]` when the schema compiles. */
export function validateConfigSchema(schema: unknown): string[] {
  if (schema === undefined || schema === null) return [];
  if (typeof schema === "boolean") return [];
  if (typeof schema !== "object" || Array.isArray(schema)) return ["config_schema must be a JSON object"];
  // A schema with no keywords at all ({}) is valid and means "anything".
  const keywords = new Set(DOOVER_KEYWORDS);
  const formats = new Set(DOOVER_FORMATS);
  collectDooverExtras(schema, keywords, formats);
  // Fresh instance per call: Doover schemas all use `$id: ""`, which would collide in a shared one.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, logger: false });
  addFormats(ajv);
  for (const k of keywords) ajv.addKeyword({ keyword: k, schemaType: undefined });
  for (const f of formats) ajv.addFormat(f, true);

  const s = { ...(schema as Record<string, unknown>) };
  if (s.$id === "") delete s.$id; // pydoover writes an empty $id; ajv would reject it as a duplicate base
  const problems: string[] = [];
  if (!ajv.validateSchema(s)) {
    for (const e of ajv.errors ?? []) problems.push(`${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`);
    return problems;
  }
  try {
    ajv.compile(s);
  } catch (e) {
    problems.push((e as Error).message);
  }
  return problems;
}
