// Peak memory and time of a deployment folder (not a test): `check` (what preview runs), `create` (what up runs,
// uploading to the emulator) and the SDK's `Client.createApplication` (a doover_config.json app), each in a fresh
// Node process like the provider host, with the folder vs no folder (the one-file baseline: docker-compose.yml).
//
//   node dist/bench/deployment-folder.js [--mb 100]                    one big folder: --mb files of 1 MiB
//   node dist/bench/deployment-folder.js --files 10000 [--file-kb 1]   many small files (issue 15 §3)
//   [--package <dir with a built dist/>] [--ops check,create,sdk-create]
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator } from "../emulator";
import { REPO_ROOT } from "../tests/support/pulumi";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

// One operation in a fresh process; prints {ms, maxRssMb}.
const CHILD = `
const [pkg, op, url, token, org, folder, name] = process.argv.slice(1);
const path = require("node:path");
const fs = require("node:fs");
(async () => {
  const t = process.hrtime.bigint();
  if (op === "sdk-create") {
    // A doover_config.json beside the folder, as doover-cli projects have it.
    const sdk = require(path.join(pkg, "dist", "sdk", "index.js"));
    const root = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "bench-sdk-"));
    const entry = { name, display_name: "Bench", type: "DEV", visibility: "PRI", description: "d", organisation_id: org };
    if (folder !== "-") entry.deployment_folder = path.relative(root, folder);
    else entry.deployment_folder = "none";
    fs.writeFileSync(path.join(root, "doover_config.json"), JSON.stringify({ [name]: entry }));
    const app = sdk.Application.loadConfigFile(path.join(root, "doover_config.json"))[0];
    const client = new sdk.Client({ baseUrl: url, token, organisationId: org, env: {} });
    await client.createApplication(app);
  } else {
    const rt = require(path.join(pkg, "dist", "provider", "runtime.js"));
    rt.configure({ config: { get: (k) => ({ "doover:apiUrl": url, "doover:token": token, "doover:organisationId": org })[k] } });
    const news = { name, displayName: "Bench", type: "DEV", description: "d" };
    if (folder !== "-") news.deploymentFolder = folder;
    const { inputs, failures } = await rt.applications.check({}, news);
    if (failures.length) throw new Error(JSON.stringify(failures));
    if (op === "create") await rt.applications.create(inputs);
  }
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  // VmHWM: this process's own peak. resourceUsage().maxRSS keeps the parent's peak across fork + exec, so a child
  // of a process holding big answers (the emulator here) would report the parent's memory.
  let peakKb = process.resourceUsage().maxRSS;
  try {
    peakKb = parseInt(fs.readFileSync("/proc/self/status", "utf8").split("VmHWM:")[1], 10) || peakKb;
  } catch {}
  console.log(JSON.stringify({ ms, maxRssMb: peakKb / 1024 }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Deterministic incompressible bytes (sha256 in counter mode). */
function noise(seed: string, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let at = 0, k = 0; at < n; k++) at += createHash("sha256").update(`${seed}:${k}`).digest().copy(b, at);
  return b;
}

/** --mb files of 1 MiB: half incompressible (like images), half text (like configs and logs). */
function bigFolder(folder: string, mb: number): void {
  for (let i = 0; i < mb; i++) {
    const file = path.join(folder, `part-${String(i).padStart(4, "0")}.${i % 2 ? "txt" : "bin"}`);
    if (i % 2)
      fs.writeFileSync(
        file,
        `line ${i} of a compressible log file\n`.repeat(Math.ceil((1 << 20) / 36)).slice(0, 1 << 20),
      );
    else fs.writeFileSync(file, noise(String(i), 1 << 20));
  }
}

/** `files` small files of `kb` KiB in 100 sub-folders, half text and half incompressible. */
function manyFiles(folder: string, files: number, kb: number): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(folder, `d${String(i % 100).padStart(2, "0")}`);
    if (i < 100) fs.mkdirSync(dir);
    const file = path.join(dir, `f${String(i).padStart(5, "0")}.${i % 2 ? "txt" : "bin"}`);
    fs.writeFileSync(
      file,
      i % 2
        ? `config line ${i}\n`.repeat(Math.ceil((kb * 1024) / 16)).slice(0, kb * 1024)
        : noise(String(i), kb * 1024),
    );
  }
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const ent of fs.readdirSync(folder, { withFileTypes: true, recursive: true }))
    if (ent.isFile()) total += fs.statSync(path.join(ent.parentPath, ent.name)).size;
  return total;
}

async function main(): Promise<void> {
  const files = Number(arg("--files", "0"));
  const mb = Number(arg("--mb", "100"));
  const kb = Number(arg("--file-kb", "1"));
  const ops = arg("--ops", "check,create,sdk-create").split(",");
  const pkg = path.resolve(arg("--package", REPO_ROOT));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "doover-deploy-bench-"));
  const emulator = await startEmulator({ recordFile: null });
  try {
    const folder = path.join(root, "deployment");
    fs.mkdirSync(folder);
    if (files > 0) manyFiles(folder, files, kb);
    else bigFolder(folder, mb);
    fs.writeFileSync(path.join(folder, "docker-compose.yml"), "services: {}\n");
    const baseline = path.join(root, "baseline");
    fs.mkdirSync(baseline);
    fs.writeFileSync(path.join(baseline, "docker-compose.yml"), "services: {}\n");
    const bytes = folderBytes(folder);
    const node = path.join(REPO_ROOT, "node_modules", ".bin", "node");
    // Async: the emulator answers from this process's event loop.
    const run = async (op: string, dir: string, name: string) =>
      JSON.parse(
        (
          await promisify(execFile)(
            node,
            ["-e", CHILD, pkg, op, emulator.url, emulator.token, emulator.organisationId, dir, name],
            { encoding: "utf8", maxBuffer: 1 << 20 },
          )
        ).stdout,
      ) as { ms: number; maxRssMb: number };
    const what = files > 0 ? `${files} files of ${kb} KiB` : `${mb} files of 1 MiB`;
    console.log(
      `deployment folder bench: ${what} (${(bytes / 1e6).toFixed(1)} MB); package ${pkg}; node ${process.version}`,
    );
    console.log(
      "| operation | one file: ms / peak RSS MB | folder: ms / peak RSS MB | RSS over one file | budget (2 × folder + one file) |\n" +
        "| --- | ---: | ---: | ---: | ---: |",
    );
    let n = 0;
    for (const op of ops) {
      const label = { check: "check (preview)", create: "check + create (up)", "sdk-create": "SDK createApplication" }[
        op
      ];
      const base = await run(op, baseline, `bench_plain_${n++}`);
      const withFolder = await run(op, folder, `bench_folder_${n++}`);
      const budget = (2 * bytes) / 1e6 + base.maxRssMb;
      console.log(
        `| ${label ?? op} | ${base.ms.toFixed(0)} / ${base.maxRssMb.toFixed(0)} | ` +
          `${withFolder.ms.toFixed(0)} / ${withFolder.maxRssMb.toFixed(0)} | +${(withFolder.maxRssMb - base.maxRssMb).toFixed(0)} MB | ` +
          `${budget.toFixed(0)} MB${withFolder.maxRssMb > budget ? " (over)" : ""} |`,
      );
    }
  } finally {
    await emulator.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
