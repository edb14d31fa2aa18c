// A cross-process lock: a lock file created with O_EXCL (`wx`), holding who owns it. Several `pulumi` commands
// (concurrent stacks) refresh the same ~/.doover/config profile; with rotating refresh tokens only one may
// spend the refresh token at a time, and the others must read what it wrote. A lock whose owner died (same
// host, pid gone) or that is older than `staleMs` is taken over; taking one over is itself guarded by a
// second O_EXCL file, so two waiters never both remove a lock (and the second one a fresh one).

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  host: string;
  /** when it was taken, ms since the epoch */
  since: number;
  nonce: string;
}

export interface FileLockOptions {
  /** a lock older than this is a leftover of a process that died or hangs (default 60 s) */
  staleMs?: number;
  /** give up waiting after this long (default `staleMs` + 15 s) */
  maxWaitMs?: number;
  /** once the wait reaches this, `onWait` is called (once; default 3 s) */
  noticeMs?: number;
  onWait?: (holder: LockHolder | undefined, maxWaitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The lock stayed held past `maxWaitMs`. */
export class LockTimeout extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    waitedMs: number,
  ) {
    super(
      `the lock file ${lockPath} was held${holder ? ` by process ${holder.pid} on ${holder.host}` : ""} for all of ` +
        `${Math.round(waitedMs / 1000)} s`,
    );
    this.name = "LockTimeout";
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const h = JSON.parse(raw);
    return typeof h?.pid === "number" && typeof h?.host === "string" ? (h as LockHolder) : undefined;
  } catch {
    return undefined; // empty: its owner is between creating and writing it
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(raw: string, mtimeMs: number, staleMs: number): boolean {
  const holder = parseHolder(raw);
  if (holder && holder.host === os.hostname() && holder.pid !== process.pid && !alive(holder.pid)) return true;
  return Date.now() - mtimeMs > staleMs;
}

function readLock(lockPath: string): { raw: string; mtimeMs: number } | undefined {
  try {
    const raw = fs.readFileSync(lockPath, "utf8");
    return { raw, mtimeMs: fs.statSync(lockPath).mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Removes the lock `seen` if it is still that same stale lock, holding `<lock>.break` while deciding. */
function takeOver(lockPath: string, seen: string, staleMs: number): void {
  const breaker = `${lockPath}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    // Another waiter is taking over (microseconds); a breaker this old belongs to a process that died doing it.
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > 10_000) fs.rmSync(breaker, { force: true });
    } catch {
      // gone already
    }
    return;
  }
  fs.closeSync(fd);
  try {
    const now = readLock(lockPath);
    if (now && now.raw === seen && isStale(now.raw, now.mtimeMs, staleMs)) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/** Runs `fn` holding the lock file `lockPath`; errors of creating the lock (EACCES, EROFS…) are thrown as they are. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 60_000;
  const maxWaitMs = opts.maxWaitMs ?? staleMs + 15_000;
  const noticeMs = opts.noticeMs ?? 3000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const mine: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: Date.now(),
    nonce: randomBytes(8).toString("hex"),
  };
  const body = JSON.stringify(mine);
  const started = Date.now();
  let noticed = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, "wx", 0o600);
      try {
        fs.writeSync(fd, body);
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const seen = readLock(lockPath);
    if (!seen) continue; // released between our two looks: try again at once
    if (isStale(seen.raw, seen.mtimeMs, staleMs)) {
      takeOver(lockPath, seen.raw, staleMs);
    } else {
      const waited = Date.now() - started;
      if (waited >= maxWaitMs) throw new LockTimeout(lockPath, parseHolder(seen.raw), waited);
      if (!noticed && waited >= noticeMs) {
        noticed = true;
        opts.onWait?.(parseHolder(seen.raw), maxWaitMs);
      }
    }
    await sleep(20 + Math.floor(Math.random() * 60));
  }
  try {
    return await fn();
  } finally {
    // Ours unless it was taken over as stale meanwhile (then it is someone else's now).
    try {
      if (readLock(lockPath)?.raw === body) fs.rmSync(lockPath, { force: true });
    } catch {
      // nothing to release
    }
  }
}
