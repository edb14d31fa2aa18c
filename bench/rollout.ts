// DooverRollout figures (not a test): a user project (pulumi-doover from `npm pack`) run by the real CLI against
// the in-process emulator.
//
//   node dist/bench/rollout.js [--devices 1000] [--step-ms 10000] [--latency-devices 10] [--latency-ms 100]
//                              [--latency-step-ms 1000] [--only fleet|latency]
//
// fleet:   one application rolled out to a group of N devices in 4 waves ([10, 10%, 50%, 100%]), each
//          deployment taking 2 × step-ms. Reports the API calls against the bound (installs + deployments + one
//          list page per 100 installs per poll tick), the provider host's CPU seconds and peak RSS (/proc), the
//          `up` wall time against the sum of the waves' deployment times (first deployment start to last end,
//          from the emulator) with the engine's own time measured by a no-op `up` of the same stack right
//          after, and the state bytes per device.
// latency: M devices behind 100 ms of API latency (every request), default waves ([1, 100%]): the rollout's
//          wall time in the provider (status lines' first and last timestamps are not needed: the provider's
//          create runs in this process, as the engine would call it) against the deployment time.
import * as fs from "node:fs";
import { type Emulator, startEmulator } from "../emulator";
import { resetNameClaims } from "../provider/check-names";
import { captureProgress } from "../provider/progress";
import { splitWaves } from "../provider/rollout/rollout-waves";
import * as runtime from "../provider/runtime";
import { emulatorConfig, stackConfig } from "../tests/support/provider-host";
import { UserProject } from "../tests/support/user-project";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;

