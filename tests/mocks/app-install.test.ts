// DooverAppInstall under `pulumi.runtime.setMocks` in preview mode: what the program registers. The
// application's outputs are left out of the mocked state (as in the preview of its create), so every
// value the install gets from it must come from its declared arguments.

import assert from "node:assert/strict";
import type * as providerModule from "../../provider";
import { outputValue } from "../../testing/index.js";
import { type Registered, setRecordingMocks } from "./recording-mocks";

const SCHEMA = { type: "object", properties: { max_kpa: { type: "number" } }, required: ["max_kpa"] };

describe("DooverAppInstall under setMocks", function () {
  this.timeout(20000);
  let registered: Registered[] = [];
  let last: (type: string) => Registered;
  let provider: typeof providerModule;

  before(async () => {
    ({ registered, last } = setRecordingMocks((args) => {
      const computed = args.type.endsWith(":Application")
        ? { applicationId: "900" } // no configSchema/name outputs: only the declared args can supply them
        : {
            installId: "902",
            synced: "OK",
            archived: false,
            latestDeployment: { id: "903", status: "SUC", createdAt: "t" },
          };
      const state = args.type.endsWith(":Application") ? computed : { ...args.inputs, ...computed };
      // As the real provider: an application's id is its applicationId.
      return { id: args.type.endsWith(":Application") ? "900" : `${args.name}-id`, state };
    }, true));
    provider = await import("../../provider/index.js");
  });
  const TYPE = "pulumi-nodejs:dynamic/doover:AppInstall";

  it("takes id from the application's output, and name, display name and schema from its declared args", async () => {
    const app = new provider.DooverApplication("pump-monitor", {
      name: "pump_monitor",
      displayName: "Pump Monitor",
      type: "DEV",
      description: "d",
      configSchema: SCHEMA,
    });
    const install = new provider.DooverAppInstall("pump-on-1", {
      application: app,
      deviceId: "205837122022733829",
      deploymentConfig: { max_kpa: 500 },
    });
    assert.equal(await outputValue(install.installId), "902");
    const r = last(TYPE);
    assert.equal(r.inputs.applicationId, "900");
    assert.equal(r.inputs.applicationName, "pump_monitor");
    assert.equal(r.inputs.applicationDisplayName, "Pump Monitor");
    assert.deepEqual(r.inputs.__configSchema, SCHEMA, "hidden from `preview --diff` (a `__` key)");
    assert.equal("configSchema" in r.inputs, false);
    assert.equal(r.inputs.applicationStaging, false);
    assert.deepEqual(r.inputs.deploymentConfig, { max_kpa: 500 });
    assert.equal("application" in r.inputs, false, "the resource object itself is not an input");
    assert.match(r.inputs.__provider, /pulumi-doover\/provider-runtime/);
    assert.deepEqual(await outputValue(install.latestDeployment), { id: "903", status: "SUC", createdAt: "t" });
  });

  it("an application without configSchema sends null (anything goes), its resource name stands for an unset name", async () => {
    const app = new provider.DooverApplication("plain_app", { displayName: "Plain", type: "PRO", description: "d" });
    const install = new provider.DooverAppInstall("plain-install", { application: app, deviceId: "1" });
    await outputValue(install.installId);
    const r = last(TYPE);
    assert.equal(r.inputs.__configSchema, null);
    assert.equal(r.inputs.applicationName, "plain_app");
  });

  it("an application id alone sends no schema (fetched before the first write)", async () => {
    const install = new provider.DooverAppInstall("by-id", {
      application: "142400552532231428",
      deviceId: "1",
      name: "x",
    });
    await outputValue(install.installId);
    const r = last(TYPE);
    assert.equal(r.inputs.applicationId, "142400552532231428");
    assert.equal("__configSchema" in r.inputs, false);
    assert.equal(r.inputs.name, "x");
  });

  it("on staging, the schema is the one the application's stagingConfig overlays", async () => {
    const staged = { type: "object", properties: { max_kpa: { type: "number", maximum: 10 } } };
    const app = new provider.DooverApplication("staged-app", {
      name: "staged_app",
      displayName: "Staged",
      type: "DEV",
      description: "d",
      configSchema: SCHEMA,
      staging: true,
      stagingConfig: { config_schema: staged },
    });
    const onStaging = new provider.DooverAppInstall("staged-install", {
      application: app,
      deviceId: "1",
      staging: true,
    });
    await outputValue(onStaging.installId);
    assert.deepEqual(last(TYPE).inputs.__configSchema, staged);
    const prodApp = new provider.DooverApplication("prod-app", {
      name: "prod_app",
      displayName: "Prod",
      type: "DEV",
      description: "d",
      configSchema: SCHEMA,
      stagingConfig: { config_schema: staged },
    });
    const onProd = new provider.DooverAppInstall("prod-install", { application: prodApp, deviceId: "1" });
    await outputValue(onProd.installId);
    assert.deepEqual(last(TYPE).inputs.__configSchema, SCHEMA);
  });

  it("one serialized provider text for every install", async () => {
    const texts = registered.filter((r) => r.type === TYPE).map((r) => r.inputs.__provider);
    assert.ok(texts.length >= 3);
    assert.equal(new Set(texts).size, 1);
  });
});
