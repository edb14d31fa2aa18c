// DooverRollout as a user runs it: a Pulumi project outside the repository (pulumi-doover from `npm pack`),
// the real CLI, the emulator with a device group of 12 (10 + 2 in a subgroup) and per-device deployment
// outcomes. One stack goes through each behaviour the issue lists; config travels as `-c` flags of the run.
import assert from "node:assert/strict";
import { emulatorFetch } from "../support/emulator";
import { useUserProject } from "../support/user-project";
import { cfg, deploymentsPerInstall, liveInstalls, ROLLOUT_PROGRAM, rolloutState } from "./rollout-support";

describe("e2e DooverRollout on a device group: waves, thresholds, stop, rollback, timeout, hold, group changes", function () {
  this.timeout(900_000);
  const ctx = useUserProject({
    program: ROLLOUT_PROGRAM,
    name: "fleet-rollout",
    stack: "dev",
    emulator: {
      token: "rollout-user-token-5e1c",
      deploymentStepMs: 30,
      groups: [
        { name: "pumps", devices: 10 },
        { name: "north", parent: "pumps", devices: 2 },
      ],
    },
    setUp: async (project, emulator) => {
      await project.setConfig("group", emulator.groupIds.pumps);
      await project.setConfig("apiKey", "sk-rollout-secret-81f3", { secret: true });
    },
  });
  /** The group's 12 devices in rollout order (id order). */
  let fleet: string[] = [];
  const outcomes = (o: Parameters<typeof ctx.emulator.setDeploymentOutcomes>[0]) =>
    ctx.emulator.setDeploymentOutcomes(o);
  const deployedDevices = async (): Promise<string[]> => {
    const byInstall = new Map([...(await liveInstalls(ctx.emulator))].map(([d, i]) => [String(i.id), d]));
    return [...deploymentsPerInstall(ctx.emulator).keys()].map((i) => byInstall.get(i) ?? `install ${i}`);
  };

  it("preview counts the plan; up installs wave by wave with status lines; the secret stays encrypted", async () => {
    // `up --diff` prints the preview's diff first: the plan's counts, and the fleet on one (cut) line.
    const up = await ctx.project.up([
      "--diff",
      ...cfg({ maxKpa: 400, waves: [{ devices: 2 }, { percent: 50 }, { percent: 100 }] }),
    ]);
    assert.equal(up.code, 0, up.output);
    const plan = up.output.slice(0, up.output.indexOf("Updating ("));
    assert.match(plan, /devices\s*: 12/);
    assert.match(plan, /install\s*: "12 \(/);
    assert.match(plan, /waves\s*: "2, 4, 6"/);
    const idLines = plan.split("\n").filter((l) => /\d{18}/.test(l));
    assert.ok(idLines.length <= 4, `device ids on a few lines, not one per device:\n${plan}`);
    assert.match(up.output, /doover: DooverRollout "fleet": wave 1\/3: deploying to 2 of 2 device\(s\)/);
    assert.match(up.output, /doover: DooverRollout "fleet": wave 3\/3 passed: 6 succeeded, 0 failed/);
    const state = await rolloutState(ctx.project);
    fleet = state.deviceIds.split(" ");
    assert.equal(fleet.length, 12);
    assert.deepEqual(
      state.waveResults.map((w: { devices: number; status: string }) => [w.devices, w.status]),
      [
        [2, "passed"],
        [4, "passed"],
        [6, "passed"],
      ],
    );
    const live = await liveInstalls(ctx.emulator);
    assert.ok(fleet.every((d) => live.get(d)?.latest_deployment.status === "SUC"));
    assert.ok(!(await ctx.project.exportText()).includes("sk-rollout-secret-81f3"));
  });

  it("the canary fails: nothing else is deployed; a fixed config then completes, one deployment per device", async () => {
    outcomes({ fail: [fleet[0]], whenConfig: { max_kpa: 450 }, log: "max_kpa 450 trips the relief valve" });
    ctx.emulator.clearLog();
    const up = await ctx.project.up(["--diff", ...cfg({ maxKpa: 450 })]);
    assert.match(up.output, /~ deploy\s*: "0" => "12 \(/, "the preview part names how many devices re-deploy");
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /stopped at wave 1 of 3/);
    assert.match(up.output, /max_kpa 450 trips the relief valve/);
    assert.deepEqual(await deployedDevices(), fleet.slice(0, 2), "only the canary wave");
    assert.equal((await rolloutState(ctx.project)).status, "stopped");

    ctx.emulator.clearLog();
    const fixed = await ctx.project.up(cfg({ maxKpa: 430 }));
    assert.equal(fixed.code, 0, fixed.output);
    assert.deepEqual([...deploymentsPerInstall(ctx.emulator).values()], Array(12).fill(1));
    const live = await liveInstalls(ctx.emulator);
    assert.ok(fleet.every((d) => live.get(d)!.deployment_config.max_kpa === 430));
  });

  it("threshold 10% with a minimum of 5: 1 failure in 10 passes (the up names it); 2 in 10 stop", async () => {
    const tenPercent = { threshold: { percent: 10, minDevices: 5 }, waves: [{ devices: 2 }, { percent: 100 }] };
    // The failing device finishes last: judged on 10 finished devices, 1 failure is 10%, not more.
    outcomes({ fail: [fleet[5]], afterMs: { [fleet[5]]: 3000 }, whenConfig: { max_kpa: 440 } });
    ctx.emulator.clearLog();
    const one = await ctx.project.up(cfg({ ...tenPercent, maxKpa: 440 }));
    assert.equal(one.code, 0, one.output);
    assert.match(one.output, /1 device\(s\) failed without crossing the failure threshold/);
    assert.match(one.output, new RegExp(fleet[5]));
    assert.equal(deploymentsPerInstall(ctx.emulator).size, 12);
    const state = await rolloutState(ctx.project);
    assert.deepEqual([state.totals.succeeded, state.totals.failed], [11, 1]);

    outcomes({ fail: [fleet[5], fleet[6]], whenConfig: { max_kpa: 445 } });
    const two = await ctx.project.up(cfg({ maxKpa: 445 }));
    assert.notEqual(two.code, 0, two.output);
    assert.match(two.output, /stopped at wave 2 of 2: 2 of 10 finished device\(s\) failed \(20%\)/);
    outcomes({});
  });

  it("rollback restores the previous config on exactly the devices the rollout changed", async () => {
    // Every device holds max_kpa 445 (2 of them failed it). Wave 2 (of 2, 50%, rest) fails on its first device:
    // waves 1-2 (6 devices) go back to 445, wave 3's six are never touched.
    outcomes({ fail: [fleet[2]], whenConfig: { max_kpa: 470 } });
    ctx.emulator.clearLog();
    const waves = [{ devices: 2 }, { percent: 50 }, { percent: 100 }];
    const up = await ctx.project.up(cfg({ maxKpa: 470, onFailure: "rollback", waves, threshold: { percent: 0 } }));
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /onFailure is "rollback": 6 device\(s\) this rollout changed were returned/);
    const live = await liveInstalls(ctx.emulator);
    assert.deepEqual(
      fleet.map((d) => live.get(d)!.deployment_config.max_kpa),
      Array(12).fill(445),
    );
    assert.ok(fleet.slice(0, 6).every((d) => live.get(d)!.latest_deployment.status === "SUC"));
    const touched = await deployedDevices();
    assert.deepEqual(touched.sort(), fleet.slice(0, 6).sort(), "wave 3 untouched");
    assert.equal((await rolloutState(ctx.project)).status, "rolledBack");
  });

  it("a deployment still running after deviceTimeoutSeconds counts as a failure", async () => {
    outcomes({ never: [fleet[1]] });
    const up = await ctx.project.up(cfg({ maxKpa: 460, onFailure: "stop", timeout: 2 }));
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /stopped at wave 1 of 3/);
    assert.match(up.output, /TIMEOUT/);
    assert.match(up.output, /still (QUE|RUN) after deviceTimeoutSeconds = 2 s/);
    const results = (await rolloutState(ctx.project)).records as string;
    assert.match(results, new RegExp(`${fleet[1]}:\\d+:TMO:`));
    ctx.emulator.clearDeploymentOutcomes();
  });

  it("hold after wave 1, then continue from there (the canary is not deployed again)", async () => {
    ctx.emulator.clearLog();
    const held = await ctx.project.up(cfg({ maxKpa: 480, hold: 1, timeout: 600 }));
    assert.equal(held.code, 0, held.output);
    assert.match(held.output, /held after wave 1 of 3/);
    assert.deepEqual(await deployedDevices(), fleet.slice(0, 2));
    const same = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(same.code, 0, same.output);

    ctx.emulator.clearLog();
    const go = await ctx.project.up(cfg({ hold: 0 }));
    assert.equal(go.code, 0, go.output);
    assert.deepEqual((await deployedDevices()).sort(), fleet.slice(2).sort());
    assert.equal((await rolloutState(ctx.project)).status, "completed");
  });

  it("a device that joins the group: refresh shows it, preview names it, up installs only it; one that leaves is uninstalled", async () => {
    const newcomer = ctx.emulator.deviceIds[0]; // a root-group device
    await emulatorFetch(ctx.emulator, "PATCH", `/devices/${newcomer}/`, { group_id: ctx.emulator.groupIds.north });
    const refresh = await ctx.project.refresh(["--diff"]);
    assert.equal(refresh.code, 0, refresh.output);
    assert.match(refresh.output, /pending\s*: 0 => 1/);
    const leaver = fleet[11];
    await emulatorFetch(ctx.emulator, "PATCH", `/devices/${leaver}/`, { group_id: ctx.emulator.rootGroupId });
    const leaverInstall = String((await liveInstalls(ctx.emulator)).get(leaver)!.id);
    ctx.emulator.clearLog();
    const up = await ctx.project.up(["--diff"]);
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, new RegExp(`joined\\s*: "1 \\(${newcomer}\\)"`));
    assert.match(up.output, new RegExp(`install\\s*: "0" => "1 \\(${newcomer}\\)"`));
    assert.match(up.output, new RegExp(`left\\s*: "1 \\(${leaver}\\): uninstalled"`));
    const writes = ctx.emulator
      .log()
      .filter((e) => e.method !== "GET")
      .map((e) => `${e.method} ${e.path}`);
    const installId = String((await liveInstalls(ctx.emulator)).get(newcomer)!.id);
    assert.deepEqual(writes.sort(), [
      `DELETE /app_installs/${leaverInstall}/`,
      "POST /app_installs/",
      `POST /app_installs/${installId}/deployments/`,
    ]);
  });

  it("a device also managed by a DooverAppInstall fails preview, naming both resources", async () => {
    const program = `${ROLLOUT_PROGRAM}
import { DooverAppInstall as Install } from "pulumi-doover";
new Install("pump-one", { application: app, deviceId: "${fleet[3]}", deploymentConfig: { max_kpa: 1 } });
`;
    ctx.project.writeFile("index.ts", program);
    try {
      const preview = await ctx.project.preview();
      assert.notEqual(preview.code, 0, preview.output);
      assert.match(
        preview.output,
        /(DooverRollout "fleet" and DooverAppInstall "pump-one"|DooverAppInstall "pump-one" and DooverRollout "fleet") both manage the install "fleet_monitor" on device/,
      );
    } finally {
      ctx.project.writeFile("index.ts", ROLLOUT_PROGRAM);
    }
  });
});
