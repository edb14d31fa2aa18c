// Reading and writing doover_config.json losslessly: key order, raw number and
// string text, indentation and the presence (or not) of a trailing newline.

import * as fs from "node:fs";
import { DooverException } from "./errors";
import {
  getMember,
  type JsonDocument,
  type JsonNode,
  type JsonObjectNode,
  numberNode,
  parseDocument,
  pythonQuote,
  setMember,
  stringifyDocument,
  toPlain,
} from "./lossless-json";

export const CONFIG_FILE_NAME = "doover_config.json";

/** The parsed file; a missing/unreadable file or bad JSON is a one-line DooverException naming the path. */
export function readConfigDocument(file: string): JsonDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? String(e));
    throw new DooverException(`cannot read ${file}: ${why}`);
  }
  try {
    const doc = parseDocument(text);
    const indent = detectIndent(text);
    if (indent !== undefined) doc.indent = indent;
    return doc;
  } catch (e) {
    throw new DooverException(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * One level of the file's own indentation: the leading whitespace of its first indented line (a tab, or
 * 2/4/… spaces). Undefined for a file with no indented line (then the default, 4 spaces, is used).
 */
export function detectIndent(text: string): string | undefined {
  const m = /^([ \t]+)\S/m.exec(text);
  if (!m) return undefined;
  return m[1].startsWith("\t") ? "\t" : m[1];
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
