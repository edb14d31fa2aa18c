// Fields: which ones each model's objects carry against what the SDK's types know (both ways), and whether
// the fields the package sends come back as sent.

import { canonical } from "../canonical-json";
import { FIELD_ECHO, MODEL_FIELDS } from "./assumptions";
import { addRow, type ProbeContext } from "./context";
import { compareFields, MODELS, type ModelName } from "./known-fields";

const HOW_TO_SAMPLE: Record<ModelName, string> = {
  Application: "no application visible to this token; run with --write",
  AppInstall: "no app install visible to this token; run with --write --device <id>",
  Deployment: "no deployment visible to this token (the probe does not deploy)",
  Tunnel: "no tunnel visible to this token; run with --write --device <id>",
  Device: "no device visible to this token",
  Group: "no device group visible to this token",
};

/** One row per model: fields the server sends that the package does not know, and the reverse. */
export function modelFieldRows(ctx: ProbeContext): void {
  for (const model of Object.keys(MODELS) as ModelName[]) {
    const { type } = MODELS[model];
    const got = ctx.samples[model];
    const behaviour = `fields of ${model} objects`;
    const assumes = MODEL_FIELDS.assumes(type);
    if (!got?.list && !got?.detail) {
      addRow(ctx, { id: `fields.${model}`, behaviour, server: HOW_TO_SAMPLE[model], assumes, verdict: "SKIPPED" });
      continue;
    }
    const views = (["detail", "list"] as const).filter((v) => got[v]);
    const cmp = views.map((v) => ({ view: v, ...compareFields(model, got[v]!) }));
    const union = (k: "unknown" | "missingRequired" | "missingOptional") =>
      [...new Set(cmp.flatMap((c) => c[k]))].sort();
    const unknown = union("unknown");
    const missingRequired = union("missingRequired");
    const missingOptional = union("missingOptional");
    // A field missing from one view only is named with it (lookups read list items).
    const where = (field: string) => {
      const in_ = cmp.filter((c) => c.missingRequired.includes(field) || c.missingOptional.includes(field));
      return in_.length === cmp.length || cmp.length === 1 ? field : `${field} (${in_[0].view} only)`;
    };
    const parts: string[] = [];
    if (unknown.length) parts.push(`unknown to the package: ${unknown.join(", ")}`);
    if (missingRequired.length) parts.push(`missing: ${missingRequired.map(where).join(", ")}`);
    // Optional fields may be absent (list answers leave some out): named, never a verdict of their own.
    if (missingOptional.length) parts.push(`optional ones not sent: ${missingOptional.map(where).join(", ")}`);
    const meaning: string[] = [];
    if (missingRequired.length) meaning.push(MODEL_FIELDS.missingRequiredMeaning);
    if (unknown.length) meaning.push(MODEL_FIELDS.unknownMeaning);
    addRow(ctx, {
      id: `fields.${model}`,
      behaviour,
      server:
        unknown.length || missingRequired.length || missingOptional.length
          ? parts.join("; ")
          : `exactly the fields the package knows (${views.join(" and ")})`,
      assumes,
      verdict: missingRequired.length ? "MISMATCH" : unknown.length ? "NOTE" : "OK",
      meaning: meaning.length ? meaning.join(" ") : undefined,
      observed: { views, unknown, missingRequired, missingOptional },
    });
  }
}

/** How to read a sent request field back from an answer (ids come back as nested objects). */
export type ReadBack = Record<string, (answer: Record<string, unknown>) => unknown>;

/** What came back of the fields sent: dropped (absent or null) and changed ones. Values are never shown. */
export function echoDifferences(
  sent: Record<string, unknown>,
  answer: Record<string, unknown>,
  readBack: ReadBack = {},
): { dropped: string[]; changed: string[] } {
  const dropped: string[] = [];
  const changed: string[] = [];
  for (const [key, value] of Object.entries(sent)) {
    const got = readBack[key] ? readBack[key](answer) : answer[key];
    if (canonical(got) === canonical(value)) continue;
    if ((got === undefined || got === null) && value !== null) dropped.push(key);
    else changed.push(key);
  }
  return { dropped, changed };
}

/** A row for the fields a create sent, as answered and as read again. */
export function echoRow(
  ctx: ProbeContext,
  opts: {
    id: string;
    what: string;
    sent: Record<string, unknown>;
    answered?: Record<string, unknown>;
    readAgain?: Record<string, unknown>;
    readBack?: ReadBack;
    notSent?: Record<string, string>;
  },
): void {
  const views = [
    ["the create's answer", opts.answered],
    ["a GET afterwards", opts.readAgain],
  ].filter((v): v is [string, Record<string, unknown>] => v[1] !== undefined);
  const found = views.map(([view, obj]) => ({ view, ...echoDifferences(opts.sent, obj, opts.readBack) }));
  const dropped = [...new Set(found.flatMap((f) => f.dropped))].sort();
  const changed = [...new Set(found.flatMap((f) => f.changed))].sort();
  const notSent = Object.keys(opts.notSent ?? {});
  const sentKeys = Object.keys(opts.sent);
  const parts: string[] = [];
  if (dropped.length) parts.push(`dropped: ${dropped.join(", ")}`);
  if (changed.length) parts.push(`changed: ${changed.join(", ")}`);
  if (!parts.length) parts.push(`all ${sentKeys.length} fields sent came back as sent`);
  if (notSent.length) parts.push(`not sent: ${notSent.join(", ")}`);
  addRow(ctx, {
    id: opts.id,
    behaviour: `${opts.what} fields sent → read back`,
    server: parts.join("; "),
    assumes: FIELD_ECHO.assumes,
    verdict: views.length === 0 ? "ERROR" : dropped.length || changed.length ? "MISMATCH" : "OK",
    meaning: dropped.length || changed.length ? FIELD_ECHO.meaning : undefined,
    observed: { sent: sentKeys, dropped, changed, notSent: opts.notSent ?? {}, views: found.map((f) => f.view) },
  });
}
