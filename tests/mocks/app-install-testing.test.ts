// `pulumi-doover/testing` (DooverMocks) with DooverAppInstall: the provider's real check runs (a config the
// application's declared schema rejects fails registration, naming deploymentConfig/<pointer>), and a
// valid install gets the outputs `pulumi up` leaves (a successful latest deployment).

import assert from "node:assert/strict";
import type * as providerModule from "../../provider/index.js";
import { outputValue, setDooverMocks } from "../../testing/index.js";

describe("DooverAppInstall under pulumi-doover/testing (DooverMocks)", function () {
  this.timeout(20000);
  let provider: typeof providerModule;

  before(async () => {
    await setDooverMocks(undefined, { project: "proj", stack: "test" });
    provider = await import("../../provider/index.js");
  });

  const schema = { type: "object", properties: { max_kpa: { type: "number", minimum: 0 } }, required: ["max_kpa"] };
  // Each test its own app name: one program may not declare two apps with the same name.
  let appName = "";
  const app = () =>
    new provider.DooverApplication(`app-${Math.random().toString(36).slice(2, 8)}`, {
      name: (appName = `mocked_app_${Math.random().toString(36).slice(2, 8)}`),
      displayName: "Mocked",
      type: "device",
      description: "d",
      configSchema: schema,
    });

  it("a valid install: SUC latest deployment, synced, application defaults", async () => {
    const install = new provider.DooverAppInstall("ok", {
      application: app(),
      deviceId: "1",
      deploymentConfig: { max_kpa: 3 },
    });
    assert.match(await outputValue(install.installId), /^\d{18}$/);
    assert.equal((await outputValue(install.latestDeployment))?.status, "SUC");
    assert.equal(await outputValue(install.synced), "OK");
    assert.equal(await outputValue(install.name), appName);
    assert.equal(await outputValue(install.displayName), "Mocked");
  });

  it("a config the schema rejects fails like preview, naming the pointer", async () => {
    const install = new provider.DooverAppInstall("bad", {
      application: app(),
      deviceId: "1",
      deploymentConfig: { max_kpa: -1 },
    });
    // A failed registration rejects the output's promise (apply callbacks just never run).
    const pending = (install.installId as unknown as { promise(): Promise<string> }).promise();
    const e = await pending.then(
      () => assert.fail("expected a DooverCheckError"),
      (x: unknown) => x,
    );
    // The engine wraps the DooverCheckError's text in its registration error.
    assert.match(String(e), /DooverAppInstall "bad" has invalid inputs[\s\S]*deploymentConfig\/max_kpa/);
  });
});
