// Helpers for the fault suite: the user's program (run as a user-style project, tests/support/user-project.ts),
// the CLI in its own process group (so a test can kill -9 all of it), and the checks every scenario
// ends with (0 duplicates, 0 orphans).
import { type Emulator, emulatorFetch } from "../support/emulator";
import type { CommandResult, UserProject } from "../support/user-project";

/** The program (a user's index.ts): `count` apps and `count` tunnels, named after `prefix` (stack config). */
export const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const cfg = new pulumi.Config();
const count = cfg.requireNumber("count");
const prefix = cfg.require("prefix");
const deviceId = cfg.require("deviceId");
for (let i = 0; i < count; i++) {
  new DooverApplication(\`app-\${i}\`, {
    name: \`\${prefix}_app_\${i}\`,
    displayName: \`Fault suite app \${i}\`,
    type: "processor",
    description: "Made by the fault suite.",
  });
  new DooverTunnel(\`tunnel-\${i}\`, {
    deviceId,
    name: \`\${prefix}-tunnel-\${i}\`,
    hostname: "127.0.0.1",
    port: 9000 + i,
    protocol: "tcp",
  });
}
`;

/**
 * Runs `pulumi <args>` in the project as the leader of its own process group (what
 * `npm run pulumi -- … --cwd <project>` runs); `onStart(pid)` may kill the whole group
 * (`process.kill(-pid, "SIGKILL")`), as a CI runner cancelling a job does.
 */
export function runGroup(project: UserProject, args: string[], onStart: (pid: number) => void): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = project.spawnPulumi(args);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, output: `${stdout}\n${stderr}` }));
    if (child.pid !== undefined) onStart(child.pid);
  });
}

/** Ids of the custom resources in the stack's state, by kind. */
export async function stateIds(project: UserProject): Promise<{ apps: string[]; tunnels: string[] }> {
  const dep = (await project.exportStack()).deployment;
  const out = { apps: [] as string[], tunnels: [] as string[] };
  for (const r of dep.resources ?? []) {
    if (!r.custom || !r.id) continue;
    if (/::app-\d+$/.test(r.urn)) out.apps.push(String(r.id));
    if (/::tunnel-\d+$/.test(r.urn)) out.tunnels.push(String(r.id));
  }
  return out;
}

/** The live (not archived) apps and the tunnels of `prefix` in the emulator. */
export async function liveObjects(
  emulator: Emulator,
  deviceId: string,
  prefix: string,
): Promise<{ apps: { id: string; name: string }[]; tunnels: { id: string; name: string }[] }> {
  const apps = (await emulatorFetch(emulator, "GET", `/applications/?per_page=500&archived=false`)).body.results;
  const tunnels = (await emulatorFetch(emulator, "GET", `/devices/${deviceId}/tunnels/?per_page=500`)).body.results;
  const mine = (o: { name: string }) => o.name.startsWith(`${prefix}_`) || o.name.startsWith(`${prefix}-`);
  const pick = (o: { id: unknown; name: string }) => ({ id: String(o.id), name: o.name });
  return { apps: apps.filter(mine).map(pick), tunnels: tunnels.filter(mine).map(pick) };
}

/** Names that occur more than once. */
export function duplicates(objects: { name: string }[]): string[] {
  const seen = new Map<string, number>();
  for (const o of objects) seen.set(o.name, (seen.get(o.name) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
}
