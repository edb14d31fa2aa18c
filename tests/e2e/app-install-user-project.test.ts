// "Done when", as a user would do it: a Pulumi project outside the repository with its own package.json
// (pulumi-doover from `npm pack`), the real CLI. One program declares an application and its install on
// an emulated device; `pulumi preview` with a config the schema rejects fails naming the pointer and
// writes nothing; one `pulumi up` then takes the app from declaration to a successful deployment.
import assert from "node:assert/strict";
import { emulatorFetch } from "../support/emulator";
import { useUserProject } from "../support/user-project";
import { logIndex, writes } from "./helpers";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverAppInstall } from "pulumi-doover";

const config = new pulumi.Config();
const monitor = new DooverApplication("monitor", {
  name: "user_pump_monitor",
  displayName: "Pump Monitor",
  type: "device",
  description: "Reads pump pressure.",
  configSchema: {
    type: "object",
    properties: { max_kpa: { type: "number", minimum: 0 }, site: { type: "string", default: "north" } },
    required: ["max_kpa", "site"],
  },
});
const install = new DooverAppInstall("monitor-on-pump", {
  application: monitor,
  deviceId: config.require("deviceId"),
  deploymentConfig: { max_kpa: config.requireNumber("maxKpa") },
});
export const installId = install.installId;
export const deploymentStatus = install.latestDeployment.apply((d) => d?.status);
`;

describe("e2e user project: an app from declaration to a successful deployment in one `pulumi up`", function () {
  this.timeout(600_000);
  const ctx = useUserProject({
    program: PROGRAM,
    name: "pump-installs",
    stack: "dev",
    emulator: { token: "installs-user-token-91d2", deploymentStepMs: 100 },
    setUp: (project, emulator) => project.setConfig("deviceId", emulator.deviceIds[0]),
  });

  it("preview with a config the app's schema rejects fails with deploymentConfig/<pointer> and no write", async () => {
    await ctx.project.setConfig("maxKpa", "-3");
    ctx.emulator.clearLog();
    const preview = await ctx.project.preview();
    assert.notEqual(preview.code, 0, preview.output);
    assert.match(preview.output, /deploymentConfig\/max_kpa must be >= 0/);
    assert.deepEqual(writes(ctx.emulator), []);
  });

  it("one up: app created, installed, deployed (SUC); destroy removes the install before archiving the app", async () => {
    await ctx.project.setConfig("maxKpa", "450");
    ctx.emulator.clearLog();
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    const outputs = await ctx.project.outputs();
    assert.equal(outputs.deploymentStatus, "SUC");
    const id = String(outputs.installId);
    assert.deepEqual(writes(ctx.emulator), [
      "POST /applications/",
      "POST /app_installs/",
      `POST /app_installs/${id}/deployments/`,
    ]);
    const live = (await emulatorFetch(ctx.emulator, "GET", `/app_installs/${id}/`)).body;
    assert.deepEqual(
      [live.deployment_config, live.latest_deployment.status, live.synced],
      [{ max_kpa: 450 }, "SUC", "OK"],
    );

    const again = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);

    ctx.emulator.clearLog();
    const destroy = await ctx.project.destroy();
    assert.equal(destroy.code, 0, destroy.output);
    const del = logIndex(ctx.emulator, "DELETE", /^\/app_installs\/\d+\/$/);
    const archive = logIndex(ctx.emulator, "POST", /^\/applications\/\d+\/archive\/$/);
    assert.ok(del >= 0 && archive > del, JSON.stringify(ctx.emulator.log()));
  });
});
