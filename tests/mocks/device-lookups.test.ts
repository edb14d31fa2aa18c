// getDevice / getDevices under `pulumi-doover/testing`: they answer from the fleet the test declares
// (setDooverMocks(…, { fleet })), with the same rules and errors as against the API, and never call the network
// (doover:apiUrl points at a closed port here).

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as providerModule from "../../provider/index.js";
import { DooverMocks, outputValue, setDooverMocks } from "../../testing/index.js";

describe("device lookups under pulumi-doover/testing (DooverMocks fleet)", function () {
  this.timeout(20000);
  let provider: typeof providerModule;

  before(async () => {
    await setDooverMocks(undefined, {
      project: "proj",
      stack: "test",
      organisationId: "100000000000000042",
      organisationName: "Acme Water",
      fleet: {
        groups: [
          { name: "pumps" },
          { name: "north", parent: "pumps" },
          { name: "tanks" },
          { name: "north", parent: "tanks", id: "300000000000000001" },
        ],
        devices: [
          { name: "pump_1", displayName: "Pump 1", group: "pumps" },
          { name: "pump_2", group: "pumps", archived: true },
          { name: "pump_n1", group: "300000000000000001" },
          { name: "bore", displayName: "Bore 9", id: "200000000000000009" },
          { name: "twin", group: "tanks" },
          { name: "twin", group: "pumps" },
        ],
      },
    });
    pulumi.runtime.setAllConfig({ "doover:apiUrl": "http://127.0.0.1:1", "doover:token": "never-sent" });
    provider = await import("../../provider/index.js");
  });

  it("getDevices: a group's devices, its subtree, by name, path or id", async () => {
    const pumps = await provider.getDevices({ group: "pumps" });
    assert.deepEqual(pumps.names.sort(), ["pump_1", "twin"]);
    assert.equal(pumps.group.path, "Acme Water/pumps");
    assert.match(pumps.ids[0], /^\d{18}$/);
    const withArchived = await provider.getDevices({ group: "pumps", includeArchived: true });
    assert.deepEqual(withArchived.names.sort(), ["pump_1", "pump_2", "twin"]);
    assert.deepEqual((await provider.getDevices({ group: "tanks", includeSubgroups: true })).names.sort(), [
      "pump_n1",
      "twin",
    ]);
    assert.deepEqual((await provider.getDevices({ group: "tanks/north" })).names, ["pump_n1"]);
    assert.deepEqual((await provider.getDevices({ group: "300000000000000001" })).names, ["pump_n1"]);
    // Ids are stable across runs (derived from the names).
    assert.deepEqual((await provider.getDevices({ group: "pumps" })).ids, pumps.ids);
  });

  it("getDevice: by name, display name or id, with the API's errors", async () => {
    const bore = await provider.getDevice({ name: "Bore 9" });
    assert.equal(bore.id, "200000000000000009");
    assert.deepEqual(bore.group, {
      id: (await provider.getDevices({ group: "Acme Water" })).group.id,
      name: "Acme Water",
    });
    assert.equal(bore.organisation.id, "100000000000000042");
    assert.equal((await provider.getDevice({ id: "200000000000000009" })).name, "bore");
    await assert.rejects(provider.getDevice({ name: "twin" }), /2 devices are named "twin".*Pass `id` instead/);
    await assert.rejects(
      provider.getDevice({ name: "pump_3" }),
      /no device named "pump_3" \(name or display name\) in the DooverMocks fleet \(5 group\(s\), 6 device\(s\)\); 5 device\(s\), closest: pump_1/,
    );
    await assert.rejects(provider.getDevice({ name: "pump_2" }), /archived \(pass includeArchived: true\)/);
    await assert.rejects(
      provider.getDevices({ group: "north" }),
      /2 groups are named "north": Acme Water\/pumps\/north \(id \d+\), Acme Water\/tanks\/north \(id 300000000000000001\)/,
    );
  });

  it("the Output variants work in a mocked program", async () => {
    const ids = provider.getDevicesOutput({ group: pulumi.output("pumps"), includeSubgroups: true }).ids;
    assert.deepEqual(
      await outputValue(ids),
      (await provider.getDevices({ group: "pumps", includeSubgroups: true })).ids,
    );
  });

  it("a fleet that names an undeclared group fails clearly", async () => {
    const mocks = new DooverMocks(undefined, { fleet: { devices: [{ name: "x", group: "nowhere" }] } });
    assert.throws(
      () => mocks.dooverFleetReader(),
      /DooverMocks fleet: device "x" names group "nowhere", which is not declared \(groups: none\)/,
    );
  });

  it("mocks that are not DooverMocks: an error, never a network call", async () => {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: "x", state: a.inputs }), call: () => ({}) },
      "proj",
      "test",
    );
    try {
      await assert.rejects(
        provider.getDevices({ group: "pumps" }),
        /getDevices runs under pulumi\.runtime\.setMocks with mocks that are not DooverMocks.*setDooverMocks\(userMocks, \{ fleet: \{ groups, devices \} \}\)/,
      );
    } finally {
      await setDooverMocks(undefined, { project: "proj", stack: "test" });
    }
  });
});
