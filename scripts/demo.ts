// `npm run demo`: the root Pulumi project (examples/apps-and-tunnels) against the embedded Doover
// emulator, with the real Pulumi CLI: preview, up (apps, their installs on two emulated devices rolled
// out to a successful deployment, tunnels), outputs, a change with its diff, a config roll-out, refresh,
// a fleet rollout to a group of 8 emulated pumps (canary, waves, a config that breaks a wave: it stops and
// rolls back, then a fixed config that completes), and a summary of what exists in the emulator. Exits
// non-zero on any failure.
//
// Run through `npm run demo` (scripts/setup.sh first: dependencies, tsc, the Pulumi CLI).
// `--keep` leaves the demo's state directory behind.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../emulator";

const REPO = path.resolve(__dirname, "..", "..");
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

let stepNo = 0;
function step(title: string): void {
  stepNo++;
  console.log(`\n${bold(`==> ${stepNo}. ${title}`)}`);
}

// Ctrl-C reaches the running `pulumi` too (same process group): let it cancel, then clean up.
let interrupted = false;
process.on("SIGINT", () => (interrupted = true));

/** Runs `pulumi <args>` with its output shown; `stdin` is piped in and never printed (secrets). */
function pulumiIn(workDir: string, bin: string, env: NodeJS.ProcessEnv) {
  return (args: string[], stdin?: string, expectFailure = false): Promise<void> => {
    if (interrupted) return Promise.reject(new Error("interrupted"));
    const shown = args.map((a) => (/[\s()]/.test(a) ? JSON.stringify(a) : a)).join(" ");
    console.log(`$ pulumi ${shown}${stdin === undefined ? "" : "   (value on stdin, not shown)"}`);
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(bin, "pulumi"), args, {
        cwd: workDir,
        env,
        stdio: [stdin === undefined ? "ignore" : "pipe", "inherit", "inherit"],
      });
      child.stdin?.end(stdin);
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        if ((code === 0) === expectFailure) {
          reject(
            new Error(
              `pulumi ${args[0]} ${expectFailure ? "succeeded, expected a failure" : `exited with ${signal ?? `code ${code}`}`}`,
            ),
          );
        } else {
          if (expectFailure) console.log(`(pulumi ${args[0]} failed, as expected)`);
          resolve();
        }
      });
    });
  };
}

// A guard, so the demo fails loudly if the provider misbehaves.
function expectWrites(emulator: Emulator, expected: number, what: string): void {
  const writes = emulator.log().filter((e) => e.method !== "GET");
  if (writes.length !== expected) {
    const seen = writes.map((e) => `${e.method} ${e.path}`).join(", ") || "none";
    throw new Error(`${what}: expected ${expected} API write(s), saw ${writes.length} (${seen})`);
  }
  console.log(`(emulator: ${writes.length} API write(s), as expected)`);
  emulator.clearLog();
}

const DEPLOYMENT_STATUS: Record<string, string> = {
  QUE: "queued",
  RUN: "running",
  SUC: "succeeded",
  FAI: "failed",
  CAN: "cancelled",
};

/** A guard: `count` installs exist and the latest deployment of each succeeded. */
async function requireDeployments(emulator: Emulator, count: number): Promise<void> {
  const res = await fetch(`${emulator.url}/app_installs/`, { headers: { Authorization: `Bearer ${emulator.token}` } });
  const installs = ((await res.json()) as { results: Record<string, any>[] }).results;
  const ok = installs.filter((i) => i.latest_deployment?.status === "SUC");
  if (installs.length !== count || ok.length !== count) {
    throw new Error(`expected ${count} installs with a successful deployment, saw ${ok.length} of ${installs.length}`);
  }
  console.log(`(emulator: ${count} app installs, each with a successful deployment)`);
}

/** The ids of the "pumps" group's devices, in rollout order. */
async function groupDevices(emulator: Emulator): Promise<string[]> {
  const res = await fetch(`${emulator.url}/devices/?group=${emulator.groupIds.pumps}&per_page=100&ordering=id`, {
    headers: { Authorization: `Bearer ${emulator.token}` },
  });
  return ((await res.json()) as { results: { id: string }[] }).results.map((d) => String(d.id));
}

