// Drives every /devices/ and /groups/ route and status of the emulator (for the conformance session).

import assert from "node:assert/strict";
import { type Emulator, emulatorFetch } from "./emulator";

export async function exerciseFleet(e: Emulator): Promise<void> {
  const call = (method: string, p: string, body?: unknown) => emulatorFetch(e, method, p, body);
  const expect = async (status: number, pending: Promise<{ status: number; body: any }>) => {
    const r = await pending;
    assert.equal(r.status, status, `${status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const [d1] = e.deviceIds;
  const missing = "123456789012345678";

  // Groups
  await expect(200, call("GET", "/groups/?per_page=1"));
  await expect(200, call("GET", "/groups/?root_group=true&name__icontains=org&ordering=-name"));
  await expect(400, call("GET", "/groups/?permission=edit"));
  const a = await expect(201, call("POST", "/groups/", { name: "Region A", parent_id: e.rootGroupId }));
  const b = await expect(201, call("POST", "/groups/", { name: "Site 1", parent_id: a.id }));
  await expect(400, call("POST", "/groups/", { name: "" }));
  await expect(200, call("GET", `/groups/${a.id}/`));
  await expect(404, call("GET", `/groups/${missing}/`));
  await expect(200, call("PUT", `/groups/${b.id}/`, { name: "Site One", parent_id: a.id }));
  await expect(200, call("PATCH", `/groups/${b.id}/`, { parent_id: e.rootGroupId }));
  await expect(400, call("PATCH", `/groups/${a.id}/`, { parent_id: a.id }));
  await expect(200, call("POST", `/groups/${a.id}/archive/`));
  await expect(200, call("POST", `/groups/${a.id}/unarchive/`));
  await expect(404, call("POST", `/groups/${missing}/archive/`));

  // Devices
  const one = await expect(200, call("GET", `/devices/${d1}/`));
  await expect(200, call("GET", `/devices/?group_tree=${e.rootGroupId}&archived=false&ordering=-name`));
  await expect(400, call("GET", `/devices/?group=${missing}`));
  const made = await expect(
    201,
    call("POST", "/devices/", {
      display_name: "Pump House",
      type_id: one.type.id,
      group_id: b.id,
      fixed_location: { latitude: -27.5, longitude: 151.9 },
      history_since: "2026-01-01T00:00:00Z",
    }),
  );
  await expect(400, call("POST", "/devices/", { display_name: "No group" }));
  await expect(
    200,
    call("PUT", `/devices/${made.id}/`, { display_name: "Pump", type_id: one.type.id, group_id: a.id }),
  );
  await expect(200, call("PATCH", `/devices/${made.id}/`, { group_id: b.id, notes: "moved" }));
  await expect(400, call("PATCH", `/devices/${made.id}/`, { group_id: missing }));
  await expect(404, call("PATCH", `/devices/${missing}/`, {}));
  await expect(200, call("POST", `/devices/${made.id}/archive/`));
  await expect(200, call("POST", `/devices/${made.id}/unarchive/`));
  await expect(404, call("POST", `/devices/${missing}/unarchive/`));

  // Installer of a device (its type installs BOTH ways)
  const raw = async (p: string, type: RegExp) => {
    const r = await fetch(`${e.url}${p}`, { headers: { Authorization: `Bearer ${e.token}` } });
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get("content-type") ?? "", type);
    await r.arrayBuffer();
  };
  await expect(200, call("GET", `/devices/${d1}/installer/info/`));
  await raw(`/devices/${d1}/installer/`, /^text\/plain/);
  await raw(`/devices/${d1}/installer/download/`, /^application\/octet-stream/);
  await raw(`/devices/${d1}/installer/tarball/`, /^application\/gzip/);
  await raw(`/devices/${d1}/installer/zip/`, /^application\/zip/);
  await expect(404, call("GET", `/devices/${missing}/installer/info/`));

  // Device types and their organisation access
  await expect(200, call("GET", "/devices/types/?stars__gte=0&organisation__isnull=false&ordering=-stars"));
  const t = await expect(201, call("POST", "/devices/types/", { name: "Pump Controller", install_type: "NONE" }));
  await expect(400, call("POST", "/devices/types/", { install_type: "SOMETIMES" }));
  await expect(200, call("GET", `/devices/types/${t.id}/`));
  await expect(200, call("PUT", `/devices/types/${t.id}/`, { name: "Pump Controller 2", stars: 3 }));
  await expect(200, call("PATCH", `/devices/types/${t.id}/`, { description: "Controls pumps" }));
  await expect(200, call("POST", `/devices/types/${t.id}/archive/`));
  await expect(200, call("POST", `/devices/types/${t.id}/unarchive/`));
  await expect(404, call("GET", `/devices/types/${missing}/`));
  const access = `/devices/types/${t.id}/organisation_access`;
  const grant = { device_type_id: t.id, organisation_id: e.organisationId, access: "WHL" };
  const acc = await expect(201, call("POST", `${access}/`, grant));
  await expect(400, call("POST", `${access}/`, grant));
  await expect(200, call("GET", `${access}/?access=WHL`));
  await expect(200, call("GET", `${access}/${acc.id}/`));
  await expect(200, call("PUT", `${access}/${acc.id}/`, { ...grant, access: "BLK" }));
  await expect(200, call("PATCH", `${access}/${acc.id}/`, { access: "WHL" }));
  await expect(204, call("DELETE", `${access}/${acc.id}/`));
  await expect(404, call("DELETE", `${access}/${acc.id}/`));

  // Solution installs: none exist in the emulator
  await expect(200, call("GET", `/devices/${d1}/solution_installs/?status=SUC`));
  await expect(404, call("POST", `/devices/${d1}/solution_installs/${missing}/deploy/`, {}));

  // Group roles and members
  const role = await expect(201, call("POST", "/groups/roles/", { name: "Operator", device_view: true }));
  await expect(400, call("POST", "/groups/roles/", { device_view: true }));
  await expect(200, call("GET", "/groups/roles/?name__icontains=oper"));
  await expect(200, call("GET", `/groups/roles/${role.id}/`));
  await expect(200, call("PUT", `/groups/roles/${role.id}/`, { name: "Operators", device_control: true }));
  await expect(200, call("PATCH", `/groups/roles/${role.id}/`, { description: "Runs the pumps" }));
  await expect(200, call("POST", `/groups/roles/${role.id}/archive/`));
  await expect(200, call("POST", `/groups/roles/${role.id}/unarchive/`));
  const members = `/groups/${b.id}/users`;
  await expect(201, call("POST", `${members}/`, { user_id: "4242", role_id: role.id }));
  await expect(400, call("POST", `${members}/`, { user_id: "4242", role_id: role.id }));
  await expect(200, call("GET", `${members}/`));
  await expect(200, call("GET", `${members}/4242/`));
  await expect(200, call("PUT", `${members}/4242/`, { user_id: "4242", role_id: role.id }));
  await expect(200, call("PATCH", `${members}/4242/`, { role_id: role.id }));
  await expect(400, call("DELETE", `/groups/roles/${role.id}/`));
  await expect(204, call("DELETE", `${members}/4242/`));
  await expect(404, call("GET", `${members}/4242/`));
  await expect(204, call("DELETE", `/groups/roles/${role.id}/`));

  // An empty group can go; a group with devices cannot.
  await expect(400, call("DELETE", `/groups/${b.id}/`));
  await expect(200, call("PATCH", `/devices/${made.id}/`, { group_id: e.rootGroupId }));
  await expect(204, call("DELETE", `/groups/${b.id}/`));
}
