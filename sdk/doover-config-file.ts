// Reading and writing doover_config.json losslessly: key order, raw number and
// string text, indentation and the presence (or not) of a trailing newline.

import * as fs from "node:fs";
import {
  getMember,
  JsonDocument,
  JsonNode,
  JsonObjectNode,
  numberNode,
  parseDocument,
  pythonQuote,
  setMember,
  stringifyDocument,
  toPlain,
} from "./lossless-json";

export const CONFIG_FILE_NAME = "doover_config.json";

export function readConfigDocument(file: string): JsonDocument {
  return parseDocument(fs.readFileSync(file, "utf8"));
}

/** The document, or an empty object written in doover-cli's style (no trailing newline). */
export function readConfigDocumentOrEmpty(file: string): JsonDocument {
  if (!fs.existsSync(file)) return { root: { kind: "object", members: [] }, leading: "", trailing: "" };
  return readConfigDocument(file);
}

export function writeConfigDocument(file: string, doc: JsonDocument): void {
  fs.writeFileSync(file, stringifyDocument(doc), "utf8");
}

/** `[key, plain entry]` for every app entry: an object value with a `type` key (doover-cli rule). */
export function appEntries(doc: JsonDocument): [string, Record<string, unknown>][] {
  if (doc.root.kind !== "object") return [];
  const out: [string, Record<string, unknown>][] = [];
  for (const m of doc.root.members) {
    if (m.value.kind === "object" && getMember(m.value, "type") !== undefined)
      out.push([m.key, toPlain(m.value) as Record<string, unknown>]);
  }
  return out;
}

/**
 * Set an id field keeping its JSON kind: a number in the file stays a number with
 * exactly these digits (doover-cli persists ints), otherwise it is written as a string.
 */
export function setIdMember(obj: JsonObjectNode, key: string, id: string | undefined): void {
  const existing = getMember(obj, key);
  let node: JsonNode;
  if (id === undefined) node = { kind: "literal", value: null };
  else if (existing?.kind === "number" && /^\d+$/.test(id)) node = numberNode(id);
  else node = { kind: "string", value: id, raw: pythonQuote(id) };
  setMember(obj, key, node);
}
