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
