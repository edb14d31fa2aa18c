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

  // An empty group can go; a group with devices cannot.
  await expect(400, call("DELETE", `/groups/${b.id}/`));
  await expect(200, call("PATCH", `/devices/${made.id}/`, { group_id: e.rootGroupId }));
  await expect(204, call("DELETE", `/groups/${b.id}/`));
}
