// Canonical JSON: equality of API values that ignores key order (diffs, the probe's echo checks, hashes).

/** Canonical JSON: object keys sorted, undefined members dropped, undefined/null at the top alike. */
export function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v ?? null));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x ?? null));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}
