// Peak memory and time of a deployment folder in the provider (not a test): `check` (what preview runs) and
// `create` (what up runs, uploading to the emulator), each in a fresh Node process like the provider host,
// with a folder of --mb MiB vs no folder.
//
//   node dist/bench/deployment-folder.js [--mb 100] [--package <dir with a built dist/>]
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

// One provider operation in a fresh process; prints {ms, maxRssMb}.
const CHILD = `
const [runtimePath, op, url, token, org, folder, name] = process.argv.slice(1);
const rt = require(runtimePath);
rt.configure({ config: { get: (k) => ({ "doover:apiUrl": url, "doover:token": token, "doover:organisationId": org })[k] } });
(async () => {
  const news = { name, displayName: "Bench", type: "DEV", description: "d" };
  if (folder !== "-") news.deploymentFolder = folder;
  const t = process.hrtime.bigint();
  const { inputs, failures } = await rt.applications.check({}, news);
  if (failures.length) throw new Error(JSON.stringify(failures));
  if (op === "create") await rt.applications.create(inputs);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function main(): Promise<void> {
  const mb = Number(arg("--mb", "100"));
  const pkg = path.resolve(arg("--package", REPO_ROOT));
  const runtimePath = path.join(pkg, "dist", "provider", "runtime.js");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "doover-deploy-bench-"));
  const emulator = await startEmulator({ recordFile: null });
  try {
    // Half incompressible (1 MiB files of hash output), half text: like images plus configs.
    const folder = path.join(root, "deployment");
    fs.mkdirSync(folder);
    for (let i = 0; i < mb; i++) {
      const file = path.join(folder, `part-${String(i).padStart(4, "0")}.${i % 2 ? "txt" : "bin"}`);
      if (i % 2)
        fs.writeFileSync(
          file,
          `line ${i} of a compressible log file\n`.repeat(Math.ceil((1 << 20) / 36)).slice(0, 1 << 20),
        );
      else {
        const b = Buffer.alloc(1 << 20);
        for (let at = 0, k = 0; at < b.length; k++) at += createHash("sha256").update(`${i}:${k}`).digest().copy(b, at);
        fs.writeFileSync(file, b);
      }
    }
    fs.writeFileSync(path.join(folder, "docker-compose.yml"), "services: {}\n");
    const node = path.join(REPO_ROOT, "node_modules", ".bin", "node");
    // Async: the emulator answers from this process's event loop.
    const run = async (op: string, dir: string, name: string) =>
      JSON.parse(
        (
          await promisify(execFile)(
            node,
            ["-e", CHILD, runtimePath, op, emulator.url, emulator.token, emulator.organisationId, dir, name],
            { encoding: "utf8", maxBuffer: 1 << 20 },
          )
        ).stdout,
      ) as { ms: number; maxRssMb: number };
    console.log(`deployment folder bench: ${mb} MiB folder; package ${pkg}; node ${process.version}`);
    console.log(
      "| operation | no folder: ms / peak RSS MB | folder: ms / peak RSS MB | RSS over no folder |\n| --- | ---: | ---: | ---: |",
    );
    let n = 0;
    for (const op of ["check", "create"]) {
      const base = await run(op, "-", `bench_plain_${n++}`);
      const withFolder = await run(op, folder, `bench_folder_${n++}`);
      console.log(
        `| ${op === "check" ? "check (preview)" : "check + create (up)"} | ${base.ms.toFixed(0)} / ${base.maxRssMb.toFixed(0)} | ` +
          `${withFolder.ms.toFixed(0)} / ${withFolder.maxRssMb.toFixed(0)} | +${(withFolder.maxRssMb - base.maxRssMb).toFixed(0)} MB |`,
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
