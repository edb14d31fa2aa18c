// Request-body validation with DRF-like messages. The schemas in schemas.ts are transcribed by hand
// from the spec's *Request components; unknown and read-only keys are ignored, as DRF does.

import { codePointLength, jsonProblem, shortPointer, textProblem } from "../sdk/json-limits";
import type { FieldErrors } from "./errors";
import { integerText, isRawInteger } from "./json";

export interface FieldSpec {
  type: "string" | "integer" | "boolean" | "array" | "any" | "id";
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  patternMessage?: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  format?: "uri";
  items?: FieldSpec;
}

export interface BodySchema {
  fields: Record<string, FieldSpec>;
  required: readonly string[];
}

type Checked = { ok: true; value: unknown } | { ok: false; errors: string[] };

const TRUE = new Set<unknown>([true, "true", "True", "1", 1, "yes", "on"]);
const FALSE = new Set<unknown>([false, "false", "False", "0", 0, "no", "off"]);

function checkString(v: unknown, spec: FieldSpec): Checked {
  // DRF's CharField takes numbers and stringifies them.
  let s: string;
  if (typeof v === "string") s = v;
  else if (typeof v === "number" && Number.isFinite(v)) s = String(v);
  else if (isRawInteger(v)) s = v.rawJSON;
  else return { ok: false, errors: ["Not a valid string."] };
  // DRF's CharField validators (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator).
  const refused = textProblem(s);
  if (refused) return { ok: false, errors: [refused] };
  if (s.trim() === "" && (spec.minLength ?? 0) > 0) return { ok: false, errors: ["This field may not be blank."] };
  const errors: string[] = [];
  // Python counts code points: 100 emoji fit in max_length 100.
  const length = codePointLength(s);
  if (spec.maxLength !== undefined && length > spec.maxLength) {
    errors.push(`Ensure this field has no more than ${spec.maxLength} characters.`);
  }
  if (spec.minLength !== undefined && length < spec.minLength) {
    errors.push(`Ensure this field has at least ${spec.minLength} characters.`);
  }
  if (spec.enum && !spec.enum.includes(s)) errors.push(`"${s}" is not a valid choice.`);
  if (spec.pattern && !spec.pattern.test(s)) errors.push(spec.patternMessage ?? "Enter a valid value.");
  if (spec.format === "uri" && !isUrl(s)) errors.push("Enter a valid URL.");
  return errors.length ? { ok: false, errors } : { ok: true, value: s };
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return ["http:", "https:", "ftp:", "ftps:"].includes(u.protocol) && u.hostname !== "";
  } catch {
    return false;
  }
}

function checkInteger(v: unknown, spec: FieldSpec): Checked {
  const text = typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? v.trim() : integerText(v);
  if (text === undefined) return { ok: false, errors: ["A valid integer is required."] };
  const n = Number(text);
  if (spec.maximum !== undefined && n > spec.maximum) {
    return {
      ok: false,
      errors: [`Ensure this value is less than or equal to ${spec.maximum}.`],
    };
  }
  if (spec.minimum !== undefined && n < spec.minimum) {
    return {
      ok: false,
      errors: [`Ensure this value is greater than or equal to ${spec.minimum}.`],
    };
  }
  return { ok: true, value: n };
}

function checkValue(v: unknown, spec: FieldSpec): Checked {
  if (v === null) {
    return spec.nullable || spec.type === "any"
      ? { ok: true, value: null }
      : { ok: false, errors: ["This field may not be null."] };
  }
  switch (spec.type) {
    case "any": {
      // A JSONField: PostgreSQL cannot store NUL or a lone surrogate, and Python cannot read back JSON nested
      // deeper than MAX_JSON_DEPTH (the real server would answer 500; the emulator refuses with a 400).
      const problem = jsonProblem(v);
      if (!problem) return { ok: true, value: v };
      return {
        ok: false,
        errors: [problem.pointer ? `${problem.message} (at ${shortPointer(problem.pointer)})` : problem.message],
      };
    }
    case "string":
      return checkString(v, spec);
    case "id":
      // A primary key: a string, or integer digits kept exact (see json.ts).
      return checkString(v, { ...spec, minLength: spec.minLength ?? 1 });
    case "integer":
      return checkInteger(v, spec);
    case "boolean":
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return { ok: false, errors: ["Must be a valid boolean."] };
    case "array": {
      if (!Array.isArray(v)) {
        const kind = typeof v === "string" ? "str" : typeof v === "object" ? "dict" : typeof v;
        return {
          ok: false,
          errors: [`Expected a list of items but got type "${kind}".`],
        };
      }
      const out: unknown[] = [];
      const errors: string[] = [];
      v.forEach((item, i) => {
        const r = spec.items ? checkValue(item, spec.items) : { ok: true as const, value: item };
        if (r.ok) out.push(r.value);
        else errors.push(...r.errors.map((m) => `Item ${i}: ${m}`));
      });
      return errors.length ? { ok: false, errors } : { ok: true, value: out };
    }
  }
}

/**
 * Validates `body` against `schema`. `partial` (PATCH) checks only the keys given.
 * Returns the cleaned known fields, or field errors.
 */
export function validateBody(
  body: Record<string, unknown>,
  schema: BodySchema,
  partial: boolean,
): { data: Record<string, unknown>; errors?: FieldErrors } {
  const data: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [name, spec] of Object.entries(schema.fields)) {
    if (!(name in body)) {
      if (!partial && schema.required.includes(name)) errors[name] = ["This field is required."];
      continue;
    }
    const r = checkValue(body[name], spec);
    if (r.ok) data[name] = r.value;
    else errors[name] = r.errors;
  }
  return Object.keys(errors).length ? { data, errors } : { data };
}
