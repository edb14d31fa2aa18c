// The emulator's fleet over real HTTP: seeded devices and nested groups, the device list's group filters,
// the /groups/ and /devices/ write endpoints, and per-device deployment outcomes (in code, over HTTP, CLI).

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { gunzipSync } from "node:zlib";
import { readZip } from "../sdk";
import { applicationBody, type Emulator, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every page of a list (per_page 100). */
async function listAll(e: Emulator, p: string): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const r = await emulatorFetch(e, "GET", `${p}${p.includes("?") ? "&" : "?"}per_page=100&page=${page}`);
    assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
    out.push(...r.body.results);
    if (!r.body.next) return out;
  }
}

const ids = (items: { id: string }[]) => items.map((x) => x.id).sort();

/** An application and an install of it on each device (config {}), for deployments. */
async function installOn(e: Emulator, deviceIds: string[], appName = "fleet_app") {
  const app = await emulatorFetch(e, "POST", "/applications/", applicationBody(e, appName, { allow_many: true }));
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const installs: Record<string, string> = {};
  for (const d of deviceIds) {
    const r = await emulatorFetch(e, "POST", "/app_installs/", {
      application_id: app.body.id,
      device_id: d,
      display_name: "Fleet app",
      deployment_config: { level: 1 },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    installs[d] = r.body.id;
  }
  return { appId: app.body.id as string, installs };
}

async function deploy(e: Emulator, installId: string) {
  const r = await emulatorFetch(e, "POST", `/app_installs/${installId}/deployments/`, {});
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function deployment(e: Emulator, installId: string, id: string) {
  return (await emulatorFetch(e, "GET", `/app_installs/${installId}/deployments/${id}/`)).body;
}

describe("emulator fleet", function () {
  this.timeout(20000);

  describe("seeding", function () {
    it("seeds 3 devices in the root group by default, and N with devices: N", async function () {
      const three = await startTestEmulator();
      const many = await startTestEmulator({ devices: 250 });
      try {
        assert.equal(three.deviceIds.length, 3);
        assert.equal(many.deviceIds.length, 250);
        assert.equal(new Set(many.deviceIds).size, 250);
        const listed = await listAll(many, "/devices/");
        assert.deepEqual(ids(listed), [...many.deviceIds].sort());
        assert.ok(listed.every((d) => d.group.id === many.rootGroupId && /^\d{18,}$/.test(d.id)));
        assert.equal(listed[249].name, "emulated_device_250");
        const empty = await startTestEmulator({ devices: 0 });
        assert.deepEqual(empty.deviceIds, []);
        await empty.close();
      } finally {
        await three.close();
        await many.close();
      }
    });

    it("seeds nested groups with their own devices, or moves seeded devices into them", async function () {
      const e = await startTestEmulator({
        devices: 4,
        groups: [
          { name: "Pumps", devices: 2 },
          { name: "North", parent: "Pumps", devices: 3 },
          { name: "Spare", devices: ["emulated_device_4"] },
        ],
      });
      try {
        assert.equal(e.deviceIds.length, 9);
        assert.deepEqual(Object.keys(e.groupIds), ["Pumps", "North", "Spare"]);
        const pumps = (await emulatorFetch(e, "GET", `/groups/${e.groupIds.Pumps}/`)).body;
        assert.deepEqual(pumps.parent, { id: e.rootGroupId, name: "Emulated Organisation" });
        assert.deepEqual(pumps.children, [{ id: e.groupIds.North, name: "North" }]);
        const north = await listAll(e, `/devices/?group=${e.groupIds.North}`);
        assert.deepEqual(
          north.map((d) => d.name),
          ["pumps_north_device_1", "pumps_north_device_2", "pumps_north_device_3"],
        );
        assert.equal(north[0].display_name, "North 1");
        const spare = await listAll(e, `/devices/?group=${e.groupIds.Spare}`);
        assert.deepEqual(
          spare.map((d) => d.name),
          ["emulated_device_4"],
        );
        assert.equal((await listAll(e, `/devices/?group=${e.rootGroupId}`)).length, 3);
        const root = (await emulatorFetch(e, "GET", "/groups/?root_group=true")).body.results;
        assert.deepEqual(ids(root), [e.rootGroupId]);
      } finally {
        await e.close();
      }
    });

    it("rejects a seed that names an unknown parent or device", async function () {
      await assert.rejects(startTestEmulator({ groups: [{ name: "a", parent: "nope" }] }), /parent "nope"/);
      await assert.rejects(startTestEmulator({ groups: [{ name: "a", devices: ["ghost"] }] }), /device "ghost"/);
      await assert.rejects(startTestEmulator({ groups: [{ name: "a" }, { name: "a" }] }), /declared twice/);
    });
  });

  describe("device list filters", function () {
    const emu = useEmulator({
      devices: 2,
      groups: [
        { name: "pumps", devices: 2 },
        { name: "north", parent: "pumps", devices: 2 },
        { name: "deep", parent: "north", devices: 1 },
        { name: "tanks", devices: 1 },
      ],
    });
    const g = () => emu.current.groupIds;
    const listIds = async (q: string) => ids(await listAll(emu.current, `/devices/?${q}`));
    const inGroup = async (id: string) => listIds(`group=${id}`);

    it("group is one group; group_tree=<id> is the group and every group below it", async function () {
      const [pumps, north, deep] = [await inGroup(g().pumps), await inGroup(g().north), await inGroup(g().deep)];
      assert.equal(pumps.length, 2);
      assert.deepEqual(await listIds(`group_tree=${g().pumps}`), [...pumps, ...north, ...deep].sort());
      assert.deepEqual(await listIds(`group_tree=${g().north}`), [...north, ...deep].sort());
      assert.equal((await listIds(`group_tree=${emu.current.rootGroupId}`)).length, 8);
    });

    it("group=<id>&group_tree=true widens group to its subtree; false keeps it exact", async function () {
      assert.deepEqual(await listIds(`group=${g().north}&group_tree=true`), await listIds(`group_tree=${g().north}`));
      assert.deepEqual(await listIds(`group=${g().north}&group_tree=false`), await inGroup(g().north));
    });

    it("an id that is no group is a 400 naming the filter (django-filter's ModelChoiceFilter)", async function () {
      for (const q of ["group=123456789012345678", "group_tree=123456789012345678", "group=pumps"]) {
        const r = await emulatorFetch(emu.current, "GET", `/devices/?${q}`);
        assert.equal(r.status, 400, q);
        assert.ok(r.body.error[q.split("=")[0]], JSON.stringify(r.body));
      }
    });

    it("combines with archived, name, search, application and paging", async function () {
      const e = emu.current;
      const north = await inGroup(g().north);
      assert.equal((await emulatorFetch(e, "POST", `/devices/${north[0]}/archive/`)).status, 200);
      assert.deepEqual(
        await listIds(`group_tree=${g().north}&archived=false`),
        [...(await inGroup(g().deep)), north[1]].sort(),
      );
      assert.deepEqual(await listIds("name=pumps_north_device_2"), [north[1]]);
      assert.deepEqual(await listIds(`group_tree=${g().pumps}&search=deep`), await inGroup(g().deep));
      const { appId } = await installOn(e, [north[1]]);
      assert.deepEqual(await listIds(`application=${appId}`), [north[1]]);
      const page = await emulatorFetch(e, "GET", `/devices/?group_tree=${g().pumps}&per_page=2&page=2`);
      assert.equal(page.body.count, 5);
      assert.equal(page.body.results.length, 2);
      assert.match(page.body.next, /group_tree=\d+/);
    });
  });

  describe("groups and devices over the API", function () {
    const emu = useEmulator({ devices: 3 });
    const call = (method: string, p: string, body?: unknown) => emulatorFetch(emu.current, method, p, body);

    it("creates nested groups, moves a device with PATCH group_id, and lists it under its new group", async function () {
      const e = emu.current;
      const a = await call("POST", "/groups/", { name: "Region A", parent_id: e.rootGroupId });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      assert.equal(a.body.organisation.id, e.organisationId);
      const b = await call("POST", "/groups/", { name: "Site 1", parent_id: a.body.id });
      assert.equal(b.status, 201);
      assert.deepEqual(b.body.parent, { id: a.body.id, name: "Region A" });
      const moved = await call("PATCH", `/devices/${e.deviceIds[0]}/`, { group_id: b.body.id });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.deepEqual({ id: moved.body.group.id, name: moved.body.group.name }, { id: b.body.id, name: "Site 1" });
      assert.deepEqual(ids(await listAll(e, `/devices/?group_tree=${a.body.id}`)), [e.deviceIds[0]]);
      assert.deepEqual((await call("GET", `/groups/${a.body.id}/`)).body.children, [{ id: b.body.id, name: "Site 1" }]);
      // Moving the group moves its devices with it.
      const c = await call("POST", "/groups/", { name: "Region C", parent_id: e.rootGroupId });
      assert.equal((await call("PATCH", `/groups/${b.body.id}/`, { parent_id: c.body.id })).status, 200);
      assert.deepEqual(ids(await listAll(e, `/devices/?group_tree=${c.body.id}`)), [e.deviceIds[0]]);
      assert.deepEqual(await listAll(e, `/devices/?group_tree=${a.body.id}`), []);
    });

    it("refuses a cycle, a parent for the root, an unknown parent, and deleting a non-empty or root group", async function () {
      const e = emu.current;
      const a = (await call("POST", "/groups/", { name: "A", parent_id: e.rootGroupId })).body;
      const b = (await call("POST", "/groups/", { name: "B", parent_id: a.id })).body;
      const cases: [string, string, unknown, RegExp][] = [
        ["PATCH", `/groups/${a.id}/`, { parent_id: b.id }, /under itself or one of its subgroups/],
        ["PATCH", `/groups/${a.id}/`, { parent_id: a.id }, /under itself/],
        ["PATCH", `/groups/${e.rootGroupId}/`, { parent_id: a.id }, /root group cannot have a parent/],
        ["POST", "/groups/", { name: "X", parent_id: "999999999999999999" }, /Invalid pk/],
        ["POST", "/groups/", { name: "X" }, /parent_id: This field is required/],
        ["DELETE", `/groups/${a.id}/`, undefined, /1 subgroup/],
        ["DELETE", `/groups/${e.rootGroupId}/`, undefined, /root group cannot be deleted/],
        ["POST", `/groups/${e.rootGroupId}/archive/`, undefined, /root group cannot be archived/],
      ];
      for (const [method, p, body, re] of cases) {
        const r = await call(method, p, body);
        assert.equal(r.status, 400, `${method} ${p}`);
        assert.match(r.body.detail, re);
      }
      assert.equal((await call("DELETE", `/groups/${b.id}/`)).status, 204);
      assert.equal((await call("GET", `/groups/${b.id}/`)).status, 404);
      const archived = await call("POST", `/groups/${a.id}/archive/`);
      assert.equal(archived.body.archived, true);
      assert.deepEqual(ids((await call("GET", "/groups/?archived=true")).body.results), [a.id]);
      assert.equal((await call("POST", `/groups/${a.id}/unarchive/`)).body.archived, false);
      const renamed = await call("PUT", `/groups/${e.rootGroupId}/`, { name: "Renamed Org Root" });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      const orgs = (await call("GET", "/organisations/")).body.results;
      assert.equal(orgs[0].root_group.name, "Renamed Org Root");
    });

    it("creates, replaces, patches, archives and unarchives devices", async function () {
      const e = emu.current;
      const type = (await call("GET", `/devices/${e.deviceIds[0]}/`)).body.type.id;
      const made = await call("POST", "/devices/", {
        display_name: "Pump House 7",
        type_id: type,
        group_id: e.rootGroupId,
        notes: "by the dam",
        fixed_location: { latitude: -27.5, longitude: 151.9 },
        extra_config: { serial: "X1" },
        solution_config: { ignored: true },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.name, "pump_house_7");
      assert.deepEqual(made.body.fixed_location, { latitude: -27.5, longitude: 151.9 });
      assert.equal("solution_config" in made.body, false, "write-only");
      const id = made.body.id;
      const patched = await call("PATCH", `/devices/${id}/`, { display_name: "Pump House Seven", notes: null });
      assert.equal(patched.body.display_name, "Pump House Seven");
      assert.equal(patched.body.notes, null);
      assert.deepEqual(patched.body.extra_config, { serial: "X1" });
      const put = await call("PUT", `/devices/${id}/`, { display_name: "P7", type_id: type });
      assert.equal(put.status, 400);
      assert.match(put.body.detail, /group_id: This field is required/);
      assert.equal((await call("POST", `/devices/${id}/archive/`)).body.archived, true);
      assert.deepEqual(ids((await call("GET", "/devices/?archived=true")).body.results), [id]);
      assert.equal((await call("POST", `/devices/${id}/unarchive/`)).body.archived, false);
      for (const [body, field] of [
        [{ group_id: "999999999999999999" }, "group_id"],
        [{ type_id: "999999999999999999" }, "type_id"],
        [{ fixed_location: { latitude: "north" } }, "fixed_location"],
        [{ history_since: "yesterday" }, "history_since"],
        [{ display_name: "" }, "display_name"],
      ] as const) {
        const r = await call("PATCH", `/devices/${id}/`, body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.ok(r.body.error[field], JSON.stringify(r.body));
      }
      assert.equal((await call("GET", "/devices/123456789012345678/")).status, 404);
      assert.equal((await call("POST", "/devices/123456789012345678/archive/")).status, 404);
      assert.equal((await call("PATCH", `/devices/${id}/archive/`)).status, 405);
    });
  });

  describe("device types, installers, group roles and members", function () {
    const emu = useEmulator({ devices: 2 });
    const call = (method: string, p: string, body?: unknown) => emulatorFetch(emu.current, method, p, body);
    const get = async (p: string) => {
      const r = await fetch(`${emu.current.url}${p}`, { headers: { Authorization: `Bearer ${emu.current.token}` } });
      return { status: r.status, type: r.headers.get("content-type") ?? "", data: Buffer.from(await r.arrayBuffer()) };
    };

    it("device types: create, filter, replace, patch, archive; devices show their type with its active count", async function () {
      const e = emu.current;
      const seeded = (await call("GET", `/devices/${e.deviceIds[0]}/`)).body.type;
      assert.equal(seeded.name, "Doovit");
      assert.equal(seeded.active_count, 2);
      assert.equal(seeded.install_type, "BOTH");
      const t = await call("POST", "/devices/types/", { name: "Pump Controller", stars: 4, install_type: "NONE" });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      assert.equal(t.body.organisation.id, e.organisationId);
      assert.deepEqual(t.body.config_schema, {});
      assert.equal(t.body.solution, null);
      const listed = (await call("GET", "/devices/types/?stars__gt=3")).body.results;
      assert.deepEqual(ids(listed), [t.body.id]);
      assert.equal((await call("PATCH", `/devices/types/${t.body.id}/`, { stars: 1 })).body.stars, 1);
      const put = await call("PUT", `/devices/types/${t.body.id}/`, { description: "no name" });
      assert.equal(put.status, 400);
      assert.match(put.body.detail, /name: This field is required/);
      assert.equal((await call("POST", `/devices/types/${t.body.id}/archive/`)).body.archived, true);
      assert.deepEqual(ids((await call("GET", "/devices/types/?archived=true")).body.results), [t.body.id]);
      // A device moved to the new type counts there.
      await call("PATCH", `/devices/${e.deviceIds[0]}/`, { type_id: t.body.id });
      assert.equal((await call("GET", `/devices/types/${t.body.id}/`)).body.active_count, 1);
      assert.equal((await call("DELETE", `/devices/types/${t.body.id}/`)).status, 405, "the spec has no DELETE");
      // Multipart, as doover-cli sends it: fields read like DRF forms, `installer` a file.
      const form = new FormData();
      form.append("stars", "2");
      form.append("installer", new Blob(["#!/bin/sh\n"]), "setup.sh");
      const r = await fetch(`${e.url}/devices/types/${t.body.id}/`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${e.token}` },
        body: form,
      });
      const patched = (await r.json()) as { stars: number; installer: string };
      assert.equal(patched.stars, 2);
      assert.equal(patched.installer, `${e.url}/media/device_types/${t.body.id}/setup.sh`);
      const cleared = await call("PATCH", `/devices/types/${t.body.id}/`, { installer: null });
      assert.equal(cleared.body.installer, null);
      assert.match((await call("PATCH", `/devices/types/${t.body.id}/`, { installer: "x" })).body.detail, /not a file/);
    });

    it("organisation access: one entry per organisation, whitelist or blacklist", async function () {
      const e = emu.current;
      const t = (await call("POST", "/devices/types/", { name: "Gateway" })).body;
      const base = `/devices/types/${t.id}/organisation_access/`;
      const grant = { device_type_id: t.id, organisation_id: e.organisationId, access: "BLK" };
      const a = await call("POST", base, grant);
      assert.equal(a.status, 201);
      assert.deepEqual(a.body.organisation.id, e.organisationId);
      assert.match((await call("POST", base, grant)).body.detail, /unique set/);
      assert.match((await call("POST", base, { ...grant, device_type_id: "1" })).body.detail, /device type of the URL/);
      assert.match((await call("POST", base, { ...grant, access: "MAYBE" })).body.detail, /access/);
      assert.equal((await call("PATCH", `${base}${a.body.id}/`, { access: "WHL" })).body.access, "WHL");
      assert.equal((await call("GET", `${base}?access=BLK`)).body.count, 0);
      assert.equal((await call("DELETE", `${base}${a.body.id}/`)).status, 204);
      assert.equal((await call("GET", `/devices/types/123456789012345678/organisation_access/`)).status, 404);
    });

    it("installer: info, the script as text, and the same script downloaded, in a tarball and in a zip", async function () {
      const e = emu.current;
      const [d1] = e.deviceIds;
      const info = (await call("GET", `/devices/${d1}/installer/info/`)).body;
      assert.equal(info.install_type, "BOTH");
      assert.equal(info.copy, `curl -fsSL ${e.url}/devices/${d1}/installer/ | sh`);
      assert.equal(info.install_package_url, `${e.url}/devices/${d1}/installer/download/`);
      const script = await get(`/devices/${d1}/installer/`);
      assert.match(script.type, /^text\/plain/);
      assert.match(
        script.data.toString(),
        new RegExp(`^#!/bin/sh\n# Doover installer for device Emulated Device 1 \\(emulated_device_1, id ${d1}\\)`),
      );
      const download = await get(`/devices/${d1}/installer/download/`);
      assert.equal(download.type, "application/octet-stream");
      assert.deepEqual(download.data, script.data);
      const tarball = await get(`/devices/${d1}/installer/tarball/`);
      assert.equal(tarball.type, "application/gzip");
      const tarData = gunzipSync(tarball.data);
      assert.equal(tarData.subarray(0, 27).toString(), "doover-installer/install.sh");
      const size = parseInt(tarData.subarray(124, 135).toString(), 8);
      assert.deepEqual(tarData.subarray(512, 512 + size), script.data);
      const zip = await get(`/devices/${d1}/installer/zip/`);
      assert.equal(zip.type, "application/zip");
      assert.deepEqual(readZip(zip.data).get("install.sh"), script.data);
      // A type with no installer: 404 for every form but the info.
      const none = (await call("POST", "/devices/types/", { name: "Sensor", install_type: "NONE" })).body;
      await call("PATCH", `/devices/${d1}/`, { type_id: none.id });
      assert.equal((await call("GET", `/devices/${d1}/installer/info/`)).body.copy, null);
      for (const form of ["", "download/", "tarball/", "zip/"])
        assert.equal((await get(`/devices/${d1}/installer/${form}`)).status, 404, form);
      const copyOnly = (
        await call("POST", "/devices/types/", {
          name: "Tiny",
          install_type: "COPY_COMMAND",
          copy_command: "sh <(curl {installer_url}) {device_id}",
        })
      ).body;
      await call("PATCH", `/devices/${d1}/`, { type_id: copyOnly.id });
      assert.equal(
        (await call("GET", `/devices/${d1}/installer/info/`)).body.copy,
        `sh <(curl ${e.url}/devices/${d1}/installer/) ${d1}`,
      );
      assert.equal((await get(`/devices/${d1}/installer/`)).status, 200);
      assert.equal((await get(`/devices/${d1}/installer/zip/`)).status, 404);
    });

    it("group roles and members: a role held by a member cannot be deleted; deleting a group drops its members", async function () {
      const e = emu.current;
      const role = (await call("POST", "/groups/roles/", { name: "Operator", device_view: true, device_control: true }))
        .body;
      assert.equal(role.device_view, true);
      assert.equal(role.billing_manager, false);
      assert.equal(role.organisation.id, e.organisationId);
      const g = (await call("POST", "/groups/", { name: "Crew", parent_id: e.rootGroupId })).body;
      const members = `/groups/${g.id}/users/`;
      const m = await call("POST", members, { user_id: "5001", role_id: role.id });
      assert.equal(m.status, 201, JSON.stringify(m.body));
      assert.deepEqual(m.body.group, { id: g.id, name: "Crew" });
      assert.equal(m.body.user.username, "user_5001");
      assert.match((await call("POST", members, { user_id: "5001", role_id: role.id })).body.detail, /unique set/);
      assert.match((await call("POST", members, { user_id: "5002", role_id: "1" })).body.detail, /role_id: Invalid pk/);
      assert.equal((await call("GET", members)).body.count, 1);
      assert.equal((await call("DELETE", `/groups/roles/${role.id}/`)).status, 400);
      assert.equal((await call("DELETE", `/groups/${g.id}/`)).status, 204);
      assert.equal((await call("DELETE", `/groups/roles/${role.id}/`)).status, 204);
      assert.equal((await call("GET", "/groups/roles/")).body.count, 0);
    });

    it("solution installs: none exist (an empty list; deploy and sync answer 404)", async function () {
      const [d1] = emu.current.deviceIds;
      const list = await call("GET", `/devices/${d1}/solution_installs/?status=RUN`);
      assert.deepEqual([list.status, list.body.count], [200, 0]);
      assert.equal((await call("GET", `/devices/${d1}/solution_installs/?status=BAD`)).status, 400);
      assert.equal((await call("GET", "/devices/123456789012345678/solution_installs/")).status, 404);
      assert.equal((await call("POST", `/devices/${d1}/solution_installs/1/deploy/`, {})).status, 404);
      assert.equal((await call("POST", `/devices/${d1}/solution_installs/1/sync/`, {})).status, 404);
    });
  });

  describe("per-device deployment outcomes", function () {
    const emu = useEmulator({ devices: 6, deploymentStepMs: 10 });

    async function settle(e: Emulator, installs: Record<string, string>, started: Record<string, string>) {
      await sleep(60);
      const out: Record<string, any> = {};
      for (const [device, dep] of Object.entries(started)) out[device] = await deployment(e, installs[device], dep);
      return out;
    }

    it("fails, cancels or never finishes the named devices' deployments; the rest succeed", async function () {
      const e = emu.current;
      const [d1, d2, d3, d4] = e.deviceIds;
      const { installs } = await installOn(e, [d1, d2, d3, d4]);
      const resolved = e.setDeploymentOutcomes({
        fail: [d1],
        cancel: ["emulated_device_2"],
        never: [d3],
        log: "pump controller rejected the config",
      });
      assert.deepEqual(resolved.cancel, [d2], "names resolve to ids");
      const started: Record<string, string> = {};
      for (const d of [d1, d2, d3, d4]) started[d] = (await deploy(e, installs[d])).id;
      const s = await settle(e, installs, started);
      assert.equal(s[d1].status, "FAI");
      assert.match(s[d1].log_output, /pump controller rejected the config\nDeployment failed\n$/);
      assert.equal(s[d2].status, "CAN");
      assert.equal(s[d3].status, "RUN");
      assert.equal(s[d4].status, "SUC");
      // The same outcomes hold for the next deployment, until cleared.
      const again = await deploy(e, installs[d1]);
      await sleep(40);
      assert.equal((await deployment(e, installs[d1], again.id)).status, "FAI");
      e.clearDeploymentOutcomes();
      assert.equal(e.deploymentOutcomes(), undefined);
      const fixed = await deploy(e, installs[d1]);
      await sleep(40);
      assert.equal((await deployment(e, installs[d1], fixed.id)).status, "SUC");
      assert.equal((await deployment(e, installs[d3], started[d3])).status, "RUN", "never finishes");
    });

    it("finishes a device's deployment after its own time (afterMs) and shows RUN until then", async function () {
      const e = emu.current;
      const [d1, d2] = e.deviceIds;
      const { installs } = await installOn(e, [d1, d2]);
      e.setDeploymentOutcomes({ afterMs: { [d1]: 400 }, fail: [d2] });
      const slow = await deploy(e, installs[d1]);
      const failing = await deploy(e, installs[d2]);
      await sleep(60);
      assert.equal((await deployment(e, installs[d2], failing.id)).status, "FAI");
      assert.notEqual((await deployment(e, installs[d1], slow.id)).status, "SUC");
      await sleep(400);
      assert.equal((await deployment(e, installs[d1], slow.id)).status, "SUC");
    });

    it("fails exactly round(p% × n) devices, the same ones for the same seed", async function () {
      const big = await startTestEmulator({ devices: 40, deploymentStepMs: 0 });
      try {
        const a = big.setDeploymentOutcomes({ failPercent: 10, seed: 7 });
        assert.equal(a.percentFailing.length, 4);
        assert.deepEqual(big.setDeploymentOutcomes({ failPercent: 10, seed: 7 }).percentFailing, a.percentFailing);
        const other = big.setDeploymentOutcomes({ failPercent: 10, seed: 8 }).percentFailing;
        assert.notDeepEqual([...other].sort(), [...a.percentFailing].sort());
        const among = big.deviceIds.slice(0, 20);
        const scoped = big.setDeploymentOutcomes({ failPercent: 25, among, seed: 7 });
        assert.equal(scoped.percentFailing.length, 5);
        assert.ok(scoped.percentFailing.every((id) => among.includes(id)));
        // Deployments follow the pick.
        const { installs } = await installOn(big, among);
        const statuses: Record<string, string> = {};
        for (const d of among) statuses[d] = (await deploy(big, installs[d])).status;
        await sleep(5);
        for (const d of among)
          statuses[d] = (
            await emulatorFetch(big, "GET", `/app_installs/${installs[d]}/`)
          ).body.latest_deployment.status;
        assert.deepEqual(among.filter((d) => statuses[d] === "FAI").sort(), [...scoped.percentFailing].sort());
        assert.equal(among.filter((d) => statuses[d] === "SUC").length, 15);
      } finally {
        await big.close();
      }
    });

    it("whenConfig: only a deployment of the bad config fails; the fixed config succeeds on the same device", async function () {
      const e = emu.current;
      const [d1] = e.deviceIds;
      const { installs } = await installOn(e, [d1]);
      e.setDeploymentOutcomes({ fail: [d1], whenConfig: { level: 2 } });
      const ok1 = await deploy(e, installs[d1]); // level 1
      await emulatorFetch(e, "PATCH", `/app_installs/${installs[d1]}/`, { deployment_config: { level: 2 } });
      const bad = await deploy(e, installs[d1]);
      await emulatorFetch(e, "PATCH", `/app_installs/${installs[d1]}/`, { deployment_config: { level: 3 } });
      const ok3 = await deploy(e, installs[d1]);
      await sleep(60);
      assert.equal((await deployment(e, installs[d1], ok1.id)).status, "SUC");
      assert.equal((await deployment(e, installs[d1], bad.id)).status, "FAI");
      assert.equal((await deployment(e, installs[d1], ok3.id)).status, "SUC");
    });

    it("is switchable over HTTP (POST/GET/DELETE /_emulator/deployment-outcomes/); an armed deployment fault goes first", async function () {
      const e = emu.current;
      const [d1] = e.deviceIds;
      const { installs } = await installOn(e, [d1]);
      const post = (body: unknown) =>
        fetch(`${e.url}/_emulator/deployment-outcomes/`, { method: "POST", body: JSON.stringify(body) });
      const bad = await post({ fail: ["no_such_device"] });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { detail: string }).detail, /"no_such_device", which is no device/);
      assert.equal((await post({ failPercent: 120 })).status, 400);
      const set = await post({ never: [d1] });
      assert.equal(set.status, 200);
      assert.deepEqual(((await set.json()) as { never: string[] }).never, [d1]);
      assert.deepEqual(
        ((await (await fetch(`${e.url}/_emulator/deployment-outcomes/`)).json()) as { never: string[] }).never,
        [d1],
      );
      e.addFault({ path: "/app_installs/", deployment: { status: "FAI", log: "fault first" } });
      const faulted = await deploy(e, installs[d1]);
      const never = await deploy(e, installs[d1]);
      await sleep(60);
      assert.equal((await deployment(e, installs[d1], faulted.id)).status, "FAI");
      assert.equal((await deployment(e, installs[d1], never.id)).status, "RUN");
      assert.equal((await fetch(`${e.url}/_emulator/deployment-outcomes/`, { method: "DELETE" })).status, 204);
      assert.equal(await (await fetch(`${e.url}/_emulator/deployment-outcomes/`)).json(), null);
    });

    it("reset() comes back to the outcomes given at start", async function () {
      const e = await startTestEmulator({ devices: 2, deploymentOutcomes: { fail: ["emulated_device_1"] } });
      try {
        assert.deepEqual(e.deploymentOutcomes()!.fail, [e.deviceIds[0]]);
        e.setDeploymentOutcomes({ never: [e.deviceIds[1]] });
        e.reset();
        assert.deepEqual(e.deploymentOutcomes()!.fail, [e.deviceIds[0]]);
        assert.deepEqual(e.deploymentOutcomes()!.never, []);
      } finally {
        await e.close();
      }
    });
  });

  describe("the deployment clock for fast tests", function () {
    for (const step of [0, 20, 50]) {
      it(`deploymentStepMs ${step}: QUE, RUN, then SUC, read off one paged install list per 100 installs`, async function () {
        const e = await startTestEmulator({ devices: 150, deploymentStepMs: step });
        try {
          const { appId, installs } = await installOn(e, e.deviceIds, `clock_${step}`);
          e.setDeploymentOutcomes({ fail: [e.deviceIds[7]] });
          const first = await deploy(e, installs[e.deviceIds[0]]);
          if (step >= 20) assert.equal(first.status, "QUE");
          for (const d of e.deviceIds.slice(1)) await deploy(e, installs[d]);
          await sleep(2 * step + 5);
          const pages = [1, 2].map((page) =>
            emulatorFetch(e, "GET", `/app_installs/?application=${appId}&per_page=100&page=${page}`),
          );
          const [p1, p2] = await Promise.all(pages);
          assert.equal(p1.body.count, 150);
          assert.equal(p2.body.next, null);
          const all = [...p1.body.results, ...p2.body.results];
          const byDevice = new Map(all.map((i: any) => [i.device.id, i]));
          assert.equal(byDevice.size, 150);
          for (const d of e.deviceIds) {
            const latest = byDevice.get(d).latest_deployment;
            assert.equal(latest.status, d === e.deviceIds[7] ? "FAI" : "SUC");
            assert.deepEqual(latest.deployment_config, { level: 1 });
            assert.equal(byDevice.get(d).synced, d === e.deviceIds[7] ? "NO" : "OK");
          }
          const failed = await emulatorFetch(e, "GET", `/app_installs/?application=${appId}&status=FAI`);
          assert.deepEqual(
            failed.body.results.map((i: any) => i.device.id),
            [e.deviceIds[7]],
          );
        } finally {
          await e.close();
        }
      });
    }

    it("a step of 200 ms shows QUE, then RUN, then SUC", async function () {
      const e = await startTestEmulator({ devices: 1, deploymentStepMs: 200 });
      try {
        const { installs } = await installOn(e, e.deviceIds);
        const install = installs[e.deviceIds[0]];
        const d = await deploy(e, install);
        assert.equal(d.status, "QUE");
        await sleep(250);
        assert.equal((await deployment(e, install, d.id)).status, "RUN");
        await sleep(200);
        assert.equal((await deployment(e, install, d.id)).status, "SUC");
      } finally {
        await e.close();
      }
    });
  });

  describe("state files", function () {
    it("a state file written before groups existed loads: its devices sit in the root group", async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-fleet-"));
      try {
        const file = path.join(dir, "state.json");
        const org = "205837122022733000";
        const root = { id: "205837122022733001", name: "Old Org" };
        const oldDevice = {
          id: "205837122022733003",
          name: "old_device",
          display_name: "Old Device",
          archived: false,
          organisation_id: org,
          group: root,
          type: { id: "205837122022733002", name: "Doovit" },
        };
        const data = {
          organisations: [
            { id: org, name: "Old Org", archived: false, application_id: "205837122022733004", root_group: root },
          ],
          devices: [oldDevice],
          registries: [],
          applications: [],
          tunnels: [],
        };
        fs.writeFileSync(
          file,
          JSON.stringify({ version: 1, token: "old", lastId: "205837122022733004", seed: data, data }),
        );
        const e = await startTestEmulator({ statePath: file, token: "old" });
        try {
          assert.equal(e.rootGroupId, root.id);
          const d = (await emulatorFetch(e, "GET", `/devices/${oldDevice.id}/`)).body;
          assert.deepEqual({ id: d.group.id, name: d.group.name }, root);
          assert.equal(d.type.name, "Doovit");
          assert.deepEqual(ids(await listAll(e, `/devices/?group_tree=${root.id}`)), [oldDevice.id]);
        } finally {
          await e.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("CLI", function () {
    const cli = path.resolve(__dirname, "../emulator/cli.js");
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill("SIGKILL");
      child = undefined;
    });

    async function startCli(args: string[]): Promise<any> {
      child = spawn(process.execPath, [cli, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr!.on("data", (c) => (err += c));
      const lines = createInterface({ input: child.stdout! });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once("line", resolve);
        child!.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
      });
      return JSON.parse(first);
    }

    it("--devices N, --group PATH=COUNT and the --deploy-… flags", async function () {
      const info = await startCli([
        "--devices",
        "5",
        "--group",
        "pumps/north=3",
        "--group",
        "pumps=2",
        "--deploy-step-ms",
        "0",
        "--deploy-fail-devices",
        "emulated_device_1,pumps_north_device_2",
        "--deploy-never-devices",
        "emulated_device_2",
        "--deploy-fail-percent",
        "0",
        "--deploy-log",
        "flag says no",
      ]);
      assert.equal(info.deviceIds.length, 10);
      assert.deepEqual(Object.keys(info.groupIds).sort(), ["north", "pumps"]);
      assert.match(info.rootGroupId, /^\d+$/);
      const e = info as Emulator;
      const north = await listAll(e, `/devices/?group=${info.groupIds.north}`);
      assert.equal(north.length, 3);
      assert.equal((await listAll(e, `/devices/?group_tree=${info.groupIds.pumps}`)).length, 5);
      const outcomes = (await (await fetch(`${info.url}/_emulator/deployment-outcomes/`)).json()) as any;
      assert.deepEqual(outcomes.fail, [info.deviceIds[0], north[1].id]);
      assert.deepEqual(outcomes.never, [info.deviceIds[1]]);
      assert.equal(outcomes.log, "flag says no");
    });

    it("fails clearly on a bad fleet flag", async function () {
      for (const [args, re] of [
        [["--devices", "-1"], /bad --devices -1/],
        [["--deploy-fail-devices", "ghost"], /"ghost", which is no device/],
        [["--deploy-fail-percent", "150"], /failPercent must be a number from 0 to 100/],
        [["--groups", "{"], /--groups must be JSON/],
      ] as const) {
        child = spawn(process.execPath, [cli, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        child.stderr!.on("data", (c) => (err += c));
        const code = await new Promise((resolve) => child!.once("exit", resolve));
        child = undefined;
        assert.equal(code, 2, args.join(" "));
        assert.match(err, re);
      }
    });
  });
});