const CLK_TCK = 100;
const FLEET_WAVES = [{ devices: 10 }, { percent: 10 }, { percent: 50 }, { percent: 100 }];

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverRollout } from "pulumi-doover";
const config = new pulumi.Config();
const app = new DooverApplication("monitor", {
  name: "bench_monitor", displayName: "Bench Monitor", type: "device", description: "Benchmark app.",
  configSchema: { type: "object", properties: { max_kpa: { type: "number" } } },
});
export const totals = new DooverRollout("fleet", {
  application: app,
  devices: { group: config.require("group") },
  deploymentConfig: { max_kpa: config.requireNumber("maxKpa") },
  waves: ${JSON.stringify(FLEET_WAVES)},
  deviceTimeoutSeconds: 3600,
  maxParallelDeployments: 16,
}).totals;
`;

/** The provider host among `root`'s descendants: CPU seconds and peak RSS (VmHWM), sampled every 100 ms. */
function watchProvider(root: number): () => { cpuSeconds: number; peakRssMb: number } {
  let cpu = 0;
  let hwm = 0;
  const poll = () => {
    const parents = new Map<number, number>();
    for (const name of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      } catch {}
    }
    for (const pid of parents.keys()) {
      let p = pid;
      for (let i = 0; i < 10 && p !== root && p > 1; i++) p = parents.get(p) ?? 0;
      if (p !== root) continue;
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider")) continue;
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpu = Math.max(cpu, (Number(f[11]) + Number(f[12])) / CLK_TCK);
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) hwm = Math.max(hwm, Number(m[1]) / 1024);
      } catch {}
    }
  };
  const timer = setInterval(poll, 100);
  return () => {
    clearInterval(timer);
    return { cpuSeconds: cpu, peakRssMb: hwm };
  };
}

async function upWatched(project: UserProject, args: string[]) {
  const start = Date.now();
  const child = project.spawnPulumi([
    "up",
    "--yes",
    "--skip-preview",
    "--non-interactive",
    "--stack",
    "bench",
    ...args,
  ]);
  const stop = watchProvider(child.pid!);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const usage = stop();
  if (code !== 0) throw new Error(`pulumi up failed:\n${out}`);
  return { wallMs: Date.now() - start, ...usage, output: out };
}

/** Per wave: first deployment start to last deployment end (created_at + 2 × step), from the emulator. */
async function waveDeploymentTimes(
  emulator: Emulator,
  appName: string,
  fleet: string[],
  waves: typeof FLEET_WAVES,
  stepMs: number,
) {
  const get = async (p: string) =>
    (await (await fetch(`${emulator.url}${p}`, { headers: { Authorization: `Bearer ${emulator.token}` } })).json()) as {
      results: Record<string, any>[];
      next: string | null;
    };
  const app = (await get(`/applications/?name=${appName}`)).results[0];
  const started = new Map<string, number>();
  for (let page = 1; ; page++) {
    const body = await get(`/app_installs/?application=${app.id}&per_page=100&page=${page}`);
    for (const i of body.results) started.set(String(i.device.id), Date.parse(i.latest_deployment.created_at));
    if (!body.next) break;
  }
  return splitWaves(waves, fleet).map((members) => {
    const t = members.map((d) => started.get(d)!);
    return Math.max(...t) + 2 * stepMs - Math.min(...t);
  });
}

function calls(emulator: Emulator) {
  const c = {
    installs: 0,
    deployments: 0,
    listPages: 0,
    lists: 0,
    namePages: 0,
    other: 0,
    otherKinds: new Map<string, number>(),
  };
  for (const e of emulator.log()) {
    if (e.method === "POST" && e.path === "/app_installs/") c.installs++;
    else if (e.method === "POST" && /\/deployments\/$/.test(e.path)) c.deployments++;
    else if (e.method === "GET" && e.path === "/app_installs/" && /(^|&)name=/.test(e.query)) c.namePages++;
    else if (e.method === "GET" && e.path === "/app_installs/") {
      c.listPages++;
      if (/(^|&)page=1(&|$)/.test(e.query)) c.lists++;
    } else {
      c.other++;
      const k = `${e.method} ${e.path.replace(/\d{6,}/g, "{id}")}`;
      c.otherKinds.set(k, (c.otherKinds.get(k) ?? 0) + 1);
    }
  }
  return c;
}

async function fleet(): Promise<void> {
  const n = arg("devices", 1000);
  const stepMs = arg("step-ms", 10_000);
  const emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    deploymentStepMs: stepMs,
    groups: [{ name: "fleet", devices: n }],
  });
  const project = await UserProject.create({ program: PROGRAM, name: "rollout-bench" });
  try {
    await project.initStack("bench");
    await project.useApi(emulator);
    await project.setConfig("group", emulator.groupIds.fleet);
    emulator.clearLog();
    const up = await upWatched(project, ["-c", "maxKpa=400"]);
    const c = calls(emulator);
    const exported = await project.exportStack();
    const rollout = (exported.deployment.resources ?? []).find((r) => r.urn.endsWith("::fleet"))!;
    const fleetIds = String((rollout.outputs as Record<string, unknown>).deviceIds).split(" ");
    const waves = await waveDeploymentTimes(emulator, "bench_monitor", fleetIds, FLEET_WAVES, stepMs);
    const sum = waves.reduce((a, b) => a + b, 0);
    const stateBytes = JSON.stringify(rollout).length;
    const recordsBytes = String((rollout.outputs as Record<string, unknown>).records).length;
    // The engine's own time for this stack: an `up` with nothing to change, right after.
    const noop = await upWatched(project, []);
    const pagesPerTick = Math.ceil(n / 100);
    const ticks = c.lists - 2; // one list in check (preview part of up), one at the start of the run
    const bound = c.installs + c.deployments + c.lists * pagesPerTick;
    console.log(
      `\nDooverRollout, ${n} devices, waves ${JSON.stringify(FLEET_WAVES)}, each deployment ${(2 * stepMs) / 1000} s`,
    );
    console.log(`  API calls           ${c.installs + c.deployments + c.listPages + c.namePages + c.other}`);
    console.log(`    install POSTs     ${c.installs}`);
    console.log(`    deployment POSTs  ${c.deployments}`);
    console.log(`    install list      ${c.listPages} pages in ${c.lists} lists (${ticks} poll ticks + check + start)`);
    console.log(`    name lookup       ${c.namePages} pages (check + run), instead of one GET per new install`);
    console.log(`    other             ${c.other} (${[...c.otherKinds].map(([k, v]) => `${k} ×${v}`).join(", ")})`);
    console.log(
      `    bound             ${bound} = installs + deployments + ${pagesPerTick} pages × ${c.lists} lists; list pages used ${c.listPages} of ${c.lists * pagesPerTick}`,
    );
    console.log(
      `  provider host       ${up.cpuSeconds.toFixed(2)} s CPU, peak RSS ${up.peakRssMb.toFixed(0)} MB (no-op up: ${noop.cpuSeconds.toFixed(2)} s, ${noop.peakRssMb.toFixed(0)} MB)`,
    );
    console.log(
      `  waves' deployment   ${waves.map((w) => (w / 1000).toFixed(2)).join(" + ")} = ${(sum / 1000).toFixed(2)} s`,
    );
    console.log(
      `  up wall             ${(up.wallMs / 1000).toFixed(2)} s = ${(up.wallMs / sum).toFixed(3)} × the waves' sum`,
    );
    console.log(
      `  engine (no-op up)   ${(noop.wallMs / 1000).toFixed(2)} s; up − no-op = ${((up.wallMs - noop.wallMs) / 1000).toFixed(2)} s = ${((up.wallMs - noop.wallMs) / sum).toFixed(3)} × the waves' sum`,
    );
    console.log(
      `  state               ${stateBytes} bytes for the rollout = ${(stateBytes / n).toFixed(1)} bytes per device (records ${(recordsBytes / n).toFixed(1)})`,
    );
  } finally {
    await project.dispose();
    await emulator.close();
  }
}

