// The Automation API (issue 18 §3), as a user runs examples/automation-sites: the example's files copied into a
// project outside the repository (its own package.json, pulumi-doover from `npm pack`), compiled with the
// project's own TypeScript, and run as ONE Node.js process that drives an `apps` stack and 10 site stacks with
// inline programs (DooverApplication; DooverAppInstalls of it on each site's devices), a few at a time, on the
// real CLI with the upstream provider launcher. The process starts in another folder than the project: the
// provider host finds pulumi-doover through `inlineProjectSettings` (the default `main`, the process's working
// directory, has no node_modules there). Up all, change one site, destroy all; per-stack outputs and changes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Emulator, emulatorFetch, startTestEmulator } from "../support/emulator";
import { e2eSkipped, ensurePulumiCli, REPO_ROOT } from "../support/pulumi";
import { type CommandResult, UserProject } from "../support/user-project";

const EXAMPLE = path.join(REPO_ROOT, "examples", "automation-sites");
const SITES = 10;
const APPLICATION = `sites_pump_monitor_${Date.now().toString(36)}`;

interface StackResult {
  stack: string;
  ok: boolean;
  changes: Record<string, number>;
  outputs: Record<string, unknown>;
  error?: string;
}

describe("Automation API: one process drives a stack per site (examples/automation-sites)", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let project: UserProject;
  let env: NodeJS.ProcessEnv;
  let sitesFile: string;
  const site = (i: number) => `site-${String(i + 1).padStart(2, "0")}`;
  // Site 1 has two devices, the others one each.
  const devicesOf = (i: number) => (i === 0 ? emulator.deviceIds.slice(0, 2) : [emulator.deviceIds[i + 1]]);

  before(async function () {
    if (e2eSkipped()) this.skip();
    emulator = await startTestEmulator({
      token: `sites-tok-${Date.now().toString(36)}`,
      devices: SITES + 1,
      deploymentStepMs: 50,
    });
    const example = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"));
    const files: Record<string, string> = {};
    for (const f of fs.readdirSync(EXAMPLE)) {
      if (/\.ts$|^tsconfig\.json$|^sites\.example\.json$/.test(f))
        files[f] = fs.readFileSync(path.join(EXAMPLE, f), "utf8");
    }
    project = await UserProject.create({
      program: "export {};\n",
      name: "doover-sites",
      files,
      scripts: example.scripts,
    });
    // What the user installs is what the example's package.json names (pulumi-doover from the tarball).
    const installed = JSON.parse(fs.readFileSync(path.join(project.dir, "package.json"), "utf8"));
    for (const kind of ["dependencies", "devDependencies"]) {
      assert.deepEqual(Object.keys(installed[kind]).sort(), Object.keys(example[kind]).sort(), kind);
    }
    fs.rmSync(path.join(project.dir, "index.ts")); // the template's program; the example has none
    const built = await project.run(process.execPath, [path.join(project.dir, "node_modules/typescript/bin/tsc")]);
    assert.equal(built.code, 0, `the example compiles in the user's project:\n${built.output}`);

    sitesFile = path.join(project.sandbox, "sites.json");
    writeSites({});
    env = {
      ...project.env,
      // `pulumi` on PATH, as the example expects (next to it the upstream provider launcher).
      PATH: [path.join(REPO_ROOT, "node_modules", ".bin"), ensurePulumiCli(), process.env.PATH].join(path.delimiter),
      DOOVER_API_TOKEN: emulator.token,
      DOOVER_ORGANISATION_ID: emulator.organisationId,
      DOOVER_CONTROL_API_BASE_URL: emulator.url,
    };
  });
  after(async () => {
    await emulator?.close();
    await project?.dispose();
  });

  function writeSites(maxPressure: Record<string, number>): void {
    const sites = Array.from({ length: SITES }, (_, i) => ({
      name: site(i),
      displayName: `Site ${i + 1}`,
      deviceIds: devicesOf(i),
      config: { max_pressure_kpa: maxPressure[site(i)] ?? 400 + i },
    }));
    fs.writeFileSync(sitesFile, JSON.stringify({ applicationName: APPLICATION, sites }, null, 2));
  }

  /** `node <project>/bin/sites.js <args>` started in the sandbox root (no node_modules there). */
  function sites(args: string[]): Promise<CommandResult & { results: StackResult[] }> {
    const json = path.join(project.sandbox, `result-${Date.now()}.json`);
    const argv = [path.join(project.dir, "bin", "sites.js"), ...args, "--sites", sitesFile, "--json", json];
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        argv,
        { cwd: project.sandbox, env, maxBuffer: 64 << 20, timeout: 600_000, killSignal: "SIGKILL" },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
          const results = fs.existsSync(json) ? (JSON.parse(fs.readFileSync(json, "utf8")) as StackResult[]) : [];
          resolve({ code, signal: null, stdout, stderr, output: `${stdout}\n${stderr}`, results });
        },
      );
    });
  }

  const byStack = (results: StackResult[]) => Object.fromEntries(results.map((r) => [r.stack, r]));
  /** Changes other than `same` (the stack resource included). */
  const changed = (r: StackResult) => Object.fromEntries(Object.entries(r.changes).filter(([k]) => k !== "same"));

  async function installsOnDevice(deviceId: string): Promise<Record<string, any>[]> {
    const all = (await emulatorFetch(emulator, "GET", `/app_installs/?per_page=500`)).body.results;
    return all.filter(
      (i: any) => !i.archived && String(i.device?.id) === deviceId && i.application?.name === APPLICATION,
    );
  }

  it("up: the apps stack, then 10 site stacks from one process; each stack's outputs come back", async () => {
    const r = await sites(["up", "--concurrency", "4"]);
    assert.equal(r.code, 0, r.output);
    const stacks = byStack(r.results);
    assert.equal(r.results.length, SITES + 1, r.output);
    assert.deepEqual(changed(stacks.apps), { create: 2 }, "the stack and the application");
    const applicationId = stacks.apps.outputs.applicationId as string;
    assert.match(applicationId, /^\d+$/);
    for (let i = 0; i < SITES; i++) {
      const s = stacks[site(i)];
      assert.ok(s.ok, s.error);
      assert.deepEqual(changed(s), { create: 1 + devicesOf(i).length }, site(i));
      const ids = s.outputs.installIds as string[];
      assert.equal(ids.length, devicesOf(i).length);
      assert.deepEqual(
        s.outputs.deployments,
        ids.map(() => "SUC"),
      );
      for (const device of devicesOf(i)) {
        const [install, ...more] = await installsOnDevice(device);
        assert.equal(more.length, 0, "one install per device");
        assert.ok(ids.includes(String(install.id)));
        assert.deepEqual(install.deployment_config, { site: site(i), max_pressure_kpa: 400 + i });
      }
    }
  });

  it("change one site: only that stack updates (its install's config), the other 10 stacks are unchanged", async () => {
    writeSites({ "site-03": 575 });
    const r = await sites(["up"]);
    assert.equal(r.code, 0, r.output);
    const stacks = byStack(r.results);
    assert.deepEqual(changed(stacks["site-03"]), { update: 1 }, JSON.stringify(stacks["site-03"]));
    for (const s of r.results.filter((x) => x.stack !== "site-03")) assert.deepEqual(changed(s), {}, s.stack);
    const [install] = await installsOnDevice(devicesOf(2)[0]);
    assert.deepEqual(install.deployment_config, { site: "site-03", max_pressure_kpa: 575 });
    assert.equal(install.latest_deployment.status, "SUC");
    const outputs = byStack((await sites(["outputs"])).results);
    assert.deepEqual(outputs["site-03"].outputs.installIds, [String(install.id)], "per-stack outputs");
  });

  it("destroy --remove: the sites' installs, then the application; every stack removed from the backend", async () => {
    const r = await sites(["destroy", "--remove"]);
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(r.results.map((x) => x.stack).pop(), "apps", "the apps stack goes last");
    for (let i = 0; i < SITES; i++) {
      for (const device of devicesOf(i)) assert.deepEqual(await installsOnDevice(device), [], site(i));
    }
    const app = (await emulatorFetch(emulator, "GET", `/applications/?name=${APPLICATION}&archived=true`)).body;
    assert.equal(app.results[0]?.archived, true, "the application is archived");
    const stacksDir = path.join(project.sandbox, "state", ".pulumi", "stacks", "doover-sites");
    const left = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter((f) => f.endsWith(".json")) : [];
    assert.deepEqual(left, [], "no stack left in the backend");
  });
});
