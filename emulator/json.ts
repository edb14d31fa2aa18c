// JSON helpers that keep integers beyond 2^53 exact (snowflake ids sent as numbers).

interface RawJson {
  rawJSON: string;
}

const J = JSON as unknown as {
  rawJSON(text: string): RawJson;
  isRawJSON(v: unknown): v is RawJson;
};

/** Parses JSON; unsafe integers become raw-JSON values that re-serialise digit for digit. */
export function parseLossless(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (
      typeof value === "number" &&
      !Number.isSafeInteger(value) &&
      context?.source &&
      /^-?\d+$/.test(context.source)
    ) {
      return J.rawJSON(context.source);
    }
    return value;
  } as (key: string, value: unknown) => unknown);
}

export function isRawInteger(v: unknown): v is RawJson {
  return typeof v === "object" && v !== null && J.isRawJSON(v);
}

/** Digits of an integer value (number or raw JSON), else undefined. */
export function integerText(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (isRawInteger(v)) return v.rawJSON;
  return undefined;
}

/**
 * How deep a JSON text nests, scanned without parsing (so a body nested 100,000 levels deep cannot overflow a
 * recursive parser or reviver): stops at the first container deeper than `limit` and reports the top-level key
 * it sits under (the request field), or undefined when the text stays within `limit`.
 */
export function tooDeep(text: string, limit: number): { key?: string } | undefined {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastString: string | undefined;
  let key: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        lastString = text.slice(stringStart, i + 1);
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x3a && depth === 1 && lastString !== undefined) {
      try {
        key = JSON.parse(lastString) as string; // ':' after a string at the top level: that string is the key
      } catch {
        key = undefined;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return { key: depth > 1 ? key : undefined };
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}
