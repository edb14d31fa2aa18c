// Wall time of the engine lifecycle with N apps + N tunnels against the emulator (not a test).
//
//   node dist/bench/lifecycle.js [N=10]
//
// Times: the CLI cache hit (scripts/ensure-pulumi.sh), preview/up of N+N creates, a no-op
// preview and up, refresh, an update of every app, and destroy.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { DooverApplication, DooverTunnel } from "../provider";
import { EngineSandbox, REPO_ROOT } from "../tests/support/pulumi";

const n = Number(process.argv[2] ?? 10);

function program(deviceId: string, label: string) {
  return async () => {
    for (let i = 0; i < n; i++) {
      new DooverApplication(`app-${i}`, {
        name: `bench_app_${i}`,
        displayName: `Bench app ${i} (${label})`,
        type: "processor",
        description: "Benchmark application.",
      });
      new DooverTunnel(`tunnel-${i}`, {
        deviceId,
        name: `bench-${i}`,
        hostname: "127.0.0.1",
        port: 8000 + i,
        protocol: "http",
      });
    }
  };
}

async function time<T>(rows: [string, number][], label: string, fn: () => Promise<T> | T): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await fn();
  rows.push([label, Number(process.hrtime.bigint() - start) / 1e6]);
  return result;
}

async function main(): Promise<void> {
  const rows: [string, number][] = [];
  await time(rows, "ensure-pulumi.sh (cache hit)", () =>
    execFileSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-pulumi.sh")], {
      stdio: ["ignore", "pipe", "ignore"],
    }),
  );
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
  const sandbox = await EngineSandbox.create();
  try {
    const deviceId = emulator.deviceIds[0];
    const s = await sandbox.stack({ stackName: "bench", program: program(deviceId, "v1"), api: emulator });
    await time(rows, `preview (${2 * n} creates)`, () => s.preview());
    await time(rows, `up (${2 * n} creates)`, () => s.up());
    await time(rows, "preview (no changes)", () => s.preview({ expectNoChanges: true }));
    await time(rows, "up (no changes)", () => s.up({ expectNoChanges: true }));
    await time(rows, "refresh", () => s.refresh());
    s.setProgram(program(deviceId, "v2"));
    await time(rows, `up (${n} updates)`, () => s.up());
    await time(rows, `destroy (${2 * n} deletes)`, () => s.destroy());
  } finally {
    await sandbox.dispose();
    await emulator.close();
  }
  console.log(`pulumi-doover engine lifecycle, N=${n} apps + ${n} tunnels`);
  for (const [label, ms] of rows) console.log(`  ${label.padEnd(32)} ${(ms / 1000).toFixed(2).padStart(7)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
