// Deployment folders without a zip in memory: `check` hashes the files themselves (streamed, flat memory), and
// `up` streams the zip, base64 and the JSON body around it to the API (see `DeploymentData`).

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  assertDeploymentFolderSize,
  DEPLOYMENT_FOLDER_MAX_BYTES,
  deploymentZipChunks,
  scanDeploymentFolder,
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
const BASE64_WINDOW = 3 * (1 << 18); // 768 KiB of zip → 1 MiB of text per piece

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
  constructor(
    readonly folder: string,
    /** `hashDeploymentFolder(folder).hash` when this was made. */
    readonly hash: string,
  ) {}

  static isInstance(v: unknown): v is DeploymentData {
    return typeof v === "object" && v !== null && (v as DeploymentData).__dooverDeploymentData === true;
  }

  /** The zip as base64 text, in pieces (each a whole number of 4-character groups, the last padded). */
  *base64Chunks(): Generator<string> {
    let rest = Buffer.alloc(0);
    for (const piece of deploymentZipChunks(this.folder)) {
      const all = rest.length ? Buffer.concat([rest, piece]) : piece;
      const whole = all.length - (all.length % 3);
      for (let at = 0; at < whole; at += BASE64_WINDOW) {
        yield all.toString("base64", at, Math.min(whole, at + BASE64_WINDOW));
      }
      rest = Buffer.from(all.subarray(whole));
    }
    if (rest.length) yield rest.toString("base64");
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
 * A JSON request body with its `DeploymentData` values streamed, or undefined when it has none (send
 * `JSON.stringify(body)` as usual). Called once per attempt, so a retry reads the files again.
 */
export function jsonBodyChunks(body: unknown): (() => AsyncIterable<Uint8Array>) | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.some(([, v]) => DeploymentData.isInstance(v))) return undefined;
  return async function* () {
    let first = true;
    for (const [k, v] of entries) {
      const lead = `${first ? "{" : ","}${JSON.stringify(k)}:`;
      first = false;
      if (!DeploymentData.isInstance(v)) {
        yield Buffer.from(lead + JSON.stringify(v));
        continue;
      }
      yield Buffer.from(`${lead}"`);
      for (const text of v.base64Chunks()) yield Buffer.from(text, "latin1"); // base64 is ASCII
      yield Buffer.from('"');
    }
    yield Buffer.from(first ? "{}" : "}");
  };
}
