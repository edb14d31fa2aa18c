// Deterministic zip of a folder's contents (same files → same bytes), written by
// hand so nothing (mtime, uid, walk order) leaks into the archive. Paths are
// relative to the folder, like Python's `shutil.make_archive(..., root_dir=folder)`.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const FILE_ATTR = (0o100644 << 16) >>> 0; // regular file, rw-r--r--
const MADE_BY = (3 << 8) | 20; // Unix, zip 2.0
const NEEDED = 20;
const UTF8_FLAG = 0x0800;

/**
 * Largest deployment folder accepted: the total size of its files. The API spec publishes no limit for
 * `deployment_data` ("typically a zip file containing a single docker-compose.yml file"); 256 MiB of files
 * is at most ~342 MiB of base64 in one request, and keeps zip offsets far below the 4 GiB zip32 limit.
 */
export const DEPLOYMENT_FOLDER_MAX_BYTES = 256 * 1024 * 1024;

/** A deployment folder over `DEPLOYMENT_FOLDER_MAX_BYTES`. */
export class DeploymentFolderTooLarge extends Error {
  private readonly __dooverDeploymentFolderTooLarge = true;
  constructor(
    readonly folder: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `${folder} holds ${formatBytes(bytes)} of files; a deployment folder may hold at most ${formatBytes(limit)}. ` +
        "Keep only what the deployment needs there (e.g. docker-compose.yml) and ship the rest in the container image",
    );
    this.name = "DeploymentFolderTooLarge";
  }

  static isInstance(e: unknown): e is DeploymentFolderTooLarge {
    return (
      typeof e === "object" && e !== null && (e as DeploymentFolderTooLarge).__dooverDeploymentFolderTooLarge === true
    );
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB (${n} bytes)` : `${n} bytes`;
}

/**
 * A symbolic link in a deployment folder that cannot be uploaded: it points outside the folder (its target's
 * contents would be uploaded, e.g. /etc/passwd), it forms a loop, or its target does not exist. `link` is its
 * path inside the folder, `target` what it points to as written in the link.
 */
export class DeploymentFolderLinkError extends Error {
  private readonly __dooverDeploymentFolderLinkError = true;
  constructor(
    readonly folder: string,
    readonly link: string,
    readonly target: string,
    readonly reason: "outside" | "loop" | "missing",
    resolved?: string,
  ) {
    const where = resolved && resolved !== target ? ` (${resolved})` : "";
    const why = {
      outside:
        "which is outside the deployment folder: only files inside it are uploaded. Copy the file into the folder, " +
        "or remove the link",
      loop: "which contains the link itself (a loop): following it would never end. Remove the link",
      missing: "which does not exist. Remove the link, or create its target inside the folder",
    }[reason];
    super(`${folder}: the link ${link} points to ${target}${where}, ${why}`);
    this.name = "DeploymentFolderLinkError";
  }

  static isInstance(e: unknown): e is DeploymentFolderLinkError {
    return (
      typeof e === "object" && e !== null && (e as DeploymentFolderLinkError).__dooverDeploymentFolderLinkError === true
    );
  }
}

/** One file of a deployment folder: its path in the archive, the file read for it, its size. */
export interface DeploymentFile {
  /** path relative to the folder, "/"-separated (a link's own path, not its target's) */
  name: string;
  /** the file whose bytes are uploaded (for a link: its target, resolved) */
  source: string;
  size: number;
}

const inside = (root: string, p: string) =>
  p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The files a deployment zip holds, in byte order of their names: the one list the hash (preview), the zip
 * (up) and the size limit all use. Symbolic links are followed once, to their resolved target, and only when
 * that target is inside the folder: a link out of it, a loop or a dangling link throws
 * `DeploymentFolderLinkError` naming the link (a directory link shows its files under the link's path).
 * Anything that is neither a file nor a directory (sockets, FIFOs) is left out.
 */
export function scanDeploymentFolder(folder: string): DeploymentFile[] {
  const root = fs.realpathSync(folder);
  const out: DeploymentFile[] = [];
  const walk = (dir: string, rel: string, chain: readonly string[]): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const name = rel ? `${rel}/${ent.name}` : ent.name;
      const full = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        walk(full, name, [...chain, full]);
        continue;
      }
      let source = full;
      if (ent.isSymbolicLink()) {
        const target = fs.readlinkSync(full);
        try {
          source = fs.realpathSync(full);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "ELOOP") throw new DeploymentFolderLinkError(folder, name, target, "loop");
          if (code === "ENOENT") throw new DeploymentFolderLinkError(folder, name, target, "missing");
          throw e;
        }
        if (!inside(root, source)) throw new DeploymentFolderLinkError(folder, name, target, "outside", source);
        const st = fs.statSync(source);
        if (st.isDirectory()) {
          if (chain.includes(source)) throw new DeploymentFolderLinkError(folder, name, target, "loop", source);
          walk(source, name, [...chain, source]);
          continue;
        }
        if (st.isFile()) out.push({ name, source, size: st.size });
        continue;
      }
      if (ent.isFile()) out.push({ name, source, size: fs.statSync(full).size });
    }
  };
  walk(root, "", [root]);
  return out.sort((a, b) => byteCompare(a.name, b.name));
}

/** Throws DeploymentFolderTooLarge when the files add up to more than `limit` bytes; returns their total. */
export function assertDeploymentFolderSize(
  folder: string,
  files: readonly DeploymentFile[],
  limit = DEPLOYMENT_FOLDER_MAX_BYTES,
): number {
  let bytes = 0;
  for (const f of files) bytes += f.size;
  if (bytes > limit) throw new DeploymentFolderTooLarge(folder, bytes, limit);
  return bytes;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The files a deployment zip holds: paths relative to `folder` ("/"-separated), in byte order. */
export function listDeploymentFiles(folder: string): string[] {
  return scanDeploymentFolder(folder).map((f) => f.name);
}

/**
 * The archive of `folder` in pieces, one file in memory at a time (its bytes and their deflated form), so a
 * large folder streams in flat memory. Same bytes as `deploymentZip(folder).data`. Throws (on the first piece,
 * before any byte) `DeploymentFolderTooLarge` over `limit` and `DeploymentFolderLinkError` for a bad link.
 */
export function deploymentZipChunks(folder: string, limit = DEPLOYMENT_FOLDER_MAX_BYTES): Generator<Buffer> {
  return zipPieces(folder, limit, false);
}

/**
 * `deploymentZipChunks`; with `reuse`, a piece holding a file's bytes may be overwritten once the next piece is
 * asked for (one read buffer for every file): only for a consumer that copies each piece before asking again.
 */
export function* zipPieces(folder: string, limit: number, reuse: boolean): Generator<Buffer> {
  const files = scanDeploymentFolder(folder);
  assertDeploymentFolderSize(folder, files, limit);
  const names = files.map((f) => Buffer.from(f.name, "utf8"));
  // The central directory in one buffer (46 bytes + name per file), not two small buffers per file: with
  // 10,000 files the many small allocations cost more memory than the files' bytes.
  const central = Buffer.alloc(names.reduce((n, b) => n + 46 + b.length, 0));
  let at = 0;
  let offset = 0;
  let readBuffer: Buffer = Buffer.alloc(0);
  let headerBuffer: Buffer = Buffer.alloc(0);
  const reused = (n: number): Buffer => {
    if (headerBuffer.length < n) headerBuffer = Buffer.alloc(Math.max(n, 1024));
    return headerBuffer.subarray(0, n).fill(0);
  };
  for (let i = 0; i < files.length; i++) {
    const { name, source, size } = files[i];
    let content: Buffer;
    if (reuse) {
      if (readBuffer.length < size) readBuffer = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
      content = readWhole(source, readBuffer.subarray(0, size), `${path.join(folder, name)}`);
    } else content = fs.readFileSync(source);
    if (content.length !== size) throw new Error(`${path.join(folder, name)} changed while it was read`);
    // An output buffer sized to the file: the default (16 KiB per call, freed only by a later GC) made 10,000
    // small files cost ~25 MB of transient memory.
    const deflated = zlib.deflateRawSync(content, { level: 9, chunkSize: Math.max(64, Math.min(16384, size + 64)) });
    const stored = deflated.length >= content.length;
    const data = stored ? content : deflated;
    const crc = zlib.crc32(content) >>> 0;
    const nameBuf = names[i];
    const method = stored ? 0 : 8;

    const local = reuse ? reused(30 + nameBuf.length) : Buffer.alloc(30 + nameBuf.length);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(NEEDED, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    nameBuf.copy(local, 30);
    yield local;
    yield data;

    central.writeUInt32LE(0x02014b50, at);
    central.writeUInt16LE(MADE_BY, at + 4);
    central.writeUInt16LE(NEEDED, at + 6);
    central.writeUInt16LE(UTF8_FLAG, at + 8);
    central.writeUInt16LE(method, at + 10);
    central.writeUInt16LE(DOS_TIME, at + 12);
    central.writeUInt16LE(DOS_DATE, at + 14);
    central.writeUInt32LE(crc, at + 16);
    central.writeUInt32LE(data.length, at + 20);
    central.writeUInt32LE(content.length, at + 24);
    central.writeUInt16LE(nameBuf.length, at + 28);
    // extra, comment, disk, internal attrs: 0 (the buffer is zero-filled)
    central.writeUInt32LE(FILE_ATTR, at + 38);
    central.writeUInt32LE(offset, at + 42);
    nameBuf.copy(central, at + 46);
    at += 46 + nameBuf.length;
    offset += local.length + data.length;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([central, end]);
}

/** Reads exactly `into.length` bytes of `file` into `into` (a file that changed size is an error). */
function readWhole(file: string, into: Buffer, label: string): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    let done = 0;
    while (done < into.length) {
      const n = fs.readSync(fd, into, done, into.length - done, done);
      if (n === 0) throw new Error(`${label} changed while it was read`);
      done += n;
    }
    if (fs.fstatSync(fd).size !== into.length) throw new Error(`${label} changed while it was read`);
    return into;
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole archive in memory (small folders, tests); `deploymentZipChunks` streams it. Same limit and links rules. */
export function deploymentZip(folder: string, limit = DEPLOYMENT_FOLDER_MAX_BYTES): { data: Buffer; sha256: string } {
  const zip = Buffer.concat([...deploymentZipChunks(folder, limit)]);
  return { data: zip, sha256: createHash("sha256").update(zip).digest("hex") };
}

/** Minimal reader for our own archives (tests, diffing): name → content. */
export function readZip(zip: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip archive");
  const count = zip.readUInt16LE(eocd + 10);
  let pos = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(pos + 10);
    const csize = zip.readUInt32LE(pos + 20);
    const nlen = zip.readUInt16LE(pos + 28);
    const xlen = zip.readUInt16LE(pos + 30);
    const clen = zip.readUInt16LE(pos + 32);
    const local = zip.readUInt32LE(pos + 42);
    const name = zip.subarray(pos + 46, pos + 46 + nlen).toString("utf8");
    const lstart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(lstart, lstart + csize);
    out.set(name, method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw));
    pos += 46 + nlen + xlen + clen;
  }
  return out;
}
