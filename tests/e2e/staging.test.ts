// Issue 4 test 8: a staging stack writes to the staging API with the stagingConfig overlay; a prod
// stack that also declares a staging variant of one app writes to both.
import assert from "node:assert/strict";
import { DooverApplication } from "../../provider";
import { type Emulator, startTestEmulator } from "../support/emulator";
import { EngineSandbox, e2eSkipped } from "../support/pulumi";
import { appByName, distinctiveToken, writes } from "./helpers";

function app(resourceName: string, name: string, staging?: boolean): DooverApplication {
  return new DooverApplication(resourceName, {
    name,
    displayName: "Weather Station",
    type: "processor",
    visibility: "private",
    description: "Production description.",
    stagingConfig: { display_name: "Weather Station (staging)", description: "Staging description." },
    staging,
  });
}

describe("e2e staging (real Pulumi engine + two emulators)", function () {
  this.timeout(180_000);
  let sandbox: EngineSandbox;
  let prod: Emulator;
  let staging: Emulator;

  before(async function () {
    if (e2eSkipped()) this.skip();
    prod = await startTestEmulator({ token: distinctiveToken("prod") });
    staging = await startTestEmulator({ token: distinctiveToken("staging") });
    sandbox = await EngineSandbox.create();
  });
  after(async () => {
    await sandbox?.dispose();
    await prod?.close();
    await staging?.close();
  });
  beforeEach(() => {
    prod.clearLog();
    staging.clearLog();
  });

  it("8a. a stack with doover:staging writes only to the staging API, overlay applied", async () => {
    const s = await sandbox.stack({
      stackName: "staging",
      program: async () => ({ id: app("weather", "e2e_weather_staged").applicationId }),
      api: staging,
      config: { "doover:staging": "true" },
    });
    const up = await s.up();
    assert.deepEqual(writes(prod), []);
    assert.ok(writes(staging).includes("POST /applications/"), `staging writes: ${writes(staging)}`);
    const live = await appByName(staging, "e2e_weather_staged");
    assert.equal(live?.id, up.outputs.id);
    assert.equal(live?.display_name, "Weather Station (staging)");
    assert.equal(live?.description, "Staging description.");
  });

  it("8b. a prod stack with a staging variant of one app writes to both APIs", async () => {
    const s = await sandbox.stack({
      stackName: "prod",
      program: async () => ({
        prodId: app("weather", "e2e_weather").applicationId,
        stagingId: app("weather-staging", "e2e_weather", true).applicationId,
      }),
      api: prod,
      stagingApi: staging,
    });
    const up = await s.up();
    assert.deepEqual(writes(prod), ["POST /applications/"]);
    assert.ok(writes(staging).includes("POST /applications/"), `staging writes: ${writes(staging)}`);
    const live = await appByName(prod, "e2e_weather");
    assert.equal(live?.id, up.outputs.prodId);
    assert.equal(live?.display_name, "Weather Station");
    const variant = await appByName(staging, "e2e_weather");
    assert.equal(variant?.id, up.outputs.stagingId);
    assert.equal(variant?.display_name, "Weather Station (staging)");
  });
});
