// Writing refreshed tokens back into ~/.doover/config the way doover-cli leaves the file, so doover-cli, pydoover
// and this package keep sharing it. doover-cli (pydoover's ConfigManager) writes each profile as a block —
// `[profile=NAME]` then KEY=VALUE lines in a fixed order, blocks separated by blank lines — and reads a block
// only when every line has a `=`. Here only the changed values of one block are touched: every other byte of
// the file (other profiles, unknown keys, comments, line endings) stays as it was, and the file is replaced
// atomically (a reader sees the old file or the new one, never half of one).

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The keys of a profile block in the order pydoover's `AuthProfile.format` writes them. */
export const PROFILE_KEY_ORDER = [
  "TOKEN",
  "TOKEN_EXPIRES",
  "AGENT_ID",
  "BASE_URL",
  "REFRESH_TOKEN",
  "REFRESH_TOKEN_ID",
  "BASE_DATA_URL",
  "AUTH_SERVER_URL",
  "AUTH_SERVER_CLIENT_ID",
] as const;

/** One `[profile=NAME]` block of ~/.doover/config: KEY=VALUE pairs. */
export type DooverProfile = Record<string, string>;

/** Parse the pydoover config format: `[profile=NAME]` headers then `KEY=VALUE` lines. */
export function parseDooverConfig(text: string): Map<string, DooverProfile> {
  const profiles = new Map<string, DooverProfile>();
  let current: DooverProfile | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[profile=(.*)\]$/.exec(line);
    if (header) {
      current = {};
      profiles.set(header[1].trim(), current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return profiles;
}

const HEADER = /^\[profile=(.*)\]$/;

function keyOf(line: string): string | undefined {
  const eq = line.indexOf("=");
  return eq > 0 ? line.slice(0, eq).trim() : undefined;
}

function rank(key: string | undefined): number {
  return key === undefined ? -1 : (PROFILE_KEY_ORDER as readonly string[]).indexOf(key);
}

/**
 * `text` with `values` set in the block of profile `name` (the last such block, the one both readers use):
 * an existing `KEY=` line gets the new value in place, a missing key is added where doover-cli would put it
 * (after the keys that precede it in {@link PROFILE_KEY_ORDER}). Undefined when the file has no such profile.
 */
export function setProfileValues(text: string, name: string, values: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(values)) {
    if (/[\r\n]/.test(v) || /[\r\n=]/.test(k)) throw new Error(`profile value ${k} cannot hold a line break`);
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  let header = -1;
  lines.forEach((line, i) => {
    const m = HEADER.exec(line.trim());
    if (m && m[1].trim() === name) header = i;
  });
  if (header < 0) return undefined;
  // The block: the lines after the header up to a blank line (doover-cli's block separator) or the next header.
  let end = header + 1;
  while (end < lines.length && lines[end].trim() !== "" && !HEADER.test(lines[end].trim())) end++;
  const block = lines.slice(header + 1, end);
  for (const [key, value] of Object.entries(values)) {
    const at = block.map((l, i) => (keyOf(l) === key ? i : -1)).filter((i) => i >= 0);
    if (at.length > 0) {
      for (const i of at) block[i] = `${block[i].slice(0, block[i].indexOf("="))}=${value}`;
      continue;
    }
    let insert = 0;
    block.forEach((l, i) => {
      const r = rank(keyOf(l));
      if (r >= 0 && r < rank(key)) insert = i + 1;
    });
    block.splice(insert, 0, `${key}=${value}`);
  }
  return [...lines.slice(0, header + 1), ...block, ...lines.slice(end)].join(eol);
}

/** The file a path names, through symlinks (a dotfiles manager's link stays a link). */
function realFile(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * Replaces `file` with `text` atomically: a temporary file in the same directory, flushed, then renamed over
 * it, keeping the file's permissions (0600 for a new one).
 */
export function replaceFileAtomically(file: string, text: string): void {
  const target = realFile(file);
  let mode = 0o600;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    // a new file
  }
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}`,
  );
  const fd = fs.openSync(tmp, "wx", mode);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Sets `values` in profile `name` of the config file and replaces the file atomically. Returns false (and
 * writes nothing) when the file or the profile is gone. Call it holding the profile lock (see file-lock.ts).
 */
export function writeProfileValues(file: string, name: string, values: Record<string, string>): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  const next = setProfileValues(text, name, values);
  if (next === undefined) return false;
  if (next !== text) replaceFileAtomically(file, next);
  return true;
}

/** The lock file guarding a config file (next to the file it names, through symlinks). */
export function profileLockPath(file: string): string {
  return `${realFile(file)}.lock`;
}
