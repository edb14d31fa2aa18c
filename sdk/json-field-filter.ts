// Drops top-level keys of a JSON object response while it streams in, so a big echoed value
// (an application's `deployment_data`: ~133 MB of base64 for a 100 MB folder) never exists in memory.
// Byte-level: every structural character of JSON is ASCII, so UTF-8 multi-byte sequences pass
// through untouched. Members at depth 1 are re-emitted with their own commas (whitespace between
// them is dropped); a dropped member is left out with its key. Anything that is not an object
// passes through unchanged; an object that breaks the grammar the filter relies on (commas, colons,
// an unfinished body) is reported as malformed, so a bad body is never "repaired" into valid JSON.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

type State =
  | "start" // before the top-level value
  | "member" // in the object: before a key, a comma or the closing brace
  | "key" // inside a key string
  | "colon" // after a key, before its colon
  | "value" // after the colon, before the value
  | "string" // inside a string value
  | "nested" // inside an object/array value (depth counted, strings skipped)
  | "scalar" // inside a number/true/false/null value
  | "rest"; // copying everything as is (after the object, or not an object at all)

/**
 * Filters a JSON byte stream: `push` each chunk, then `end`; returns the bytes of the same JSON without
 * the listed top-level keys (nested keys of the same name are kept).
 */
export class TopLevelFieldFilter {
  private state: State = "start";
  private readonly drop: Set<string>;
  private out: Buffer[] = [];
  private key: number[] = [];
  private keyEscape = false;
  private dropping = false;
  private escape = false;
  private inString = false;
  private depth = 0;
  private kept = 0;
  private members = 0;
  private commas = 0;
  /** the input broke JSON's object grammar (or ended early): the output is not the input minus keys */
  private broken = false;

  constructor(keys: Iterable<string>) {
    this.drop = new Set(keys);
  }

  /** Feeds the next chunk of the body. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    // start of a run of bytes to copy as is (a kept value carries on from the previous chunk)
    const inValue = this.state === "string" || this.state === "nested" || this.state === "scalar";
    let copyFrom = inValue && !this.dropping ? 0 : -1;
    const flush = (to: number) => {
      if (copyFrom >= 0 && to > copyFrom) this.out.push(Buffer.from(buf.subarray(copyFrom, to)));
      copyFrom = -1;
    };
    while (i < buf.length) {
      const b = buf[i];
      switch (this.state) {
        case "start":
          if (isSpace(b)) i++;
          else if (b === OPEN_BRACE) {
            this.out.push(Buffer.from("{"));
            this.state = "member";
            i++;
          } else this.state = "rest";
          break;
        case "member":
          if (isSpace(b)) i++;
          else if (b === COMMA) {
            this.commas++;
            i++;
          } else if (b === QUOTE && this.commas === (this.members > 0 ? 1 : 0)) {
            this.members++;
            this.commas = 0;
            this.key = [b];
            this.keyEscape = false;
            this.state = "key";
            i++;
          } else {
            // the closing brace: the rest is copied as is (and must be whitespace for the parser)
            if (b !== CLOSE_BRACE || this.commas > 0) this.broken = true;
            this.state = "rest";
          }
          break;
        case "key":
          this.key.push(b);
          i++;
          if (this.keyEscape) this.keyEscape = false;
          else if (b === BACKSLASH) this.keyEscape = true;
          else if (b === QUOTE) this.endKey();
          break;
        case "colon":
          if (b === COLON && !this.dropping) this.out.push(Buffer.from(":"));
          if (b === COLON) this.state = "value";
          else if (!isSpace(b)) {
            this.broken = true;
            this.state = "rest";
            break;
          }
          i++;
          break;
        case "value":
          if (isSpace(b)) {
            i++;
            break;
          }
          if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COLON) {
            this.broken = true;
            this.state = "rest";
            break;
          }
          if (!this.dropping) copyFrom = i;
          i++;
          if (b === QUOTE) {
            this.state = "string";
            this.escape = false;
          } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
            this.state = "nested";
            this.depth = 1;
            this.inString = false;
            this.escape = false;
          } else this.state = "scalar";
          break;
        case "string": {
          // Fast path: jump to the next quote or backslash.
          if (this.escape) {
            this.escape = false;
            i++;
            break;
          }
          const q = buf.indexOf(QUOTE, i);
          const s = buf.indexOf(BACKSLASH, i);
          if (s >= 0 && (q < 0 || s < q)) {
            this.escape = true;
            i = s + 1;
          } else if (q >= 0) {
            i = q + 1;
            flush(i);
            this.state = "member";
          } else i = buf.length;
          break;
        }
        case "nested":
          i++;
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (b === BACKSLASH) this.escape = true;
            else if (b === QUOTE) this.inString = false;
          } else if (b === QUOTE) this.inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
          else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
            if (--this.depth === 0) {
              flush(i);
              this.state = "member";
            }
          }
          break;
        case "scalar":
          if (b === COMMA || b === CLOSE_BRACE || isSpace(b)) {
            flush(i);
            this.state = "member"; // the terminator is read again there
          } else i++;
          break;
        case "rest":
          if (copyFrom < 0) copyFrom = i;
          i = buf.length;
          break;
      }
    }
    flush(buf.length);
  }

  /** The filtered body (after the last `push`); `malformed` when the input was not a whole JSON object. */
  end(): { body: Buffer; malformed: boolean } {
    const body = Buffer.concat(this.out);
    this.out = [];
    const finished = this.state === "rest" || this.state === "start";
    return { body, malformed: this.broken || !finished };
  }

  private endKey(): void {
    const raw = Buffer.from(this.key);
    let name: string | undefined;
    try {
      name = JSON.parse(raw.toString("utf8")) as string;
    } catch {
      name = undefined; // malformed key: keep it, the parser will report it
    }
    this.dropping = name !== undefined && this.drop.has(name);
    if (!this.dropping) {
      if (this.kept++ > 0) this.out.push(Buffer.from(","));
      this.out.push(raw);
    }
    this.key = [];
    this.state = "colon";
  }
}

/**
 * Reads a response body through {@link TopLevelFieldFilter}: the text of the JSON without those top-level
 * keys, and whether the body was malformed (then `text` is only what was read, for the error message).
 */
export async function readWithout(
  body: ReadableStream<Uint8Array> | null,
  keys: readonly string[],
): Promise<{ text: string; malformed: boolean }> {
  if (!body) return { text: "", malformed: false };
  const filter = new TopLevelFieldFilter(keys);
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    filter.push(value);
  }
  const { body: out, malformed } = filter.end();
  return { text: out.toString("utf8"), malformed };
}
