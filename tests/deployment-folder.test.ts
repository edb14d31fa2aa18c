// Issue 10: deployment folders hashed straight from the files (check), zipped and sent as a stream (up),
// deterministic across machines (fixed fixtures, fixed digests), and refused at check over the size limit.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";

import http = require("node:http");

import * as os from "node:os";
import * as path from "node:path";
import { deploymentHash } from "../provider/application/application-fields";
import * as runtime from "../provider/runtime";
import {
  DEPLOYMENT_FOLDER_MAX_BYTES,
  DeploymentData,
  DeploymentFolderTooLarge,
  deploymentZip,
  deploymentZipChunks,
  hashDeploymentFolder,
  readZip,
} from "../sdk";
import { jsonBodyChunks } from "../sdk/deployment-folder";
import { emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig } from "./support/provider-host";

/** Deterministic bytes (sha256 in counter mode): the same on every machine. */
function bytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, at = 0; at < n; i++) at += createHash("sha256").update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

/** A folder with nested paths, a non-ASCII name, an empty file and a 1.5 MiB file (crosses 1 MiB reads and 768 KiB base64 windows). */
function fixture(root: string): string {
  const dir = path.join(root, "deployment");
  fs.mkdirSync(path.join(dir, "config", "deep"), { recursive: true });
  fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services:\n  app:\n    image: spaneng/riverpump:1.2.3\n");
  fs.writeFileSync(path.join(dir, "config", "deep", "settings.json"), JSON.stringify({ a: 1, b: [1, 2, 3] }));
  fs.writeFileSync(path.join(dir, "config", "é-naïve.txt"), "unicode name\n");
  fs.writeFileSync(path.join(dir, "empty"), "");
  fs.writeFileSync(path.join(dir, "blob.bin"), bytes("blob", 1536 * 1024 + 17));
  fs.writeFileSync(path.join(dir, "text.log"), "line\n".repeat(100_000)); // compressible: deflated entry
  return dir;
}

// Fixed digests. FIXTURE_HASH was also computed by an independent Python script (sha256 over path, NUL, u64 BE
// length, bytes, in UTF-8 byte order). A change here changes every existing stack's deploymentHash or upload:
// do not update them without a migration note.
const FIXTURE_HASH = "c99201acafdb302b3be5aaddbffa37a5c75ac929aa0223347007bfd1b1ecb203";
const STORED_ZIP_SHA256 = "55b36b61394e4c2b9b8698eff5d02ae6a6c3896eb4aa726e14eabfd38b3e71f7";

