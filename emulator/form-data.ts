// Request bodies in the three media types the spec lists for writes (application/json,
// application/x-www-form-urlencoded, multipart/form-data), read the way DRF reads them.

import { createHash } from "node:crypto";
import type { RequestContext } from "./context";
import { objectBody } from "./context";
import { ApiError, type FieldErrors, fieldError, validationError } from "./errors";
import type { UploadRecord } from "./types";
import type { BodySchema } from "./validation";

/** One file part of a multipart body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A form body: text fields and file parts, each possibly repeated. */
export interface FormBody {
  fields: Map<string, string[]>;
  files: Map<string, UploadedFile[]>;
}

/** Name, type, size and SHA-256 of an uploaded file (its bytes are not kept). */
export function describeUpload(f: UploadedFile): UploadRecord {
  return {
    filename: f.filename,
    content_type: f.contentType,
    size: f.data.length,
    sha256: createHash("sha256").update(f.data).digest("hex"),
  };
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Parses an application/x-www-form-urlencoded body (UTF-8). */
export function parseUrlEncoded(raw: Buffer): FormBody {
  const fields = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) push(fields, k, v);
  return { fields, files: new Map() };
}

// `name="x"` / `filename="y"` / RFC 5987 `filename*=utf-8''y` from a Content-Disposition value.
function dispositionParam(header: string, key: string): string | undefined {
  const star = new RegExp(`;\\s*${key}\\*=([^']*)'[^']*'([^;]+)`, "i").exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      return star[2].trim();
    }
  }
  const quoted = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, "$1");
  const bare = new RegExp(`;\\s*${key}=([^;]+)`, "i").exec(header);
  return bare ? bare[1].trim() : undefined;
}

function multipartError(why: string): ApiError {
  return new ApiError(400, { detail: `Multipart form parse error - ${why}` });
}

/** Parses a multipart/form-data body (RFC 7578) with the boundary from its Content-Type. */
export function parseMultipart(raw: Buffer, contentType: string): FormBody {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m ? (m[1] ?? m[2]) : undefined;
  if (!boundary) throw multipartError(`Invalid boundary in multipart: None`);
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string[]>();
  const files = new Map<string, UploadedFile[]>();
  let pos = raw.indexOf(delimiter);
  if (pos < 0) throw multipartError("no opening boundary");
  for (;;) {
    pos += delimiter.length;
    if (raw.subarray(pos, pos + 2).toString() === "--") break; // closing delimiter
    pos = raw.indexOf("\r\n", pos);
    if (pos < 0) throw multipartError("truncated part");
    pos += 2;
    const headerEnd = raw.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0) throw multipartError("part without headers");
    const headers = new Map<string, string>();
    for (const line of raw.subarray(pos, headerEnd).toString("utf8").split("\r\n")) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const next = raw.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw multipartError("missing closing boundary");
    const data = raw.subarray(headerEnd + 4, next);
    const disposition = headers.get("content-disposition") ?? "";
    const name = dispositionParam(disposition, "name");
    if (!/^form-data\b/i.test(disposition) || name === undefined) throw multipartError("part without a form-data name");
    const filename = dispositionParam(disposition, "filename");
    if (filename !== undefined) {
      push(files, name, {
        filename,
        contentType: headers.get("content-type") ?? "application/octet-stream",
        data: Buffer.from(data),
      });
    } else {
      push(fields, name, data.toString("utf8"));
    }
    pos = next + 2;
  }
  return { fields, files };
}

/**
 * The body as the JSON object a schema validates. Form bodies follow DRF's HTML-input rules:
 * list fields take every repeated value, JSON fields are parsed from their text, an empty value
 * is null for a nullable field and absent for an optional one, the last repeated value wins.
 */
export function requestObject(ctx: RequestContext, schema: BodySchema): Record<string, unknown> {
  const form = ctx.form;
  if (!form) return objectBody(ctx);
  const out: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [name, spec] of Object.entries(schema.fields)) {
    if (form.files.has(name)) {
      errors[name] = ["Not a valid string."];
      continue;
    }
    const values = form.fields.get(name);
    if (!values) continue;
    if (spec.type === "array") {
      out[name] = values;
      continue;
    }
    const value = values[values.length - 1];
    if (value === "" && (spec.minLength ?? 0) > 0) {
      // A field that may not be blank: "" means null where allowed, else "not sent".
      if (spec.nullable) out[name] = null;
      else if (schema.required.includes(name)) out[name] = value;
      continue;
    }
    if (spec.type === "any") {
      try {
        out[name] = JSON.parse(value);
      } catch {
        errors[name] = ["Value must be valid JSON."];
      }
      continue;
    }
    out[name] = value;
  }
  if (Object.keys(errors).length) throw validationError(errors);
  return out;
}

/** The single file in multipart field `name` (DRF FileField rules), else a 400 naming it. */
export function requiredFile(ctx: RequestContext, name: string): UploadedFile {
  const fail = (msg: string) => fieldError(name, msg);
  const files = ctx.form?.files.get(name);
  if (!files?.length) {
    if (ctx.form?.fields.has(name))
      throw fail("The submitted data was not a file. Check the encoding type on the form.");
    throw fail("No file was submitted.");
  }
  const file = files[files.length - 1];
  if (!file.filename) throw fail("No filename could be determined.");
  if (file.data.length === 0) throw fail("The submitted file is empty.");
  return file;
}
