// Lossless JSON: keeps key order and the raw text of every number and string,
// so a doover_config.json can be re-written byte-for-byte (Python
// `json.dumps(indent=4)` style) and 64-bit snowflake ids never lose digits.

export type JsonNode = JsonObjectNode | JsonArrayNode | JsonStringNode | JsonNumberNode | JsonLiteralNode;
export interface JsonMember {
  key: string;
  /** raw key text including quotes, e.g. `"name"` */
  rawKey: string;
  value: JsonNode;
}
export interface JsonObjectNode {
  kind: "object";
  members: JsonMember[];
}
export interface JsonArrayNode {
  kind: "array";
  items: JsonNode[];
}
export interface JsonStringNode {
  kind: "string";
  value: string;
  /** raw text including quotes and escapes exactly as read */
  raw: string;
}
export interface JsonNumberNode {
  kind: "number";
  raw: string;
}
export interface JsonLiteralNode {
  kind: "literal";
  value: true | false | null;
}

/** A parsed file: the root node plus whatever whitespace surrounded it. */
export interface JsonDocument {
  root: JsonNode;
  leading: string;
  trailing: string;
  /** one level of indentation when written (spaces or a tab); default 4 spaces, as `json.dumps(indent=4)` */
  indent?: string;
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER_RE = /^-?\d+$/;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`Invalid JSON: ${what} at position ${this.pos}`);
  }

  skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text[this.pos])) this.pos++;
  }

  value(): JsonNode {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: "literal", value };
      }
    }
    return this.fail(c === undefined ? "unexpected end" : `unexpected ${JSON.stringify(c)}`);
  }

  object(): JsonObjectNode {
    this.pos++;
    const members: JsonMember[] = [];
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { kind: "object", members };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail("expected a key");
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      members.push({ key: key.value, rawKey: key.raw, value: this.value() });
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "}") return { kind: "object", members };
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }

  array(): JsonArrayNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value());
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "]") return { kind: "array", items };
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }

  string(): JsonStringNode {
    const start = this.pos++;
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) this.fail("unterminated string");
      if (c === "\\") this.pos++;
      else if (c === '"') break;
    }
    const raw = this.text.slice(start, this.pos);
    try {
      return { kind: "string", value: JSON.parse(raw) as string, raw };
    } catch {
      return this.fail("bad string escape");
    }
  }

  number(): JsonNumberNode {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) this.fail("bad number");
    this.pos += m[0].length;
    return { kind: "number", raw: m[0] };
  }
}

export function parseDocument(text: string): JsonDocument {
  const p = new Parser(text);
  p.skipWs();
  const leading = text.slice(0, p.pos);
  const root = p.value();
  const end = p.pos;
  p.skipWs();
  if (p.pos !== text.length) p.fail("trailing data");
  return { root, leading, trailing: text.slice(end) };
}

export function parseNode(text: string): JsonNode {
  return parseDocument(text).root;
}

/** Plain JS value; integers beyond 2^53 become exact decimal strings. */
export function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const m of node.members) out[m.key] = toPlain(m.value);
      return out;
    }
    case "array":
      return node.items.map(toPlain);
    case "string":
      return node.value;
    case "number": {
      const n = Number(node.raw);
      if (INTEGER_RE.test(node.raw) && !Number.isSafeInteger(n)) return node.raw;
      return n;
    }
    case "literal":
      return node.value;
  }
}

