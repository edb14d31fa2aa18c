// Helpers for the fault suite: a user-style project outside the repository, the Pulumi CLI run as a
// user runs it (its own process group, so a test can kill -9 all of it), and the checks every
// scenario ends with (0 duplicates, 0 orphans).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { emulatorFetch, type Emulator } from "../support/emulator";
import { REPO_ROOT, type EngineSandbox } from "../support/pulumi";

/** The program: `count` apps and `count` tunnels, named after `prefix` (stack config). */
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { DooverApplication, DooverTunnel } = require("pulumi-doover");
const cfg = new pulumi.Config();
const count = cfg.requireNumber("count");
const prefix = cfg.require("prefix");
const deviceId = cfg.require("deviceId");
for (let i = 0; i < count; i++) {
  new DooverApplication("app-" + i, {
    name: prefix + "_app_" + i,
    displayName: "Fault suite app " + i,
    type: "processor",
    description: "Made by the fault suite.",
  });
  new DooverTunnel("tunnel-" + i, {
    deviceId,
    name: prefix + "-tunnel-" + i,
    hostname: "127.0.0.1",
    port: 9000 + i,
    protocol: "tcp",
  });
}
`;

/**
 * A project folder outside the repository with its own package.json; `pulumi-doover` and
 * `@pulumi/pulumi` are linked from this checkout (its compiled dist/), as `npm install <path>` would.
 */
export function makeProject(dir: string): string {
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: doover-faults\nruntime: nodejs\nmain: index.js\n");
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "doover-faults", private: true, dependencies: { "pulumi-doover": `file:${REPO_ROOT}` } }, null, 2),
  );
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  fs.symlinkSync(REPO_ROOT, path.join(dir, "node_modules", "pulumi-doover"), "dir");
  fs.symlinkSync(
    path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(dir, "node_modules", "@pulumi", "pulumi"),
    "dir",
  );
  return dir;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pulumi <args>` in `cwd` in its own process group. `onStart(pid)` may kill the group
 * (`process.kill(-pid, "SIGKILL")`).
 */
export function runCli(
  sandbox: EngineSandbox,
  cwd: string,
  args: string[],
  opts: { onStart?: (pid: number) => void; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(sandbox.bin, "pulumi"), args, {
      cwd,
      env: { ...process.env, ...sandbox.envVars, ...opts.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid !== undefined) opts.onStart?.(child.pid);
  });
}

/** Like runCli, failing with the CLI's output when it does not exit 0. */
export async function cliOk(sandbox: EngineSandbox, cwd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const r = await runCli(sandbox, cwd, args, env ? { env } : {});
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Ids of the custom resources in the stack's state, by kind. */
export async function stateIds(sandbox: EngineSandbox, cwd: string, stack: string): Promise<{ apps: string[]; tunnels: string[] }> {
  const dep = JSON.parse(await cliOk(sandbox, cwd, ["stack", "export", "--stack", stack])).deployment;
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
