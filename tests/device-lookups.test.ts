// getDevice / getDevices against the real HTTP emulator, with the settings a program has: stack config
// `doover:*` (pulumi.runtime.setAllConfig here), then env, then the profile. Errors name what was asked and
// what exists; the token never appears in one.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  DooverLookupError,
  getDevice,
  getDeviceOutput,
  getDevices,
  getDevicesOutput,
} from "../provider/lookup/device-lookups";
import { outputValue } from "../testing";
import { emulatorClient, startTestEmulator, useEmulator } from "./support/emulator";

const TOKEN = "lookup-token-7c1e55";

describe("device lookups (getDevice, getDevices) against the emulator", function () {
  this.timeout(20000);
  const emu = useEmulator({
    token: TOKEN,
    devices: 2,
    groups: [
      { name: "pumps", devices: 2 },
      { name: "north", parent: "pumps", devices: 3 },
      { name: "tanks", devices: 1 },
    ],
  });
  const savedEnv = { ...process.env };
  let home: string;

  const useConfig = (extra: Record<string, string> = {}) =>
    pulumi.runtime.setAllConfig(
      {
        "doover:apiUrl": emu.current.url,
        "doover:token": TOKEN,
        "doover:organisationId": emu.current.organisationId,
        "doover:retryBudgetSeconds": "2",
        ...extra,
      },
      ["doover:token"],
    );

  beforeEach(() => {
    // No developer environment or profile leaks in: an empty HOME, no DOOVER_* variables.
    home = fs.mkdtempSync(path.join(os.tmpdir(), "lookup-home-"));
    for (const k of Object.keys(process.env)) if (k.startsWith("DOOVER_")) delete process.env[k];
    process.env.HOME = home;
    useConfig();
  });
  afterEach(() => {
    pulumi.runtime.setAllConfig({});
    // Put the variables back in place: assigning a new object to process.env would leave the real environment
    // (what os.homedir() and child processes' defaults read) with this test's HOME for the rest of the run.
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    fs.rmSync(home, { recursive: true, force: true });
  });

  const g = () => emu.current.groupIds;
  const rejectsWith = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(
      () => assert.fail("expected a DooverLookupError"),
      (x: unknown) => x,
    );
    assert.ok(DooverLookupError.isInstance(e), String(e));
    assert.match((e as Error).message, re);
    assert.ok(!(e as Error).message.includes(TOKEN), "no token in the message");
    return e as Error;
  };

  it("getDevice by name, by display name and by id", async function () {
    const byName = await getDevice({ name: "pumps_north_device_2" });
    assert.equal(byName.displayName, "North 2");
    assert.deepEqual(byName.group, { id: g().north, name: "north" });
    assert.equal(byName.type.name, "Doovit");
    assert.equal(byName.organisation.id, emu.current.organisationId);
    assert.equal("fusion_entity_secret" in byName || "fusionEntitySecret" in byName, false);
    assert.equal((await getDevice({ name: "North 3" })).name, "pumps_north_device_3");
    assert.deepEqual(await getDevice({ id: byName.id }), byName);
  });

  it("getDevice errors: none (closest names listed), several, archived, both or neither of id/name", async function () {
    await rejectsWith(
      getDevice({ name: "pumps_nort_device_2" }),
      /no device named "pumps_nort_device_2" \(name or display name\) in the Doover API at http:\/\/127\.0\.0\.1:\d+ \(organisation \d+\); 8 device\(s\), closest: pumps_north_device_2 \("North 2", id \d+\)/,
    );
    const c = emulatorClient(emu.current);
    const type = (await c.devices.retrieve(emu.current.deviceIds[0])).type.id;
    await c.devices.create({ display_name: "Twin", name: "twin", type_id: type, group_id: g().tanks });
    await c.devices.create({ display_name: "Twin", name: "twin", type_id: type, group_id: g().pumps });
    await rejectsWith(
      getDevice({ name: "twin" }),
      /2 devices are named "twin": .*group tanks.*group pumps.*Pass `id` instead\./,
    );
    await c.devices.archive(emu.current.deviceIds[0]);
    await rejectsWith(
      getDevice({ name: "emulated_device_1" }),
      /no device named "emulated_device_1".*device \d+ of that name is archived \(pass includeArchived: true\)/,
    );
    assert.equal((await getDevice({ name: "emulated_device_1", includeArchived: true })).archived, true);
    await rejectsWith(getDevice({ id: emu.current.deviceIds[0] }), /is archived; pass includeArchived: true/);
    await rejectsWith(
      getDevice({ id: "123456789012345678" }),
      /no device with id 123456789012345678 in the Doover API/,
    );
    await rejectsWith(getDevice({ id: "pump" }), /id must be a device id \(digits\), not "pump"/);
    await rejectsWith(getDevice({}), /exactly one of `id` or `name` \(got neither\)/);
    await rejectsWith(getDevice({ id: "1", name: "x" }), /got both/);
  });

  it("getDevices by group name, id or path; one group or the subtree; live devices unless asked; ids in order", async function () {
    const c = emulatorClient(emu.current);
    const pumps = await getDevices({ group: "pumps" });
    assert.equal(pumps.ids.length, 2);
    assert.deepEqual(pumps.group, { id: g().pumps, name: "pumps", path: "Emulated Organisation/pumps" });
    assert.equal(pumps.includeSubgroups, false);
    const tree = await getDevices({ group: g().pumps, includeSubgroups: true });
    assert.equal(tree.ids.length, 5);
    assert.deepEqual(
      tree.ids,
      [...tree.ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
    assert.deepEqual(
      tree.names,
      tree.devices.map((d) => d.name),
    );
    assert.deepEqual((await getDevices({ group: "pumps/north" })).ids, (await getDevices({ group: "north" })).ids);
    await c.devices.archive(tree.ids[0]);
    assert.equal((await getDevices({ group: "pumps", includeSubgroups: true })).ids.length, 4);
    assert.equal((await getDevices({ group: "pumps", includeSubgroups: true, includeArchived: true })).ids.length, 5);
    // A device that joins the group shows on the next lookup.
    await c.devices.patch(emu.current.deviceIds[1], { group_id: g().north });
    assert.ok((await getDevices({ group: "pumps", includeSubgroups: true })).ids.includes(emu.current.deviceIds[1]));
  });

  it("getDevices costs one group list and one device list page per 100 devices", async function () {
    emu.current.clearLog();
    await getDevices({ group: "pumps", includeSubgroups: true });
    assert.deepEqual(
      emu.current.log().map((l) => `${l.method} ${l.path}`),
      ["GET /groups/", "GET /devices/"],
    );
  });

  it("getDevices errors name the group and the groups that exist", async function () {
    const c = emulatorClient(emu.current);
    await c.groups.create({ name: "north", parent_id: g().tanks });
    await rejectsWith(
      getDevices({ group: "north" }),
      /2 groups are named "north": Emulated Organisation\/pumps\/north \(id \d+\), Emulated Organisation\/tanks\/north \(id \d+\); pass the group id, or a path of names such as "pumps\/north"/,
    );
    assert.equal((await getDevices({ group: "tanks/north" })).ids.length, 0);
    await rejectsWith(
      getDevices({ group: "pumpz" }),
      /no group named "pumpz" in the Doover API.*closest: Emulated Organisation\/pumps \(id \d+\)/,
    );
    await rejectsWith(
      getDevices({ group: "123456789012345678" }),
      /no group with id 123456789012345678.*5 group\(s\): Emulated Organisation \(id/,
    );
    await rejectsWith(getDevices({ group: " " }), /getDevices needs `group`/);
  });

  it("settings: stack config first, then env DOOVER_API_TOKEN; no token names doover:token", async function () {
    pulumi.runtime.setAllConfig({ "doover:apiUrl": emu.current.url });
    const e = await getDevices({ group: "pumps" }).then(
      () => assert.fail("expected no token"),
      (x: unknown) => x as Error,
    );
    assert.match(
      e.message,
      /no Doover API token\. Set one for this stack with `pulumi config set --secret doover:token <token>`/,
    );
    process.env.DOOVER_API_TOKEN = TOKEN;
    assert.equal((await getDevices({ group: "pumps" })).ids.length, 2);
    // A wrong token in stack config: a 401 whose message does not carry it.
    pulumi.runtime.setAllConfig({ "doover:apiUrl": emu.current.url, "doover:token": "wrong-token-4471" });
    delete process.env.DOOVER_API_TOKEN;
    const unauthorized = await getDevices({ group: "pumps" }).then(
      () => assert.fail("expected 401"),
      (x: unknown) => x as Error,
    );
    assert.match(unauthorized.message, /401/);
    assert.ok(!unauthorized.message.includes("wrong-token-4471"));
  });

  it("staging: true reads the staging API (doover:stagingApiUrl, doover:stagingToken)", async function () {
    const staging = await startTestEmulator({
      token: "staging-token",
      devices: 0,
      groups: [{ name: "stage", devices: 2 }],
    });
    try {
      useConfig({ "doover:stagingApiUrl": staging.url, "doover:stagingToken": "staging-token" });
      const r = await getDevices({ group: "stage", staging: true });
      assert.deepEqual(
        r.ids,
        [...staging.deviceIds].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
      );
      await rejectsWith(getDevices({ group: "stage" }), /no group named "stage"/);
    } finally {
      await staging.close();
    }
  });

  it("the …Output variants take Outputs and give Outputs", async function () {
    const name = pulumi.output(Promise.resolve("pumps_north_device_1"));
    const device = getDeviceOutput({ name });
    assert.equal(await outputValue(device.apply((d) => d.displayName)), "North 1");
    const ids = getDevicesOutput({ group: pulumi.output("north"), includeSubgroups: true }).apply((r) => r.ids);
    assert.equal((await outputValue(ids)).length, 3);
  });
});
