// An install's deployment_config checked against its application's config_schema the way the platform
// reads it: JSON Schema 2020-12, Doover's `x-…` annotations and `additionalElements` ignored, unknown
// formats passing (format is an annotation in 2020-12), and `default`s filled in before `required` is
// checked (pydoover's config loader applies them on the device).

import { escapePointer, loadAjv } from "./config-schema";

/** One reason a deployment config does not fit the schema; `pointer` is a JSON pointer ("" = the whole config). */
export interface DeploymentConfigProblem {
  pointer: string;
  message: string;
}

type Validator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; keyword: string; message?: string; params: unknown }[] | null;
};

// Compiled validators by schema text: compiling costs ~50 ms, and a rollout (or the emulator deploying to a
// fleet) checks the same schema once per device. A few schemas at a time; the oldest goes first.
const CACHE_SIZE = 32;
const cache = new Map<string, Validator>();

function compiled(schema: boolean | Record<string, unknown>): Validator {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) return hit;
  // strict: false — unknown keywords (Doover's x-… annotations) and unknown formats are annotations here.
  const { Ajv: Ajv2020, addFormats } = loadAjv();
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, logger: false });
  addFormats(ajv);
  const validate = ajv.compile(schema) as unknown as Validator;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, validate);
  return validate;
}

/**
 * Validates `config` against `schema`. Returns the problems (empty when it fits) and the config with the
 * schema's defaults applied (a copy; `config` is not changed). A missing or empty schema accepts anything.
 */
export function validateDeploymentConfig(
  schema: unknown,
  config: unknown,
): { problems: DeploymentConfigProblem[]; withDefaults: unknown } {
  const copy = config === undefined ? {} : structuredClone(config);
  if (schema === undefined || schema === null || schema === true) return { problems: [], withDefaults: copy };
  if (typeof schema !== "object" && typeof schema !== "boolean") {
    return {
      problems: [{ pointer: "", message: "the application's config schema is not a JSON object" }],
      withDefaults: copy,
    };
  }
  const s = typeof schema === "boolean" ? schema : { ...(schema as Record<string, unknown>) };
  if (typeof s === "object" && s.$id === "") delete s.$id; // pydoover writes an empty $id
  let validate: Validator;
  try {
    validate = compiled(s);
  } catch (e) {
    return {
      problems: [{ pointer: "", message: `the application's config schema does not compile: ${(e as Error).message}` }],
      withDefaults: copy,
    };
  }
  if (validate(copy)) return { problems: [], withDefaults: copy };
  const problems: DeploymentConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    let pointer = e.instancePath;
    let message = e.message ?? "is invalid";
    const params = e.params as Record<string, unknown>;
    if (e.keyword === "required" && typeof params.missingProperty === "string") {
      pointer = `${pointer}/${escapePointer(params.missingProperty)}`;
      message = "is required";
    } else if (e.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
      pointer = `${pointer}/${escapePointer(params.additionalProperty)}`;
      message = "is not a property the schema allows";
    } else if (e.keyword === "enum" && Array.isArray(params.allowedValues)) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    const key = `${pointer} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, message });
  }
  return { problems, withDefaults: copy };
}
