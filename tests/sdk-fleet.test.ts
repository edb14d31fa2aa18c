// SDK `client.devices` and `client.groups` against the real HTTP emulator: every page, the filters (camelCase
// options → snake_case wire), group subtrees checked against the tree, find by name, create/move/archive.

import * as assert from "node:assert/strict";
import { AmbiguousDeviceName, BadRequest, DooverException, NotFound } from "../sdk";
import { emulatorClient, useEmulator } from "./support/emulator";

describe("sdk: devices and groups against the emulator", function () {
  this.timeout(20000);
  const emu = useEmulator({
    devices: 230,
    groups: [
      { name: "pumps", devices: 3 },
      { name: "north", parent: "pumps", devices: 4 },
      { name: "deep", parent: "north", devices: 2 },
      { name: "tanks", devices: 1 },
    ],
  });
  const client = (opts = {}) => emulatorClient(emu.current, opts);
  const g = () => emu.current.groupIds;
  const sorted = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

  it("lists every page (one request per 100 devices) with ids as strings", async function () {
    const e = emu.current;
    e.clearLog();
    const all = await client().devices.list();
    assert.equal(all.length, 240);
    assert.deepEqual(sorted(all), [...e.deviceIds].sort());
    assert.ok(all.every((d) => typeof d.id === "string" && /^\d{18,}$/.test(d.id)));
    assert.ok(all.every((d) => typeof d.group.id === "string" && typeof d.type.id === "string"));
    const gets = e.log().filter((l) => l.path === "/devices/");
    assert.equal(gets.length, 3);
    assert.ok(gets.every((l) => /per_page=100/.test(l.query)));
  });

  it("sends camelCase filters as the spec's snake_case query parameters", async function () {
    const e = emu.current;
    const c = client();
    const [d1, d2] = e.deviceIds;
    e.clearLog();
    assert.deepEqual(sorted(await c.devices.list({ id: [d1, d2] })), [d1, d2].sort());
    assert.equal((await c.devices.list({ nameIcontains: "NORTH_DEVICE" })).length, 4);
    assert.equal((await c.devices.list({ displayName: "Deep 2" })).length, 1);
    assert.equal((await c.devices.list({ displayNameContains: "Tanks" })).length, 1);
    assert.equal((await c.devices.list({ groupTree: g().north })).length, 6);
    assert.equal((await c.devices.list({ group: g().north, search: "north device_4" })).length, 1);
    assert.equal((await c.devices.list({ archived: true })).length, 0);
    const queries = e.log().map((l) => l.query);
    for (const wire of [
      "id=",
      "name__icontains=",
      "display_name=",
      "display_name__contains=",
      "group_tree=",
      "archived=true",
    ])
      assert.ok(
        queries.some((q) => q.includes(wire)),
        `${wire} in ${queries.join(" | ")}`,
      );
    await assert.rejects(c.devices.list({ group: "not-an-id" }), (e) => BadRequest.isInstance(e));
  });

  it("listInGroup: one group, or its whole subtree; live devices unless asked", async function () {
    const c = client();
    const north = await c.devices.listInGroup(g().north);
    assert.equal(north.length, 4);
    assert.ok(north.every((d) => d.group.id === g().north));
    const tree = await c.devices.listInGroup(g().pumps, { includeSubgroups: true });
    assert.equal(tree.length, 9);
    await c.devices.archive(north[0].id);
    assert.equal((await c.devices.listInGroup(g().pumps, { includeSubgroups: true })).length, 8);
    assert.equal((await c.devices.listInGroup(g().north)).length, 3);
    assert.equal((await c.devices.listInGroup(g().north, { includeArchived: true })).length, 4);
  });

  it("listInGroup never widens to the fleet when the server ignores the group filters", async function () {
    const e = emu.current;
    // A server that drops `group_tree` (answers every device): the subtree is listed group by group instead.
    const logs: string[] = [];
    const dropping = (param: string) =>
      ((input: string | URL | Request, init?: RequestInit) => {
        const u = new URL(String(input));
        u.searchParams.delete(param);
        return fetch(u, init);
      }) as typeof fetch;
    const ignoresTree = client({ fetch: dropping("group_tree"), logger: (l: string) => logs.push(l) });
    const tree = await ignoresTree.devices.listInGroup(g().pumps, { includeSubgroups: true });
    assert.equal(tree.length, 9);
    assert.match(logs.join("\n"), /answered devices outside the group's subtree; listing its 3 group\(s\) one by one/);
    // A server that drops `group` too: an error, never the whole fleet.
    const ignoresGroup = client({ fetch: dropping("group") });
    await assert.rejects(ignoresGroup.devices.listInGroup(g().north), /ignored the group filter/);
    assert.equal(e.deviceIds.length, 240);
  });

  it("findByName: exact name, else exact display name; none → undefined; several → an error listing them", async function () {
    const c = client();
    const d = await c.devices.findByName("pumps_north_device_2");
    assert.equal(d?.display_name, "North 2");
    assert.equal((await c.devices.findByName("North 3"))?.name, "pumps_north_device_3");
    assert.equal(await c.devices.findByName("nope"), undefined);
    assert.equal(await c.devices.findByName("pumps_north"), undefined, "no partial matches");
    const type = d!.type.id;
    await c.devices.create({ display_name: "Twin", name: "twin", type_id: type, group_id: g().tanks });
    await c.devices.create({ display_name: "Twin", name: "twin", type_id: type, group_id: g().pumps });
    const err = await c.devices.findByName("twin").catch((x) => x);
    assert.ok(AmbiguousDeviceName.isInstance(err), String(err));
    assert.ok(DooverException.isInstance(err));
    assert.match(err.message, /2 devices are named "twin": Twin \(name twin, id \d+, group tanks\); Twin/);
    assert.equal(err.matches.length, 2);
    const archivedOne = (await c.devices.list({ name: "pumps_device_1" }))[0];
    await c.devices.archive(archivedOne.id);
    assert.equal(await c.devices.findByName("pumps_device_1"), undefined);
    assert.equal((await c.devices.findByName("pumps_device_1", { includeArchived: true }))?.id, archivedOne.id);
  });

  it("retrieve, create, patch (move), update, archive and unarchive a device", async function () {
    const c = client();
    const [d1] = emu.current.deviceIds;
    const one = await c.devices.retrieve(d1);
    assert.equal(one.id, d1);
    const moved = await c.devices.patch(d1, { group_id: g().deep, notes: "moved by a test" });
    assert.equal(moved.group.id, g().deep);
    assert.equal((await c.devices.listInGroup(g().pumps, { includeSubgroups: true })).length, 10);
    const made = await c.devices.create({
      display_name: "Bore 9",
      type_id: one.type.id,
      group_id: g().tanks,
      fixed_location: { latitude: -27.56, longitude: 151.95 },
    });
    assert.equal(made.name, "bore_9");
    const replaced = await c.devices.update(made.id, {
      display_name: "Bore Nine",
      type_id: one.type.id,
      group_id: g().tanks,
    });
    assert.equal(replaced.display_name, "Bore Nine");
    assert.equal((await c.devices.archive(made.id)).archived, true);
    assert.equal((await c.devices.archive(made.id)).archived, true, "archive is safe to repeat");
    assert.equal((await c.devices.unarchive(made.id)).archived, false);
    await assert.rejects(c.devices.retrieve("123456789012345678"), (e) => NotFound.isInstance(e));
  });

  it("groups: list, retrieve with children, create nested, move, tree paths, descendants, find by name or path", async function () {
    const e = emu.current;
    const c = client();
    const all = await c.groups.list();
    assert.equal(all.length, 5);
    assert.deepEqual(
      (await c.groups.list({ rootGroup: true })).map((x) => x.id),
      [e.rootGroupId],
    );
    assert.equal((await c.groups.list({ nameIcontains: "NOR" })).length, 1);
    const pumps = await c.groups.retrieve(g().pumps);
    assert.deepEqual(pumps.children, [{ id: g().north, name: "north" }]);
    const east = await c.groups.create({ name: "east", parent_id: g().pumps });
    assert.equal(east.parent?.id, g().pumps);
    const site = await c.groups.create({ name: "north", parent_id: east.id }); // a second "north"
    const tree = await c.groups.tree();
    const paths = tree.map((x) => x.path).sort();
    assert.deepEqual(paths, [
      "Emulated Organisation",
      "Emulated Organisation/pumps",
      "Emulated Organisation/pumps/east",
      "Emulated Organisation/pumps/east/north",
      "Emulated Organisation/pumps/north",
      "Emulated Organisation/pumps/north/deep",
      "Emulated Organisation/tanks",
    ]);
    assert.deepEqual(
      (await c.groups.descendants(g().pumps)).sort(),
      [g().pumps, g().north, g().deep, east.id, site.id].sort(),
    );
    assert.equal((await c.groups.findByName("north")).length, 2);
    assert.deepEqual(
      (await c.groups.findByName("east/north")).map((x) => x.id),
      [site.id],
    );
    assert.deepEqual(
      (await c.groups.findByName("pumps/north")).map((x) => x.id),
      [g().north],
    );
    assert.deepEqual(await c.groups.findByName("tanks/north"), []);
    const moved = await c.groups.patch(site.id, { parent_id: g().tanks, name: "tank north" });
    assert.equal(moved.parent?.id, g().tanks);
    assert.equal((await c.groups.update(site.id, { name: "tn", parent_id: g().tanks })).name, "tn");
    assert.equal((await c.groups.archive(east.id)).archived, true);
    assert.deepEqual(
      (await c.groups.list({ archived: true })).map((x) => x.id),
      [east.id],
    );
    assert.equal((await c.groups.findByName("east")).length, 1, "archived groups found unless filtered");
    assert.equal((await c.groups.findByName("east", { archived: false })).length, 0);
    assert.equal((await c.groups.unarchive(east.id)).archived, false);
    await c.groups.delete(east.id);
    await assert.rejects(c.groups.delete(east.id), (e) => NotFound.isInstance(e));
    await assert.rejects(c.groups.descendants("123456789012345678"), /does not exist or is not visible/);
    await assert.rejects(c.groups.delete(g().pumps), (e) => BadRequest.isInstance(e)); // not empty
  });
});
