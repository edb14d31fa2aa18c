// Loads the Doover OpenAPI 3.0 document and validates recorded responses against it with ajv.
// OpenAPI schema → JSON Schema: $ref → "spec#/definitions/X", nullable → null allowed,
// readOnly/writeOnly/example/discriminator and x-* dropped.
// The document is the one pydoover's source distribution on PyPI carries (scripts/ensure-pydoover-sdist.sh
// downloads, checks and caches it): nothing outside the repository is read, and a missing document fails.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import type { RecordedResponse } from "../../emulator";

export type { RecordedResponse };

/** Nearest folder above `from` holding this package's package.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "pulumi-doover") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pulumi-doover package.json above ${from}`);
    dir = up;
  }
}

let sdistDir: string | undefined;

/**
 * A file of pydoover 1.18.3's source distribution (`relative` as in the sdist, e.g.
 * `examples/doover_config.json`): fetched from PyPI and cached by scripts/ensure-pydoover-sdist.sh, which
 * checks it against the sums pinned in scripts/pydoover-sdist.sha256. Throws the script's own message (what
 * to install or do) when it cannot.
 */
export function pydooverSdistFile(relative: string): string {
  if (!sdistDir) {
    const script = path.join(repoRoot(), "scripts", "ensure-pydoover-sdist.sh");
    const run = spawnSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (run.status !== 0) {
      throw new Error(
        `pydoover 1.18.3's source distribution is needed from PyPI and could not be fetched ` +
          `(bash scripts/ensure-pydoover-sdist.sh: ${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr.trim()}`,
      );
    }
    sdistDir = run.stdout.trim();
  }
  const file = path.join(sdistDir, relative);
  if (!fs.existsSync(file)) throw new Error(`${relative} is not in pydoover's source distribution (${sdistDir})`);
  return file;
}

/** The Doover Control API document: `protos/Doover Control API.yaml` of pydoover 1.18.3's sdist on PyPI. */
export function specPath(): string {
  return pydooverSdistFile("protos/Doover Control API.yaml");
}

/** The parsed OpenAPI document (see specPath). */
export function loadSpec(file = specPath()): Json {
  return parse(fs.readFileSync(file, "utf8")) as Json;
}

type Json = Record<string, unknown>;

const DROPPED = new Set([
  "readOnly",
  "writeOnly",
  "example",
  "examples",
  "discriminator",
  "xml",
  "externalDocs",
  "deprecated",
]);

/** Converts one OpenAPI 3.0 schema object (recursively) to JSON Schema draft-07. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const src = node as Json;
  if (typeof src.$ref === "string") {
    return {
      $ref: src.$ref.replace(/^#\/components\/schemas\//, "spec#/definitions/"),
    };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (DROPPED.has(key) || key.startsWith("x-") || key === "nullable") continue;
    if (key === "properties" || key === "patternProperties") {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (["items", "additionalProperties", "not"].includes(key) && typeof value === "object") {
      out[key] = toJsonSchema(value);
    } else if (["allOf", "anyOf", "oneOf"].includes(key)) {
      out[key] = (value as unknown[]).map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (src.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.type === undefined) {
      return { anyOf: [out, { type: "null" }] };
    }
  }
  return out;
}

export interface Verdict {
  ok: boolean;
  /** What the body was checked against, e.g. "applications_create 201". */
  against: string;
  errors?: string;
}

export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly spec: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const schemas = ((spec.components as Json)?.schemas ?? {}) as Json;
    const definitions = Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, toJsonSchema(v)]));
    this.ajv.addSchema({ $id: "spec", definitions });
  }

  static load(file = specPath()): SpecValidator {
    return new SpecValidator(loadSpec(file));
  }

  private compile(key: string, schema: unknown): ValidateFunction {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.compile(toJsonSchema(schema) as object);
      this.cache.set(key, fn);
    }
    return fn;
  }

  private errorSchema(): ValidateFunction {
    return this.compile("#error", {
      $ref: "#/components/schemas/OpenAPIErrorResponse",
    });
  }

  /** Checks one recorded response against the operation's response for its status. */
  validate(r: RecordedResponse): Verdict {
    const check = (fn: ValidateFunction, against: string): Verdict =>
      fn(r.body)
        ? { ok: true, against }
        : {
            ok: false,
            against,
            errors: this.ajv.errorsText(fn.errors, { separator: "; " }),
          };
    if (r.template === null) {
      // No route matched (404 for an unknown path): only the generic error shape applies.
      return r.status >= 400
        ? check(this.errorSchema(), "OpenAPIErrorResponse")
        : { ok: false, against: "-", errors: "success for an unknown path" };
    }
    const item = (this.spec.paths as Json)[r.template] as Json | undefined;
    if (!item)
      return {
        ok: false,
        against: "-",
        errors: `path ${r.template} is not in the spec`,
      };
    const op = item[r.method.toLowerCase()] as Json | undefined;
    if (!op) {
      // A method the path does not have: only an error (405) with the generic shape is acceptable.
      if (r.status >= 400)
        return check(this.errorSchema(), `${r.method} ${r.template} ${r.status} → OpenAPIErrorResponse`);
      return {
        ok: false,
        against: "-",
        errors: `${r.method} ${r.template} is not in the spec`,
      };
    }
    const name = String(op.operationId);
    const responses = (op.responses ?? {}) as Json;
    const response = (responses[String(r.status)] ?? (r.status >= 400 ? undefined : responses.default)) as
      | Json
      | undefined;
    if (!response) {
      // Statuses the spec does not list (401, 405, 429, 5xx…) must still have the generic error shape.
      if (r.status >= 400) return check(this.errorSchema(), `${name} ${r.status} → OpenAPIErrorResponse`);
      return {
        ok: false,
        against: name,
        errors: `status ${r.status} is not a documented response of ${name}`,
      };
    }
    if (r.contentType !== undefined) {
      // A non-JSON answer (installer scripts, archives): its media type must be one the operation lists.
      const type = r.contentType.split(";")[0].trim();
      const listed = Object.keys((response.content as Json | undefined) ?? {});
      return listed.includes(type)
        ? { ok: true, against: `${name} ${r.status} (${type})` }
        : { ok: false, against: name, errors: `content type ${type} is not one of ${listed.join(", ") || "none"}` };
    }
    const schema = ((response.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
    if (schema === undefined) {
      const empty = r.body === null || r.body === undefined || r.body === "";
      return empty
        ? { ok: true, against: `${name} ${r.status} (no body)` }
        : { ok: false, against: name, errors: "body where the spec has none" };
    }
    return check(this.compile(`${name} ${r.status}`, schema), `${name} ${r.status}`);
  }
}

/** Reads a JSON-lines recording (blank lines skipped). */
export function readRecording(file: string): RecordedResponse[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as RecordedResponse);
}
