// Many CI jobs against one organisation (issue 18 §1), full size: N stacks (default 4 × 50 apps + 20 tunnels,
// each stack on its own device) run `pulumi up` as N CLI processes at once behind ONE limit for the whole
// organisation (default 5 req/s, 429 + Retry-After from the fault proxy), then N concurrent `destroy`s.
// Reports, per phase: wall (first process start → last exit), the API's busy span, requests let through,
// 429s, the floor (requests ÷ rate) and both ratios; then duplicates/orphans. Required: wall ≤ 1.5 × floor,
// 0 failures, 0 duplicates, 0 orphans (exit 1 otherwise). Not a test (the suite runs a small version:
// tests/faults/many-stacks.test.ts).
//
//   node dist/bench/many-stacks.js [--stacks 4] [--apps 50] [--tunnels 20] [--rate 5] [--parallel <p>]
//                                  [--cap <req/s per job: doover:maxRequestsPerSecond>] [--json <file>]
import * as fs from "node:fs";
import * as os from "node:os";
import { startEmulator } from "../emulator";
import { FaultProxy } from "../tests/support/fault-proxy";
import { describePhase, ManyStacks, type PhaseFigures } from "../tests/support/many-stacks";

interface Options {
  stacks: number;
  apps: number;
  tunnels: number;
  rate: number;
  parallel?: number;
  cap?: number;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { stacks: 4, apps: 50, tunnels: 20, rate: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "--stacks":
        o.stacks = Number(v);
        break;
      case "--apps":
        o.apps = Number(v);
        break;
      case "--tunnels":
        o.tunnels = Number(v);
        break;
      case "--rate":
        o.rate = Number(v);
        break;
      case "--parallel":
        o.parallel = Number(v);
        break;
      case "--cap":
        o.cap = Number(v);
        break;
      case "--json":
        o.json = v;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see the header of bench/many-stacks.ts)`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const load = () => os.loadavg()[0].toFixed(1);
  console.log(
    `many stacks: ${o.stacks} × (${o.apps} apps + ${o.tunnels} tunnels), one limit of ${o.rate} req/s, ` +
      `--parallel ${o.parallel ?? "default"}, per-job cap ${o.cap ?? "none"}; ${os.cpus().length} CPUs, load ${load()}`,
  );
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, recordFile: null, devices: o.stacks });
  const proxy = await FaultProxy.start({ target: emulator.url });
  const many = await ManyStacks.create(emulator, proxy, {
    stacks: o.stacks,
    apps: o.apps,
    tunnels: o.tunnels,
    ratePerSecond: o.rate,
    parallel: o.parallel,
    config: o.cap ? { "doover:maxRequestsPerSecond": String(o.cap) } : undefined,
    prefix: `bench${Date.now().toString(36)}`,
  });
  const report: Record<string, unknown> = { options: o, cpus: os.cpus().length, phases: {} };
  let ok = true;
  try {
    for (const command of ["up", "destroy"] as const) {
      const before = load();
      const f: PhaseFigures = await many.phase(command);
      const problems = await many.problems(command);
      console.log(`${describePhase(command, f)}; load ${before} → ${load()}`);
      console.log(`  ${problems.length ? `PROBLEMS: ${problems.join("; ")}` : "0 failures, 0 duplicates, 0 orphans"}`);
      for (const failure of f.failures) console.log(failure);
      const within = f.wallRatio <= 1.5;
      console.log(`  wall ${within ? "≤" : ">"} 1.5 × floor`);
      ok &&= within && !problems.length && !f.failures.length;
      (report.phases as Record<string, unknown>)[command] = { ...f, problems };
    }
  } finally {
    await many.dispose();
    await proxy.close();
    await emulator.close();
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(report, null, 2));
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
