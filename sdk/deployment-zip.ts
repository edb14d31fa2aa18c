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

function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    const full = path.join(root, r);
    const st = fs.statSync(full); // follows symlinks, like make_archive
    if (st.isDirectory()) out.push(...listFiles(root, r));
    else if (st.isFile()) out.push(r);
  }
  return out;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The files a deployment zip holds: paths relative to `folder` ("/"-separated), in byte order. */
export function listDeploymentFiles(folder: string): string[] {
  return listFiles(folder).sort(byteCompare);
}

/**
 * The archive of `folder` in pieces, one file in memory at a time (its bytes and their deflated form), so a
 * large folder streams in flat memory. Same bytes as `deploymentZip(folder).data`.
 */
export function* deploymentZipChunks(folder: string): Generator<Buffer> {
  const files = listDeploymentFiles(folder);
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of files) {
    const content = fs.readFileSync(path.join(folder, name));
    const deflated = zlib.deflateRawSync(content, { level: 9 });
    const stored = deflated.length >= content.length;
    const data = stored ? content : deflated;
    const crc = zlib.crc32(content) >>> 0;
    const nameBuf = Buffer.from(name, "utf8");
    const method = stored ? 0 : 8;

    const local = Buffer.alloc(30);
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
    yield Buffer.concat([local, nameBuf]);
    yield data;

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(MADE_BY, 4);
    cd.writeUInt16LE(NEEDED, 6);
    cd.writeUInt16LE(UTF8_FLAG, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(DOS_TIME, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(content.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28);
    cd.writeUInt16LE(0, 30); // extra
    cd.writeUInt16LE(0, 32); // comment
    cd.writeUInt16LE(0, 34); // disk
    cd.writeUInt16LE(0, 36); // internal attrs
    cd.writeUInt32LE(FILE_ATTR, 38);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([cdBuf, end]);
}

/** The whole archive in memory (small folders, tests); `deploymentZipChunks` streams it. */
export function deploymentZip(folder: string): { data: Buffer; sha256: string } {
  const zip = Buffer.concat([...deploymentZipChunks(folder)]);
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
