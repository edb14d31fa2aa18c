// The users / organisation users / invitations / roles / agents routes doover-cli 0.7.1 calls (`doover users …`,
// `doover org users|roles|invite …`, `doover agent list`): before this they answered 404.

import assert from "node:assert/strict";
import { emulatorFetch, useEmulator } from "./support/emulator";

describe("emulator: users, organisation users, invitations, roles, agents", function () {
  this.timeout(20000);
  const emu = useEmulator();
  const call = (method: string, p: string, body?: unknown) =>
    emulatorFetch(emu.current, method, p, body, { "X-Doover-Organisation": emu.current.organisationId });

  it("the token's user is a user of the organisation with the Admin role; sync stores custom_data", async () => {
    const me = await call("GET", "/users/me/");
    assert.equal(me.status, 200);
    assert.equal(me.body, null, "no body, as the spec says and pydoover reads");
    const users = await call("GET", "/users/");
    assert.equal(users.body.count, 1);
    const user = users.body.results[0];
    assert.deepEqual(user.organisation_info.role.name, "Admin");
    const synced = await call("POST", `/users/${user.id}/sync/`, { custom_data: { theme: "dark" } });
    assert.deepEqual(synced.body.custom_data, { theme: "dark" });
    assert.equal(typeof synced.body.last_synced, "number");
    assert.equal((await call("GET", `/users/${user.id}/`)).body.custom_data.theme, "dark");
  });

  it("adding a user by email, changing its role, listing its groups, removing it", async () => {
    const roles = (await call("GET", "/organisations/roles/?name=Member")).body.results;
    assert.deepEqual(
      roles.map((r: { name: string }) => r.name),
      ["Member"],
    );
    const admin = (await call("GET", "/organisations/roles/?name=Admin")).body.results[0];
    const added = await call("POST", "/organisations/users/", { user_email: "pat@example.com", role_id: roles[0].id });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.user.email, "pat@example.com");
    assert.equal(added.body.role.name, "Member");
    const bad = await call("POST", "/organisations/users/", { user_email: "x@example.com", role_id: "1" });
    assert.deepEqual(bad.body.error, { role_id: ['Invalid pk "1" - object does not exist.'] });
    const changed = await call("PATCH", "/organisations/users/pat@example.com/", { role_id: admin.id });
    assert.equal(changed.body.role.name, "Admin");
    const groups = await call("GET", `/organisations/users/${added.body.user.id}/groups/`);
    assert.equal(groups.body.results[0].group.name, "Emulated Organisation");
    assert.equal((await call("GET", "/organisations/users/")).body.count, 2);
    assert.equal((await call("DELETE", `/organisations/users/${added.body.user.id}/`)).status, 204);
    assert.equal((await call("GET", "/organisations/users/")).body.count, 1);
  });

  it("an invitation approved makes a Member; rejected or deleted, it is gone", async () => {
    const invite = (email: string) =>
      call("POST", "/organisations/pending_users/", { email, organisation_id: emu.current.organisationId });
    const a = (await invite("sam@example.com")).body;
    const b = (await invite("lee@example.com")).body;
    assert.equal(a.organisation.id, emu.current.organisationId);
    const approved = await call("POST", `/organisations/pending_users/${a.id}/approve/`, {});
    assert.equal(approved.status, 200);
    const member = await call("GET", "/organisations/users/sam@example.com/");
    assert.equal(member.body.role.name, "Member");
    assert.equal((await call("POST", `/organisations/pending_users/${b.id}/reject/`, {})).status, 200);
    assert.equal((await call("GET", "/organisations/pending_users/")).body.count, 0);
    assert.equal((await call("GET", "/organisations/users/lee@example.com/")).status, 404);
  });

  it("agents: the organisation's devices, its root group and its users", async () => {
    const r = await call("GET", "/agents/");
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.agents.map((a: { id: string }) => a.id),
      emu.current.deviceIds,
    );
    assert.equal(r.body.groups.length, 1);
    assert.equal(r.body.organisation_users.length, 1);
    assert.equal((await call("GET", "/agents/?include-archived=nope")).status, 400);
  });
});
