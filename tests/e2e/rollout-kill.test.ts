// A rollout whose `pulumi up` is killed (SIGKILL of the CLI's whole process group) mid-wave, with
// deployments running: the next `up` converges, and no device gets a second deployment of the same release.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runGroup } from "../faults/support";
import { useUserProject } from "../support/user-project";
import { cfg, deploymentsPerInstall, liveInstalls, ROLLOUT_PROGRAM, rolloutState } from "./rollout-support";

describe("e2e DooverRollout: kill -9 mid-wave, then `up` again", function () {
  this.timeout(600_000);
  const ctx = useUserProject({
    program: ROLLOUT_PROGRAM,
    name: "fleet-rollout-kill",
    stack: "dev",
    emulator: { token: "rollout-kill-token-0b7d", deploymentStepMs: 30, groups: [{ name: "pumps", devices: 8 }] },
    setUp: async (project, emulator) => {
      await project.setConfig("group", emulator.groupIds.pumps);
      await project.setConfig("apiKey", "sk-kill-secret", { secret: true });
    },
  });

  it("converges with no device deployed twice", async () => {
    const first = await ctx.project.up(cfg({ maxKpa: 400 }));
    assert.equal(first.code, 0, first.output);
    const fleet = (await rolloutState(ctx.project)).deviceIds.split(" ") as string[];
    // The new release takes 4 s on every device: the kill lands while wave 2's deployments run.
    ctx.emulator.setDeploymentOutcomes({
      afterMs: Object.fromEntries(fleet.map((d) => [d, 4000])),
      whenConfig: { max_kpa: 500 },
    });
    ctx.emulator.clearLog();
    const args = ["up", "--yes", "--non-interactive", "--stack", "dev", ...cfg({ maxKpa: 500 })];
    let killed = false;
    const run = await runGroup(ctx.project, args, (pid) => {
      const poll = setInterval(() => {
        // Canary (2) done, wave 2's deployments started: kill the CLI, its language host and provider.
        if (killed || deploymentsPerInstall(ctx.emulator).size < 4) return;
        killed = true;
        clearInterval(poll);
        process.kill(-pid, "SIGKILL");
      }, 50);
    });
    assert.equal(killed, true, `up ended before the kill:\n${run.output}`);
    const before = await liveInstalls(ctx.emulator);
    assert.ok(
      fleet.some((d) => ["QUE", "RUN"].includes(before.get(d)!.latest_deployment.status)),
      "deployments were running at the kill",
    );

    // What a kill can leave on the file backend: a lock (`pulumi cancel`), or a checkpoint cut short
    // mid-write (`failed to load checkpoint`: put back the backup Pulumi keeps next to it).
    let again = await ctx.project.up();
    for (let i = 0; i < 3 && again.code !== 0; i++) {
      if (/locked.*pulumi cancel/s.test(again.output))
        await ctx.project.pulumiOk(["cancel", "--yes", "--stack", "dev"]);
      else if (/failed to load checkpoint/.test(again.output)) {
        const file = path.join(ctx.project.sandbox, "state", ".pulumi", "stacks", "fleet-rollout-kill", "dev.json");
        fs.copyFileSync(`${file}.bak`, file);
        if (fs.existsSync(`${file}.bak.attrs`)) fs.copyFileSync(`${file}.bak.attrs`, `${file}.attrs`);
      } else break;
      again = await ctx.project.up();
    }
    assert.equal(again.code, 0, again.output);
    const perInstall = deploymentsPerInstall(ctx.emulator);
    const live = await liveInstalls(ctx.emulator);
    assert.deepEqual(
      fleet.map((d) => perInstall.get(String(live.get(d)!.id))),
      fleet.map(() => 1),
      "exactly one deployment of max_kpa 500 per device, across the killed run and the next",
    );
    assert.ok(fleet.every((d) => live.get(d)!.latest_deployment.status === "SUC"));
    assert.ok(fleet.every((d) => live.get(d)!.deployment_config.max_kpa === 500));
    const state = await rolloutState(ctx.project);
    assert.deepEqual([state.status, state.totals.succeeded], ["completed", 8]);
  });
});
