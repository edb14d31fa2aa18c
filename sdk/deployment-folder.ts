// Deployment folders without a zip in memory: `check` hashes the files themselves (streamed, flat memory), and
// `up` streams the zip, base64 and the JSON body around it to the API (see `DeploymentData`).

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  assertDeploymentFolderSize,
  DEPLOYMENT_FOLDER_MAX_BYTES,
  scanDeploymentFolder,
  zipPieces,
} from "./deployment-zip";

export {
  DEPLOYMENT_FOLDER_MAX_BYTES,
  DeploymentFolderLinkError,
  DeploymentFolderTooLarge,
} from "./deployment-zip";

/** What `check` needs to know about a deployment folder. */
export interface DeploymentFolderSummary {
  /** `deploymentHash`: see `hashDeploymentFolder`. */
  hash: string;
  files: number;
  /** Total size of the files. */
  bytes: number;
}

const CHUNK = 1 << 20;
const BASE64_WINDOW = 3 * (1 << 14); // 48 KiB of zip → 64 KiB of text per piece

/**
 * sha256 (hex) over each file's path (UTF-8), a NUL byte, its length (u64 big-endian) and its bytes, in path
 * byte order: the content of the archive, not its bytes (deflate output may differ between zlib builds). The
 * same value `deploymentHash(zip)` gives for the folder's zip, so existing stacks see no change. Files are read
 * in 1 MiB pieces: memory does not grow with the folder. The same file list as the zip (`scanDeploymentFolder`:
 * links followed once, inside the folder only). Throws `DeploymentFolderTooLarge` or `DeploymentFolderLinkError`
 * before reading.
 */
export function hashDeploymentFolder(folder: string, limit = DEPLOYMENT_FOLDER_MAX_BYTES): DeploymentFolderSummary {
  const files = scanDeploymentFolder(folder);
  const bytes = assertDeploymentFolderSize(folder, files, limit);
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(CHUNK);
  for (const { name, source, size: listed } of files) {
    const fd = fs.openSync(source, "r");
    try {
      const size = fs.fstatSync(fd).size;
      if (size !== listed) throw new Error(`${path.join(folder, name)} changed while it was read`);
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(size));
      h.update(Buffer.from(name, "utf8"))
        .update(Buffer.from([0]))
        .update(head);
      for (let done = 0; done < size; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - done), done);
        if (n === 0) throw new Error(`${path.join(folder, name)} changed while it was read`);
        h.update(buf.subarray(0, n));
        done += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return { hash: h.digest("hex"), files: files.length, bytes };
}

/**
 * `deployment_data` of a folder, produced only when sent: the request layer streams it (`jsonBodyChunks`), so
 * the zip and its base64 never sit whole in memory. Anything else that serializes it (`JSON.stringify`,
 * `String()`) gets the base64 text, built in memory.
 */
export class DeploymentData {
  private readonly __dooverDeploymentData = true;
  private knownHash?: string;
  constructor(
    readonly folder: string,
    /** `hashDeploymentFolder(folder).hash`, when known; otherwise computed (reading the files) when first asked. */
    hash?: string,
  ) {
    if (hash !== undefined) this.knownHash = hash;
    Object.defineProperty(this, "knownHash", { enumerable: false, writable: true });
  }

  /** `hashDeploymentFolder(folder).hash` (the `deploymentHash` of what is uploaded). */
  get hash(): string {
    this.knownHash ??= hashDeploymentFolder(this.folder).hash;
    return this.knownHash;
  }

  static isInstance(v: unknown): v is DeploymentData {
    return typeof v === "object" && v !== null && (v as DeploymentData).__dooverDeploymentData === true;
  }

  /** The zip as base64 text, in pieces (each a whole number of 4-character groups, the last padded). */
  *base64Chunks(): Generator<string> {
    // The zip's pieces (two per file, often a few hundred bytes) are gathered in one reused window and encoded
    // a window at a time: a folder of 10,000 small files makes ~130 writes to the socket, not 20,000.
    const window = Buffer.allocUnsafe(BASE64_WINDOW);
    let used = 0;
    for (const piece of zipPieces(this.folder, DEPLOYMENT_FOLDER_MAX_BYTES, true)) {
      for (let at = 0; at < piece.length; ) {
        const n = piece.copy(window, used, at, Math.min(piece.length, at + BASE64_WINDOW - used));
        used += n;
        at += n;
        if (used === BASE64_WINDOW) {
          yield window.toString("base64");
          used = 0;
        }
      }
    }
    if (used > 0) yield window.toString("base64", 0, used);
  }

  toString(): string {
    return [...this.base64Chunks()].join("");
  }

  toJSON(): string {
    return this.toString();
  }
}

/** The folder's `deployment_data` and its hash, for create/update/take-over. */
export function deploymentUpload(folder: string): { data: DeploymentData; hash: string } {
  const { hash } = hashDeploymentFolder(folder);
  return { data: new DeploymentData(folder, hash), hash };
}

/**
 * The folder's `deployment_data` without its hash (not read until sent): its links and size are checked here
 * (`DeploymentFolderLinkError`, `DeploymentFolderTooLarge`), and again while it is sent.
 */
export function deploymentDataOf(folder: string, limit = DEPLOYMENT_FOLDER_MAX_BYTES): DeploymentData {
  assertDeploymentFolderSize(folder, scanDeploymentFolder(folder), limit);
  return new DeploymentData(folder);
}

/**
 * A JSON request body with its `DeploymentData` values streamed, or undefined when it has none (send
 * `JSON.stringify(body)` as usual). Called once per attempt, so a retry reads the files again.
 */
export function jsonBodyChunks(body: unknown): (() => AsyncIterable<Uint8Array | string>) | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.some(([, v]) => DeploymentData.isInstance(v))) return undefined;
  // Strings, not Buffers: the socket takes text as is, so the base64 is never copied into a Buffer of its own
  // (10,000 small files made ~20 MB of short-lived Buffers that V8 frees only after tens of MB).
  return async function* () {
    let first = true;
    for (const [k, v] of entries) {
      const lead = `${first ? "{" : ","}${JSON.stringify(k)}:`;
      first = false;
      if (!DeploymentData.isInstance(v)) {
        yield lead + JSON.stringify(v);
        continue;
      }
      yield `${lead}"`;
      yield* v.base64Chunks(); // base64 is ASCII
      yield '"';
    }
    yield first ? "{}" : "}";
  };
}
