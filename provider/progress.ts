// Status lines from the provider process, on stderr: the Pulumi CLI shows a dynamic provider's stderr live
// (on the stack's row: `pulumi:pulumi:Stack proj-dev creating (12s) doover: …`) and again under
// "Diagnostics" at the end. Engine log messages would need the resource's URN, which a dynamic provider
// never gets, so stderr is the channel.
//
// - `notice(line)`: printed at once (take-overs, token fallbacks).
// - `progress(key, line, state?)`: a long wait saying what it waits for, throttled per key: nothing for the
//   first `intervalMs` (a short wait stays silent), then at most one line per `intervalMs`; with a `state`
//   (e.g. a deployment's status), a line whose state did not change is repeated only every `heartbeatMs`.
// - `progressDone(key, line)`: the end of a wait; printed only when the wait printed something.
// Every line starts with `doover: `.

/** Throttle settings (tests shorten them). */
export const PROGRESS = { intervalMs: 4000, heartbeatMs: 20_000 };

interface Entry {
  firstAt: number;
  lastAt?: number;
  lastState?: string;
}

// Process-wide (the runtime may be loaded twice in one process: by the program and through the shim).
const STATE = Symbol.for("pulumi-doover.progress.v1");
function state(): { entries: Map<string, Entry>; write: (line: string) => void } {
  const g = globalThis as unknown as Record<symbol, ReturnType<typeof state> | undefined>;
  return (g[STATE] ??= { entries: new Map(), write: (line) => console.error(line) });
}

function prefixed(line: string): string {
  return line.startsWith("doover: ") ? line : `doover: ${line}`;
}

/** Prints `line` now. */
export function notice(line: string): void {
  state().write(prefixed(line));
}

/** A status line of the wait `key`, printed at most every few seconds (see the file comment). */
export function progress(key: string, line: string, stateOfLine?: string, now = Date.now()): void {
  const s = state();
  let e = s.entries.get(key);
  if (!e) {
    e = { firstAt: now };
    s.entries.set(key, e);
  }
  const since = now - (e.lastAt ?? e.firstAt);
  const changed = stateOfLine === undefined || stateOfLine !== e.lastState;
  const due = e.lastAt === undefined || changed ? since >= PROGRESS.intervalMs : since >= PROGRESS.heartbeatMs;
  if (!due) return;
  e.lastAt = now;
  e.lastState = stateOfLine;
  s.write(prefixed(line));
}

/** The wait `key` ended: prints `line` if the wait printed anything, and forgets the key. */
export function progressDone(key: string, line?: string): void {
  const s = state();
  const e = s.entries.get(key);
  s.entries.delete(key);
  if (e?.lastAt !== undefined && line !== undefined) s.write(prefixed(line));
}

/** The logger the sdk Client gets: keyed lines (retries) throttled per key, the others at once. */
export function providerLogger(line: string, key?: string): void {
  if (key === undefined) notice(line);
  else progress(key, line);
}

/** Routes every line to `write` instead of stderr (tests); returns a function that restores stderr. */
export function captureProgress(write: (line: string) => void): () => void {
  const s = state();
  const before = s.write;
  s.write = write;
  s.entries.clear();
  return () => {
    s.write = before;
    s.entries.clear();
  };
}
