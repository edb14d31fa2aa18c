// Drives every users / organisation users / pending users / roles / agents route and status of the emulator
// (for the conformance session), as doover-cli 0.7.1's `doover user|org|agent` commands call them.

import assert from "node:assert/strict";
import { type Emulator, emulatorFetch } from "./emulator";

export async function exercisePeople(e: Emulator): Promise<void> {
  const call = (method: string, p: string, body?: unknown) =>
    emulatorFetch(e, method, p, body, { "X-Doover-Organisation": e.organisationId });
  const expect = async (status: number, pending: Promise<{ status: number; body: any }>) => {
    const r = await pending;
    assert.equal(r.status, status, `${status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await expect(200, call("GET", "/users/me/"));
  const me = (await expect(200, call("GET", "/users/?search=emulated&ordering=-username&per_page=1"))).results[0];
  await expect(400, call("GET", "/users/?colour=blue"));
  await expect(200, call("GET", `/users/${me.id}/`));
  await expect(404, call("GET", "/users/1/"));
  await expect(200, call("PATCH", `/users/${me.id}/`, { custom_data: { theme: "dark" } }));
  await expect(200, call("PUT", `/users/${me.id}/`, {}));
  await expect(200, call("POST", `/users/${me.id}/sync/`, { custom_data: null }));

  const roles = await expect(200, call("GET", "/organisations/roles/?archived=false&ordering=name"));
  const member = roles.results.find((r: { name: string }) => r.name === "Member");
  await expect(200, call("GET", `/organisations/roles/${member.id}/`));
  await expect(404, call("GET", "/organisations/roles/1/"));

  const added = await expect(
    201,
    call("POST", "/organisations/users/", { user_email: "new@example.com", role_id: member.id }),
  );
  await expect(400, call("POST", "/organisations/users/", { user_email: "not an email", role_id: "1" }));
  await expect(409, call("POST", "/organisations/users/", { user_email: "new@example.com", role_id: member.id }));
  await expect(200, call("GET", "/organisations/users/?search=new"));
  await expect(200, call("GET", `/organisations/users/${added.user.id}/`));
  await expect(200, call("GET", "/organisations/users/new@example.com/"));
  await expect(404, call("GET", "/organisations/users/1/"));
  await expect(200, call("PATCH", `/organisations/users/${added.user.id}/`, { role_id: null }));
  await expect(200, call("GET", `/organisations/users/${added.user.id}/groups/`));
  await expect(204, call("DELETE", `/organisations/users/${added.user.id}/`));
  await expect(400, call("DELETE", `/organisations/users/${me.id}/`));

  const invite = { email: "invited@example.com", organisation_id: e.organisationId, message: "Welcome" };
  const p1 = await expect(201, call("POST", "/organisations/pending_users/", invite));
  const p2 = await expect(
    201,
    call("POST", "/organisations/pending_users/", { ...invite, email: "other@example.com" }),
  );
  const p3 = await expect(
    201,
    call("POST", "/organisations/pending_users/", { ...invite, email: "third@example.com" }),
  );
  await expect(400, call("POST", "/organisations/pending_users/", { email: "x@example.com" }));
  await expect(200, call("GET", "/organisations/pending_users/?ordering=-created_at"));
  await expect(200, call("GET", `/organisations/pending_users/${p1.id}/`));
  await expect(200, call("POST", `/organisations/pending_users/${p1.id}/approve/`, {}));
  await expect(200, call("POST", `/organisations/pending_users/${p2.id}/reject/`, {}));
  await expect(404, call("POST", `/organisations/pending_users/${p2.id}/approve/`, {}));
  await expect(204, call("DELETE", `/organisations/pending_users/${p3.id}/`));

  await expect(200, call("GET", "/agents/"));
  await expect(200, call("GET", "/agents/?include-archived=true"));
  await expect(400, call("GET", "/agents/?include-archived=maybe"));
}