describe("deployment folders (hash, zip, streamed upload, size limit)", function () {
  this.timeout(60000);
  const emulator = useEmulator();
  let tmp: string;
  let dir: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doover-deploy-"));
    dir = fixture(tmp);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(() => runtime.resetConfiguration());

  it("hashes the files directly: the same value as the zip's content hash, a fixed digest", () => {
    const summary = hashDeploymentFolder(dir);
    assert.equal(summary.hash, deploymentHash(deploymentZip(dir).data), "same as hashing the zip's entries");
    assert.equal(summary.hash, FIXTURE_HASH);
    assert.equal(summary.files, 6);
    const sizes = [
      "docker-compose.yml",
      "config/deep/settings.json",
      "config/é-naïve.txt",
      "empty",
      "blob.bin",
      "text.log",
    ];
    assert.equal(
      summary.bytes,
      sizes.reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0),
    );
  });

  it("zips deterministically: fixed bytes for stored entries, same content for deflated ones", () => {
    const small = path.join(tmp, "small");
    fs.mkdirSync(path.join(small, "b"), { recursive: true });
    for (const [name, text] of [
      ["z", "1"],
      ["a", "2"],
      ["b/c", ""],
      ["B", "3"],
    ])
      fs.writeFileSync(path.join(small, name), text);
    fs.utimesSync(path.join(small, "a"), new Date(2001, 1, 1), new Date(2001, 1, 1)); // mtimes never leak in
    const zip = deploymentZip(small).data;
    assert.equal(createHash("sha256").update(zip).digest("hex"), STORED_ZIP_SHA256);
    assert.deepEqual([...readZip(zip).keys()], ["B", "a", "b/c", "z"], "byte order of paths");

    const whole = deploymentZip(dir).data;
    assert.deepEqual(Buffer.concat([...deploymentZipChunks(dir)]), whole, "streamed pieces = the archive");
    const entries = readZip(whole);
    assert.deepEqual(entries.get("blob.bin"), fs.readFileSync(path.join(dir, "blob.bin")));
    assert.ok(whole.length < 1536 * 1024 + 200_000, "the log is deflated");
  });

  it("streams deployment_data as base64 inside the JSON body, equal to the in-memory encoding", async () => {
    const data = new DeploymentData(dir, hashDeploymentFolder(dir).hash);
    const b64 = deploymentZip(dir).data.toString("base64");
    assert.equal(String(data), b64);
    assert.equal(JSON.stringify({ x: data }), JSON.stringify({ x: b64 }));
    const body = { name: "n", display_name: 'd "quoted"', deployment_data: data, skipped: undefined, n: null };
    const open = jsonBodyChunks(body)!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const parts: Buffer[] = [];
      for await (const c of open()) parts.push(Buffer.from(c));
      assert.ok(parts.length > 3, "sent in pieces");
      const { skipped: _, ...sent } = body;
      assert.deepEqual(JSON.parse(Buffer.concat(parts).toString()), { ...sent, deployment_data: b64 });
    }
    assert.equal(jsonBodyChunks({ name: "plain" }), undefined, "bodies without deployment data are sent as before");
  });

  it("up sends the deployment as a stream (no whole-body string) and the API stores the same zip", async () => {
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    // What the transport hands to node:http for each write: a streamed body is sent chunked, in many writes,
    // with no Content-Length (a whole-body string would be one write with a Content-Length).
    const sends: { method: string; contentLength: unknown; writes: number }[] = [];
    const realRequest = http.request;
    (http as { request: unknown }).request = (...args: Parameters<typeof http.request>) => {
      const req = realRequest(...args);
      const opts = args[1] as http.RequestOptions;
      const send = { method: String(opts.method), contentLength: req.getHeader("content-length"), writes: 0 };
      if (send.method === "POST" || send.method === "PATCH") sends.push(send);
      const write = req.write.bind(req) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
      (req as { write: unknown }).write = (chunk: Uint8Array, ...rest: unknown[]) => {
        send.writes++;
        return write(chunk, ...rest);
      };
      return req;
    };
    try {
      const { inputs, failures } = await runtime.applications.check(
        {},
        { name: "streamed_deploy", displayName: "S", type: "DEV", description: "d", deploymentFolder: dir },
      );
      assert.deepEqual(failures, []);
      const { id, outs } = await runtime.applications.create(inputs);
      assert.equal(sends.length, 1, "one POST");
      assert.equal(sends[0].contentLength, undefined, "sent chunked, not as one sized string");
      assert.ok(sends[0].writes > 2, `the body was written in pieces (${sends[0].writes} writes)`);
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      const stored = Buffer.from(String(live.body.deployment_data), "base64");
      assert.deepEqual(stored, deploymentZip(dir).data);
      assert.equal(outs.deploymentHash, FIXTURE_HASH);
    } finally {
      (http as { request: unknown }).request = realRequest;
    }
  });

  it("check refuses a folder over the limit with its size and the limit, before reading it", async () => {
    const big = path.join(tmp, "big");
    fs.mkdirSync(big);
    fs.writeFileSync(path.join(big, "docker-compose.yml"), "services: {}\n");
    const fd = fs.openSync(path.join(big, "image.tar"), "w");
    fs.ftruncateSync(fd, DEPLOYMENT_FOLDER_MAX_BYTES); // sparse: no disk used, never read
    fs.closeSync(fd);
    assert.throws(
      () => hashDeploymentFolder(big),
      (e: unknown) => DeploymentFolderTooLarge.isInstance(e),
    );
    const { failures } = await runtime.applications.check(
      {},
      { name: "too_big", displayName: "B", type: "DEV", description: "d", deploymentFolder: big },
    );
    assert.equal(failures.length, 1);
    assert.equal(failures[0].property, "deploymentFolder");
    assert.match(failures[0].reason, /256\.0 MiB \(268435469 bytes\)/, failures[0].reason);
    assert.match(failures[0].reason, /at most 256\.0 MiB \(268435456 bytes\)/);
    assert.ok(failures[0].reason.includes(big));
  });
});