async function latency(): Promise<void> {
  const n = arg("latency-devices", 10);
  const delay = arg("latency-ms", 100);
  const stepMs = arg("latency-step-ms", 1000);
  const emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    deploymentStepMs: stepMs,
    groups: [{ name: "fleet", devices: n }],
  });
  const lines: string[] = [];
  const restore = captureProgress((l) => void lines.push(l));
  try {
    const post = (p: string, body: unknown) =>
      fetch(`${emulator.url}${p}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, any>>);
    const schema = { type: "object", properties: { max_kpa: { type: "number" } } };
    const app = await post("/applications/", {
      name: "latency_monitor",
      display_name: "Latency",
      description: "d",
      type: "DEV",
      visibility: "PRI",
      depends_on: [],
      organisation_id: emulator.organisationId,
      container_registry_profile_id: null,
      config_schema: schema,
    });
    emulator.addFault({ path: "/", delayMs: delay, times: 1_000_000 });
    runtime.configure(stackConfig(emulatorConfig(emulator)));
    const rows: string[] = [];
    for (const round of [1, 2, 3]) {
      resetNameClaims();
      const news = {
        applicationId: app.id,
        applicationName: "latency_monitor",
        applicationDisplayName: "Latency",
        __configSchema: schema,
        devices: { group: emulator.groupIds.fleet },
        deploymentConfig: { max_kpa: 400 + round },
        __dooverResource: "fleet",
      };
      const olds = round === 1 ? {} : (globalThis as any).__rolloutOuts;
      const { inputs } = await runtime.rollouts.check(olds, news);
      const start = Date.now();
      const outs =
        round === 1
          ? (await runtime.rollouts.create(inputs)).outs
          : (await runtime.rollouts.update("x", olds, inputs)).outs;
      const wall = Date.now() - start;
      (globalThis as any).__rolloutOuts = outs;
      const fleetIds = String(outs.deviceIds).split(" ");
      const waves = await waveDeploymentTimes(
        emulator,
        "latency_monitor",
        fleetIds,
        [{ devices: 1 }, { percent: 100 }] as never,
        stepMs,
      );
      const sum = waves.reduce((a, b) => a + b, 0);
      rows.push(
        `  ${round === 1 ? "create" : "update"}  wall ${(wall / 1000).toFixed(2)} s, waves' deployment ${(sum / 1000).toFixed(2)} s, over by ${((wall - sum) / 1000).toFixed(2)} s`,
      );
    }
    console.log(
      `\nDooverRollout, ${n} devices, ${delay} ms API latency, waves [1, 100%], each deployment ${(2 * stepMs) / 1000} s`,
    );
    for (const r of rows) console.log(r);
  } finally {
    restore();
    runtime.resetConfiguration();
    await emulator.close();
  }
}

async function main(): Promise<void> {
  if (only !== "fleet") await latency();
  if (only !== "latency") await fleet();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
