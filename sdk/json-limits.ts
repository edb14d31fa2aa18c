// What the Doover control plane (Django REST framework on PostgreSQL, read by Python clients) cannot take, checked
// without recursion so a value too deep for the server is reported instead of overflowing our own stack:
// - text with a NUL character or a lone UTF-16 surrogate (DRF's CharField refuses both; PostgreSQL cannot store
//   either, so a JSON field holding one fails on the server too);
// - JSON nested deeper than MAX_JSON_DEPTH. Python's json module stops at ~994 levels in a fresh interpreter
//   (sys.getrecursionlimit() 1000) and at fewer inside a server or a client's call stack: pydoover 1.18.3 cannot
//   read back a config 1,000 levels deep. 512 leaves room for both.
// Lengths are counted in code points, as Python (and so the server's max_length) counts them.

import { DooverValidationError } from "./errors";

/** Deepest nesting of objects/arrays accepted in one JSON value (a scalar is 0, `{}` is 1). */
export const MAX_JSON_DEPTH = 512;

/** The number of Unicode code points in `s` (Python's `len`): an emoji is 1, not 2. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** DRF's message for text the server refuses (a NUL or a lone surrogate), or undefined when `s` is fine. */
export function textProblem(s: string): string | undefined {
  if (s.includes("\0")) return "Null characters are not allowed.";
  const m = LONE_SURROGATE.exec(s);
  if (m) return `Surrogate characters are not allowed: U+${m[0].charCodeAt(0).toString(16).toUpperCase()}.`;
  return undefined;
}

/** A problem inside a JSON value: where (a JSON pointer, "" for the value itself) and what. */
export interface JsonProblem {
  pointer: string;
  message: string;
}

const escapeToken = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The first problem in a JSON value (depth, NUL, lone surrogates in strings and keys), or undefined. Walks with
 * an explicit stack, so a value nested 100,000 levels deep is reported, not a RangeError. Values JSON cannot
 * hold (functions, symbols) are not its business; `toJSON` objects (e.g. streamed deployment data) are skipped.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: { v: unknown; pointer: string; depth: number }[] = [{ v: value, pointer: "", depth: 0 }];
  while (stack.length > 0) {
    const { v, pointer, depth } = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return { pointer, message: problem };
      continue;
    }
    if (v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") continue;
    if (depth + 1 > maxDepth) {
      return {
        pointer,
        message: `Nested deeper than ${maxDepth} levels (the most the API and its Python clients read back).`,
      };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], pointer: `${pointer}/${i}`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      const keyProblem = textProblem(k);
      if (keyProblem) return { pointer: `${pointer}/${escapeToken(k)}`, message: `Key: ${keyProblem}` };
      stack.push({ v: x, pointer: `${pointer}/${escapeToken(k)}`, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A JSON pointer for a message: one nested 500 levels deep is cut to its first 60 characters. */
export function shortPointer(pointer: string): string {
  return pointer.length > 80 ? `${pointer.slice(0, 60)}…` : pointer;
}

/** "name (at /a/b)": a field and a pointer inside it, for messages. */
export function describeJsonPlace(field: string, pointer: string): string {
  return pointer ? `${field} (at ${shortPointer(pointer)})` : field;
}

/**
 * Throws DooverValidationError when a request body holds something the API cannot take (see the top of this
 * file), naming the field and where in it: checked before the body is serialized, so a config nested 10,000
 * levels deep is this error, not a RangeError from JSON.stringify.
 */
export function assertSendableBody(body: unknown, what: string): void {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    const problem = jsonProblem(body);
    if (problem) throw sendError(what, "the body", problem);
    return;
  }
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    const problem = jsonProblem(value);
    if (problem) throw sendError(what, field, problem);
  }
}

function sendError(what: string, field: string, problem: JsonProblem): DooverValidationError {
  return new DooverValidationError(
    `${what}: ${describeJsonPlace(field, problem.pointer)}: ${problem.message} Nothing was sent.`,
    { field, pointer: problem.pointer },
  );
}
