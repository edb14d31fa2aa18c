// `pulumi-doover/testing` (DooverMocks) with DooverRollout: the provider's own input checks run on the
// registration (bad waves, a config the declared schema rejects, a device also managed by a DooverAppInstall),
// a group's devices come from the mocked fleet (subgroups included), and a valid rollout gets the outputs a
// completed (or held) `up` leaves.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as providerModule from "../../provider/index.js";
import { outputValue, setDooverMocks } from "../../testing/index.js";

describe("DooverRollout under pulumi-doover/testing (DooverMocks)", function () {
  this.timeout(20000);
  let provider: typeof providerModule;

  before(async () => {
    await setDooverMocks(undefined, {
      project: "proj",
      stack: "test",
      fleet: {
        groups: [
          { name: "pumps", id: "900" },
          { name: "north", id: "901", parent: "pumps" },
        ],
        devices: [
          { name: "p1", id: "11", group: "pumps" },
          { name: "p2", id: "12", group: "pumps" },
          { name: "p3", id: "13", group: "north" },
          { name: "p4", id: "14", group: "north" },
          { name: "elsewhere", id: "15" },
        ],
      },
    });
    provider = await import("../../provider/index.js");
  });

  const schema = { type: "object", properties: { max_kpa: { type: "number", minimum: 0 } }, required: ["max_kpa"] };
  const app = () =>
    new provider.DooverApplication(`app-${Math.random().toString(36).slice(2, 8)}`, {
      name: `mocked_app_${Math.random().toString(36).slice(2, 8)}`,
      displayName: "Mocked",
      type: "device",
      description: "d",
      configSchema: schema,
    });

  async function rejection(output: pulumi.Output<unknown>): Promise<string> {
    const pending = (output as unknown as { promise(): Promise<unknown> }).promise();
    return String(
      await pending.then(
        () => assert.fail("expected a DooverCheckError"),
        (x: unknown) => x,
      ),
    );
  }

  it("a group rollout (subgroups included): every device at the target, per-wave results and totals", async () => {
    const r = new provider.DooverRollout("fleet", {
      application: app(),
      devices: { group: "900" },
      deploymentConfig: { max_kpa: 3 },
      waves: [{ devices: 1 }, { percent: 50 }, { percent: 100 }],
    });
    const results = await outputValue(r.deviceResults);
    assert.deepEqual(Object.keys(results), ["11", "12", "13", "14"]);
    const hash = await outputValue(r.configHash);
    assert.ok(Object.values(results).every((x) => x.status === "SUC" && x.configHash === hash));
    assert.match(String(results["11"].installId), /^\d{18}$/);
    assert.deepEqual(
      (await outputValue(r.waveResults)).map((w) => [w.devices, w.status]),
      [
        [1, "passed"],
        [1, "passed"],
        [2, "passed"],
      ],
    );
    assert.equal((await outputValue(r.totals)).succeeded, 4);
    assert.equal(await outputValue(r.status), "completed");
  });

  it("holdAfterWave leaves the later waves pending; a secret config stays secret", async () => {
    const r = new provider.DooverRollout("held", {
      application: app(),
      devices: ["21", "22", "23"],
      deploymentConfig: pulumi.secret({ max_kpa: 3 }),
      holdAfterWave: 1,
    });
    assert.equal(await outputValue(r.status), "held");
    const results = await outputValue(r.deviceResults);
    assert.deepEqual(
      Object.values(results).map((x) => x.status),
      ["SUC", "PENDING", "PENDING"],
    );
    assert.equal(await pulumi.isSecret(r.deploymentConfig), true);
  });

  it("bad inputs fail like preview: waves, the declared schema, an unknown group", async () => {
    const bad = new provider.DooverRollout("bad", {
      application: app(),
      devices: ["31"],
      deploymentConfig: { max_kpa: -1 },
      waves: [{ percent: 50 }, { percent: 20 }],
    });
    const text = await rejection(bad.status);
    assert.match(text, /DooverRollout "bad" has invalid inputs/);
    assert.match(text, /deploymentConfig\/max_kpa/);
    assert.match(text, /waves\[1\]\.percent is 20/);
    const nogroup = new provider.DooverRollout("nogroup", {
      application: app(),
      devices: { group: "404" },
      deploymentConfig: { max_kpa: 1 },
    });
    assert.match(await rejection(nogroup.status), /group 404 is not a group of the mocked fleet/);
  });

  it("a device managed by a DooverAppInstall and a rollout fails, naming both", async () => {
    const shared = app();
    const install = new provider.DooverAppInstall("pump-41", {
      application: shared,
      deviceId: "41",
      deploymentConfig: { max_kpa: 1 },
    });
    const r = new provider.DooverRollout("with-41", {
      application: shared,
      devices: ["40", "41"],
      deploymentConfig: { max_kpa: 1 },
    });
    // Whichever registers second fails (the engine checks them in either order).
    const outcomes = await Promise.allSettled([outputValue(install.installId), outputValue(r.status)]);
    const failed = outcomes
      .filter((o) => o.status === "rejected")
      .map((o) => String((o as PromiseRejectedResult).reason));
    assert.equal(failed.length, 1, JSON.stringify(outcomes));
    assert.match(
      failed[0],
      /(DooverAppInstall "pump-41" and DooverRollout "with-41"|DooverRollout "with-41" and DooverAppInstall "pump-41") both manage the install "mocked_app_\w+" on device 41/,
    );
  });
});