/** A guard: every pump of the group runs the fleet monitor with `maxKpa`, its latest deployment succeeded. */
async function requireFleet(emulator: Emulator, count: number, maxKpa: number): Promise<void> {
  const pumps = new Set(await groupDevices(emulator));
  const res = await fetch(`${emulator.url}/app_installs/?name=fleet_pump_monitor&per_page=100`, {
    headers: { Authorization: `Bearer ${emulator.token}` },
  });
  const installs = ((await res.json()) as { results: Record<string, any>[] }).results.filter((i) =>
    pumps.has(String(i.device?.id)),
  );
  const ok = installs.filter(
    (i) => i.latest_deployment?.status === "SUC" && i.deployment_config?.max_pressure_kpa === maxKpa,
  );
  if (ok.length !== count) {
    throw new Error(
      `expected ${count} pumps running max_pressure_kpa ${maxKpa}, saw ${ok.length} of ${installs.length}`,
    );
  }
  console.log(`(emulator: ${count} pumps run the fleet monitor with max_pressure_kpa ${maxKpa})`);
}

async function summary(emulator: Emulator): Promise<void> {
  const get = async (p: string) => {
    const res = await fetch(`${emulator.url}${p}`, { headers: { Authorization: `Bearer ${emulator.token}` } });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
    return (await res.json()) as { results: Record<string, any>[] };
  };
  const apps = (await get("/applications/?per_page=100")).results;
  console.log(`Applications (${apps.length}):`);
  for (const a of apps) {
    console.log(
      `  ${a.name.padEnd(22)} ${a.type}  ${a.archived ? "archived" : "active  "}  "${a.display_name}"  id ${a.id}`,
    );
  }
  const installs = (await get("/app_installs/?per_page=100")).results;
  console.log(`App installs (${installs.length}):`);
  for (const i of installs.slice(0, 4)) {
    const d = i.latest_deployment;
    const deployment = d ? `deployment ${d.id} ${DEPLOYMENT_STATUS[d.status] ?? d.status}` : "never deployed";
    console.log(
      `  ${String(i.display_name).padEnd(16)} ${i.application.name} on ${i.device?.name ?? "-"}  ${deployment}` +
        `  synced ${i.synced}  config ${JSON.stringify(i.deployment_config)}`,
    );
  }
  if (installs.length > 4) console.log(`  … and ${installs.length - 4} more on the pump fleet`);
  for (const deviceId of emulator.deviceIds) {
    const tunnels = (await get(`/devices/${deviceId}/tunnels/`)).results;
    if (!tunnels.length) continue;
    console.log(`Tunnels on device ${deviceId} (${tunnels.length}):`);
    for (const t of tunnels) {
      const state = t.is_active ? "active  " : "inactive";
      console.log(
        `  ${t.name.padEnd(14)} ${t.protocol.padEnd(5)} ${`${t.hostname}:${t.port}`.padEnd(15)} ${state}  ${t.endpoint}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const keep = process.argv.includes("--keep");
  const bin = execFileSync("bash", [path.join(REPO, "scripts", "ensure-pulumi.sh")], {
    encoding: "utf8",
    env: { ...process.env, ENSURE_PULUMI_QUIET: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-demo-"));
  const workDir = path.join(dir, "project");
  for (const sub of ["state", "home", "project"]) fs.mkdirSync(path.join(dir, sub));
  // The root Pulumi.yaml, with `main` made absolute so stack files stay out of the repository.
  const project = fs
    .readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")
    .replace(/^main: (.*)$/m, (_, main: string) => `main: ${path.resolve(REPO, main.trim())}`);
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), project);

  // Deployments spend 0.4 s queued and 0.4 s running on the emulated devices; 8 more pumps in a group.
  const emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    deploymentStepMs: 400,
    groups: [{ name: "pumps", devices: 8 }],
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [path.join(REPO, "node_modules", ".bin"), bin, process.env.PATH].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_CONFIG_PASSPHRASE: "doover-demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const pulumi = pulumiIn(workDir, bin, env);
  let failed = false;
  try {
    console.log(bold("Doover + Pulumi demo"));
    console.log(`Pulumi CLI ${execFileSync(path.join(bin, "pulumi"), ["version"], { encoding: "utf8" }).trim()}`);
    console.log(`Emulator   ${emulator.url} (organisation ${emulator.organisationId})`);
    console.log(`State      ${dir}`);

    step("Create the stack and point it at the emulator");
    await pulumi(["stack", "init", "demo"]);
    await pulumi(["config", "set", "doover:apiUrl", emulator.url]);
    await pulumi(["config", "set", "doover:organisationId", emulator.organisationId]);
    await pulumi(["config", "set", "deviceId", emulator.deviceIds[0]]);
    await pulumi(["config", "set", "secondDeviceId", emulator.deviceIds[1]]);
    // The value goes in on stdin: not in the process list, not on screen.
    await pulumi(["config", "set", "--secret", "doover:token"], emulator.token);

    step("pulumi preview: what would be created (no API writes)");
    await pulumi(["preview"]);
    expectWrites(emulator, 0, "preview");

    step("pulumi up: create the apps, install the monitor on two devices (deployed, waited for), open the tunnels");
    await pulumi(["up", "--yes", "--skip-preview"]);
    await requireDeployments(emulator, 2);
    emulator.clearLog();

    step("Stack outputs");
    await pulumi(["stack", "output"]);

    step("Change one value (the dashboard's display name) and preview the diff");
    await pulumi(["config", "set", "dashboardTitle", "Pump Station Dashboard (north site)"]);
    await pulumi(["preview", "--diff"]);

    step("pulumi up: apply it (one PATCH)");
    await pulumi(["up", "--yes", "--skip-preview"]);
    expectWrites(emulator, 1, "the display-name change");

    step("Roll out new config to pump 2 (preview the diff, then up: one PATCH and one deployment)");
    await pulumi(["config", "set", "pump2MaxPressureKpa", "650"]);
    await pulumi(["preview", "--diff"]);
    await pulumi(["up", "--yes", "--skip-preview"]);
    expectWrites(emulator, 2, "the config roll-out");
    await requireDeployments(emulator, 2);
    await pulumi(["stack", "output", "pump2Deployment"]);

    step("pulumi refresh: compare state with the API");
    await pulumi(["refresh", "--yes", "--skip-preview"]);
    expectWrites(emulator, 0, "refresh");

    step("pulumi preview --expect-no-changes: program, state and API agree");
    await pulumi(["preview", "--expect-no-changes"]);

    step('Roll the monitor out to the 8 pumps of group "pumps": a canary, then half, then the rest');
    await pulumi(["config", "set", "pumpGroup", emulator.groupIds.pumps]);
    await pulumi(["up", "--yes", "--skip-preview"]);
    await requireFleet(emulator, 8, 500);
    emulator.clearLog();

    step("A config two pumps of wave 2 reject: the wave crosses its threshold, the rollout stops and rolls back");
    const pumps = await groupDevices(emulator);
    emulator.setDeploymentOutcomes({
      fail: pumps.slice(2, 4),
      whenConfig: { max_pressure_kpa: 900 },
      log: "E: relief valve opens below 900 kPa; config refused",
    });
    await pulumi(["config", "set", "fleetMaxPressureKpa", "900"]);
    await pulumi(["preview", "--diff"]);
    await pulumi(["up", "--yes", "--skip-preview"], undefined, true);
    await requireFleet(emulator, 8, 500);
    console.log("(emulator: the pumps the rollout changed run max_pressure_kpa 500 again; wave 3 never started)");

    step("A fixed config: the rollout starts again from the canary and completes");
    await pulumi(["config", "set", "fleetMaxPressureKpa", "650"]);
    await pulumi(["up", "--yes", "--skip-preview"]);
    await requireFleet(emulator, 8, 650);
    await pulumi(["stack", "output", "fleetTotals"]);

    step("What exists in the emulator");
    await summary(emulator);
    console.log(`\n${bold("Demo finished successfully.")}`);
  } catch (err) {
    failed = true;
    console.error(`\nDemo failed: ${(err as Error).message}`);
  } finally {
    await emulator.close();
    // Kept on failure too, for `pulumi stack export` and the engine logs.
    if (keep || (failed && !interrupted)) console.log(`State kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
