// Shared by the DooverRollout engine tests: the user's program (every option from stack config), and what the
// emulator holds and saw.
import { type Emulator, emulatorFetch } from "../support/emulator";
import type { StackResource, UserProject } from "../support/user-project";

export const ROLLOUT_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverRollout } from "pulumi-doover";

const config = new pulumi.Config();
const app = new DooverApplication("monitor", {
  name: "fleet_monitor",
  displayName: "Fleet Monitor",
  type: "device",
  description: "Watches every pump.",
  configSchema: {
    type: "object",
    properties: { max_kpa: { type: "number", minimum: 0 }, api_key: { type: "string" } },
    required: ["max_kpa"],
  },
});
const group = config.get("group");
const rollout = new DooverRollout("fleet", {
  application: app,
  devices: group ? { group } : config.requireObject<string[]>("devices"),
  deploymentConfig: { max_kpa: config.requireNumber("maxKpa"), api_key: config.requireSecret("apiKey") },
  waves: config.getObject("waves") ?? [{ devices: 2 }, { percent: 100 }],
  failureThreshold: config.getObject("threshold"),
  deviceTimeoutSeconds: config.getNumber("timeout"),
  onFailure: config.get("onFailure") as "stop" | "rollback" | undefined,
  holdAfterWave: config.getNumber("hold") || undefined,
});
export const status = rollout.status;
export const results = rollout.deviceResults;
export const waves = rollout.waveResults;
export const totals = rollout.totals;
export const configHash = rollout.configHash;
`;

/** Every install of the application called fleet_monitor, by device id. */
export async function liveInstalls(emulator: Emulator): Promise<Map<string, Record<string, any>>> {
  const apps = (await emulatorFetch(emulator, "GET", "/applications/?name=fleet_monitor")).body.results;
  const out = new Map<string, Record<string, any>>();
  if (!apps.length) return out;
  const list = (await emulatorFetch(emulator, "GET", `/app_installs/?application=${apps[0].id}&per_page=100`)).body;
  for (const i of list.results) out.set(String(i.device.id), i);
  return out;
}

/** Deployment POSTs the emulator saw, per install id. */
export function deploymentsPerInstall(emulator: Emulator): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of emulator.log()) {
    const m = /^\/app_installs\/(\d+)\/deployments\/$/.exec(e.path);
    if (e.method === "POST" && m) out.set(m[1], (out.get(m[1]) ?? 0) + 1);
  }
  return out;
}

/** `pulumi config set` of several values (objects as JSON); undefined removes the key. */
export async function configure(project: UserProject, values: Record<string, unknown>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) await project.pulumi(["config", "rm", k, "--stack", project.stack]);
    else if (typeof v === "object")
      await project.pulumiOk(["config", "set", "--stack", project.stack, k, JSON.stringify(v)]);
    else await project.setConfig(k, String(v));
  }
}

/** The rollout's outputs as state holds them (also after a failed `up`, unlike the stack outputs). */
export async function rolloutState(project: UserProject, name = "fleet"): Promise<Record<string, any>> {
  const r: StackResource | undefined = (await project.resources())[name];
  if (!r) throw new Error(`no resource ${name} in state`);
  return r.outputs as Record<string, any>;
}

/** `-c key=value` flags for `pulumi up/preview` (objects as JSON): config saved with the run, no extra CLI call. */
export function cfg(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([k, v]) => [
    "-c",
    `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`,
  ]);
}