// Fast paths of parseLossless, same results as toPlain(parseNode(text)): with no number token of 16 digits
// no integer can pass 2^53, so plain JSON.parse is exact; otherwise JSON.parse with a reviver that reads each
// unsafe integer's source text (Node 21+). Every API answer goes through here: 5× less CPU than parseNode.
// A number token starts the text or follows `[`, `:`, `,` or whitespace; snowflake ids inside strings (how the
// API sends them: `"id": "3880…"`) follow a quote and keep the plain path (the reviver path cost ~8× as much
// on an application's answer, once per read of every resource in a refresh). Text inside a string that looks
// like such a token (", 1234567890123456") only takes the slower, still exact, path.
const LONG_NUMBER = /(?:^|[[:,\s])-?\d{16}/;
type SourceContext = { source?: string } | undefined;
const keepBigIntegers = (_key: string, value: unknown, context?: SourceContext): unknown =>
  typeof value === "number" && !Number.isSafeInteger(value) && context?.source && INTEGER_RE.test(context.source)
    ? context.source
    : value;
const HAS_SOURCE_TEXT = (() => {
  let seen = false;
  (JSON.parse as (t: string, r: (k: string, v: unknown, c?: SourceContext) => unknown) => unknown)("1", (_k, v, c) => {
    seen = typeof c?.source === "string";
    return v;
  });
  return seen;
})();

/** `JSON.parse` that never loses digits: big integers come back as strings. */
export function parseLossless(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  if (HAS_SOURCE_TEXT) return (JSON.parse as (t: string, r: typeof keepBigIntegers) => unknown)(text, keepBigIntegers);
  return toPlain(parseNode(text));
}

/** A number node with exactly these digits (for ids persisted as JSON numbers). */
export function numberNode(raw: string): JsonNumberNode {
  if (!new RegExp(`^${NUMBER_RE.source}$`).test(raw)) throw new Error(`not a JSON number: ${raw}`);
  return { kind: "number", raw };
}

/** Python `json.dumps` (ensure_ascii=True) string escaping. */
export function pythonQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

export function fromPlain(value: unknown): JsonNode {
  if (value === null || value === undefined) return { kind: "literal", value: null };
  if (value === true || value === false) return { kind: "literal", value };
  if (typeof value === "string") return { kind: "string", value, raw: pythonQuote(value) };
  if (typeof value === "bigint") return { kind: "number", raw: value.toString() };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { kind: "literal", value: null };
    // Python writes floats with a fractional part ("0.0"); JS cannot tell 0 from 0.0, so integers stay integers.
    return { kind: "number", raw: String(value) };
  }
  if (Array.isArray(value)) return { kind: "array", items: value.map(fromPlain) };
  if (typeof value === "object") {
    const members: JsonMember[] = [];
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      members.push({ key, rawKey: pythonQuote(key), value: fromPlain(v) });
    }
    return { kind: "object", members };
  }
  throw new TypeError(`cannot encode ${typeof value} as JSON`);
}

/** Python `json.dumps(obj, indent=4)` layout, reusing the raw text of untouched tokens. */
export function stringifyNode(node: JsonNode, indent: number | string = 4, level = 0): string {
  const unit = typeof indent === "number" ? " ".repeat(indent) : indent;
  switch (node.kind) {
    case "literal":
      return String(node.value);
    case "number":
    case "string":
      return node.raw;
    case "array": {
      if (node.items.length === 0) return "[]";
      const inner = unit.repeat(level + 1);
      const parts = node.items.map((v) => inner + stringifyNode(v, unit, level + 1));
      return "[\n" + parts.join(",\n") + "\n" + unit.repeat(level) + "]";
    }
    case "object": {
      if (node.members.length === 0) return "{}";
      const inner = unit.repeat(level + 1);
      const parts = node.members.map((m) => inner + m.rawKey + ": " + stringifyNode(m.value, unit, level + 1));
      return "{\n" + parts.join(",\n") + "\n" + unit.repeat(level) + "}";
    }
  }
}

export function stringifyDocument(doc: JsonDocument): string {
  return doc.leading + stringifyNode(doc.root, doc.indent ?? 4) + doc.trailing;
}

export function getMember(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!node || node.kind !== "object") return undefined;
  for (let i = node.members.length - 1; i >= 0; i--) if (node.members[i].key === key) return node.members[i].value;
  return undefined;
}

/** Replace a member in place (keeping its position) or append it. */
export function setMember(node: JsonObjectNode, key: string, value: JsonNode): void {
  for (let i = node.members.length - 1; i >= 0; i--) {
    if (node.members[i].key === key) {
      node.members[i].value = value;
      return;
    }
  }
  node.members.push({ key, rawKey: pythonQuote(key), value });
}
