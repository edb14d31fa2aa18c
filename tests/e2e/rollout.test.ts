// DooverRollout as a user runs it: a Pulumi project outside the repository (pulumi-doover from `npm pack`),
// the real CLI, the emulator. Each behaviour the issue lists, through `pulumi preview/up/refresh`.
import assert from "node:assert/strict";
import { useUserProject } from "../support/user-project";
import { configure, deploymentsPerInstall, liveInstalls, ROLLOUT_PROGRAM, rolloutState } from "./rollout-support";

describe("e2e DooverRollout (3 devices): preview counts, canary stop, fix, rollback, hold and resume", function () {
  this.timeout(600_000);
  const ctx = useUserProject({
    program: ROLLOUT_PROGRAM,
    name: "fleet-rollout",
    stack: "dev",
    emulator: { token: "rollout-user-token-5e1c", deploymentStepMs: 50 },
    setUp: async (project, emulator) => {
      await configure(project, { devices: emulator.deviceIds, maxKpa: 400 });
      await project.setConfig("apiKey", "sk-rollout-secret-81f3", { secret: true });
    },
  });
  const devices = () => ctx.emulator.deviceIds;

  it("preview names the plan's counts; up installs wave by wave; nothing changes after", async () => {
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.output, /changes\s*: 3/);
    assert.match(preview.output, /waves\s*: "1, 2"/);
    ctx.emulator.clearLog();
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /doover: DooverRollout "fleet": wave 2\/2 passed: 2 succeeded, 0 failed/);
    const out = await ctx.project.outputs();
    assert.equal(out.status, "completed");
    assert.deepEqual(
      Object.values(out.results as Record<string, { status: string }>).map((r) => r.status),
      ["SUC", "SUC", "SUC"],
    );
    const live = await liveInstalls(ctx.emulator);
    assert.ok([...live.values()].every((i) => i.latest_deployment.status === "SUC"));
    // The secret in deploymentConfig is encrypted in state (inputs, outputs and the releases kept for rollback).
    assert.ok(!(await ctx.project.exportText()).includes("sk-rollout-secret-81f3"));
    const again = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);
  });

  it("a config change: the preview diff counts devices; the canary fails, nothing else is deployed", async () => {
    await configure(ctx.project, { maxKpa: 450 });
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.output, /~ deploy\s*: "0" => "3 \(/);
    assert.ok(preview.output.split("\n").length < 80, preview.output);
    const canary = (await liveInstalls(ctx.emulator)).get(devices()[0])!.id;
    ctx.emulator.addFault({
      path: `/app_installs/${canary}/deployments/`,
      deployment: { status: "FAI", log: "max_kpa 450 trips the relief valve" },
    });
    ctx.emulator.clearLog();
    const up = await ctx.project.up();
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /stopped at wave 1 of 2/);
    assert.match(up.output, /max_kpa 450 trips the relief valve/);
    assert.deepEqual([...deploymentsPerInstall(ctx.emulator).keys()], [canary], "only the canary");
    assert.equal((await rolloutState(ctx.project)).status, "stopped");

    // Fixed config: the next up completes; every device gets exactly one deployment.
    await configure(ctx.project, { maxKpa: 430 });
    ctx.emulator.clearLog();
    const fixed = await ctx.project.up();
    assert.equal(fixed.code, 0, fixed.output);
    assert.deepEqual([...deploymentsPerInstall(ctx.emulator).values()], [1, 1, 1]);
    assert.ok([...(await liveInstalls(ctx.emulator)).values()].every((i) => i.deployment_config.max_kpa === 430));
  });

  it("rollback restores the previous config on exactly the devices the rollout changed", async () => {
    await configure(ctx.project, { maxKpa: 470, onFailure: "rollback", waves: [{ devices: 2 }, { percent: 100 }] });
    const last = (await liveInstalls(ctx.emulator)).get(devices()[2])!.id;
    // The third device is never reached: the second fails in wave 1.
    const second = (await liveInstalls(ctx.emulator)).get(devices()[1])!.id;
    ctx.emulator.addFault({ path: `/app_installs/${second}/deployments/`, deployment: { status: "FAI" } });
    ctx.emulator.clearLog();
    const up = await ctx.project.up();
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /onFailure is "rollback": 2 device\(s\) this rollout changed were returned/);
    const live = await liveInstalls(ctx.emulator);
    assert.deepEqual(
      devices().map((d) => live.get(d)!.deployment_config.max_kpa),
      [430, 430, 430],
    );
    assert.equal(deploymentsPerInstall(ctx.emulator).get(last), undefined, "the third device was not touched");
    assert.equal((await rolloutState(ctx.project)).status, "rolledBack");
    await configure(ctx.project, { onFailure: undefined, waves: undefined, maxKpa: 430 });
  });

  it("hold after wave 1, then continue from there", async () => {
    await configure(ctx.project, { maxKpa: 480, hold: 1 });
    ctx.emulator.clearLog();
    const held = await ctx.project.up();
    assert.equal(held.code, 0, held.output);
    assert.match(held.output, /held after wave 1 of 2/);
    assert.equal(deploymentsPerInstall(ctx.emulator).size, 1);
    assert.equal((await ctx.project.outputs()).status, "held");
    const same = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(same.code, 0, same.output);

    await configure(ctx.project, { hold: undefined });
    ctx.emulator.clearLog();
    const go = await ctx.project.up();
    assert.equal(go.code, 0, go.output);
    const canary = (await liveInstalls(ctx.emulator)).get(devices()[0])!.id;
    assert.equal(deploymentsPerInstall(ctx.emulator).get(canary), undefined, "the canary is not deployed again");
    assert.equal(deploymentsPerInstall(ctx.emulator).size, 2);
    assert.ok([...(await liveInstalls(ctx.emulator)).values()].every((i) => i.deployment_config.max_kpa === 480));
  });
});
