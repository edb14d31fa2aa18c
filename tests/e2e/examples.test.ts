// The examples as users run them: Pulumi.yaml projects (compiled programs under dist/) through the
// CLI and our pulumi-language-nodejs host, with their own Pulumi.<stack>.yaml files.
import assert from "node:assert/strict";
import * as path from "node:path";
import { type Emulator, emulatorFetch, startTestEmulator } from "../support/emulator";
import { changes, EngineSandbox, e2eSkipped, REPO_ROOT } from "../support/pulumi";
import { appByName, distinctiveToken, writes } from "./helpers";

const example = (name: string) => path.join(REPO_ROOT, "examples", name);

describe("e2e examples (Pulumi.yaml projects through the language host)", function () {
  this.timeout(300_000);
  let sandbox: EngineSandbox;
  let prod: Emulator;
  let staging: Emulator;

  before(async function () {
    if (e2eSkipped()) this.skip();
    prod = await startTestEmulator({ token: distinctiveToken("examples-prod") });
    staging = await startTestEmulator({ token: distinctiveToken("examples-staging") });
    sandbox = await EngineSandbox.create();
  });
  after(async () => {
    await sandbox?.dispose();
    await prod?.close();
    await staging?.close();
  });

  it("apps-and-tunnels: up creates everything (the monitor installed and deployed on two devices), a second preview is empty", async () => {
    const s = await sandbox.stack({
      stackName: "dev",
      projectDir: example("apps-and-tunnels"),
      api: prod,
      config: {
        "doover-apps-and-tunnels:deviceId": prod.deviceIds[0],
        "doover-apps-and-tunnels:secondDeviceId": prod.deviceIds[1],
      },
    });
    const up = await s.up();
    assert.deepEqual(changes(up), [
      "create monitor-on-pump-1",
      "create monitor-on-pump-2",
      "create pump-dashboard",
      "create pump-monitor",
      "create pump-ssh",
      "create pump-web-ui",
    ]);
    assert.equal(up.outputs.webUiActive, true);
    assert.deepEqual([up.outputs.pump1Deployment, up.outputs.pump2Deployment], ["SUC", "SUC"]);
    for (const [key, device, config] of [
      ["pump1InstallId", prod.deviceIds[0], { max_pressure_kpa: 450, site: "north" }],
      ["pump2InstallId", prod.deviceIds[1], { max_pressure_kpa: 600, site: "south", sample_seconds: 5 }],
    ] as const) {
      const live = (await emulatorFetch(prod, "GET", `/app_installs/${up.outputs[key]}/`)).body;
      assert.deepEqual(
        [live.device.id, live.deployment_config, live.latest_deployment.status],
        [device, config, "SUC"],
      );
    }
    const dashboard = await appByName(prod, "demo_pump_dashboard");
    assert.equal(dashboard?.id, up.outputs.dashboardAppId);
    assert.deepEqual(dashboard?.depends_on, ["demo_pump_monitor"]);
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("from-config: apps come from doover_config.json with README and deployment zip", async () => {
    const s = await sandbox.stack({ stackName: "dev", projectDir: example("from-config"), api: prod });
    const up = await s.up();
    assert.deepEqual(changes(up), ["create tank-alerts", "create tank-levels"]);
    const levels = await appByName(prod, "tank_level_processor");
    assert.equal(levels?.id, up.outputs.levelsAppId);
    assert.match(levels?.long_description, /^# Tank Level Processor/);
    assert.equal(levels?.config_schema?.properties?.tank_height_mm?.minimum, 100);
    assert.match(String(up.outputs.levelsDeploymentHash), /^[0-9a-f]{64}$/);
    const alerts = await appByName(prod, "tank_alert_integration");
    assert.deepEqual(alerts?.depends_on, ["tank_level_processor"]);
    assert.ok(!(await s.exportText()).includes((levels?.deployment_data as string | undefined)?.slice(0, 64) ?? "\0"));
  });

  it("environments: staging stack on the staging API; prod adds a staging variant and reads staging", async () => {
    prod.clearLog();
    staging.clearLog();
    const stg = await sandbox.stack({
      stackName: "staging",
      projectDir: example("environments"),
      api: staging,
      config: { "doover-environments:deviceId": staging.deviceIds[0] },
    });
    const stgUp = await stg.up();
    assert.deepEqual(writes(prod), [], "the staging stack never touches production");
    const stgPump = await appByName(staging, "env_pump_controller_staging");
    assert.equal(stgPump?.display_name, "Pump Controller (staging)");
    assert.equal(stgPump?.image_name, "ghcr.io/example/pump-controller:main");
    const text = await stg.exportText();
    const pw = JSON.parse(text).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::service-password"));
    assert.ok(pw.outputs.value["4dabf18193072939515e22adb298388d"], "generated password kept as a secret");

    const prd = await sandbox.stack({
      stackName: "prod",
      projectDir: example("environments"),
      api: prod,
      stagingApi: staging,
    });
    const up = await prd.up();
    assert.equal(up.outputs.upstreamPumpAppId, stgUp.outputs.pumpAppId, "StackReference to staging");
    const pump = await appByName(prod, "env_pump_controller");
    assert.equal(pump?.id, up.outputs.pumpAppId);
    assert.equal(pump?.display_name, "Pump Controller");
    const variant = await appByName(staging, "env_pump_controller");
    assert.equal(variant?.id, up.outputs.pumpStagingAppId);
    assert.equal(variant?.display_name, "Pump Controller (staging)");
  });
});
