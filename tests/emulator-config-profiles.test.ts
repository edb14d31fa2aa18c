// The emulator's config profiles (/applications/{a}/config_profiles/) over real HTTP, and app installs
// that take them through `config_profile_ids`.

import assert from "node:assert/strict";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";

describe("emulator: config profiles", function () {
  this.timeout(20000);
  const emu = useEmulator({ perPageDefault: 2 });
  const call = (method: string, p: string, body?: unknown) => emulatorFetch(emu.current, method, p, body);
  const makeApp = async (name: string) => {
    const r = await call(
      "POST",
      "/applications/",
      applicationBody(emu.current, name, { type: "DEV", allow_many: true }),
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  const makeProfile = async (appId: string, display_name: string, extra: Record<string, unknown> = {}) => {
    const r = await call("POST", `/applications/${appId}/config_profiles/`, {
      application_id: appId,
      display_name,
      ...extra,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const install = (appId: string, name: string, extra: Record<string, unknown> = {}) =>
    call("POST", "/app_installs/", {
      application_id: appId,
      device_id: emu.current.deviceIds[0],
      display_name: name,
      name,
      ...extra,
    });

  it("creates, lists (pages, search, ordering), retrieves, updates and deletes the profiles of one application", async () => {
    const appId = await makeApp("profiled_app");
    const other = await makeApp("other_app");
    const fast = await makeProfile(appId, "Fast", { description: "Fast polling", deployment_config: { every: 1 } });
    assert.equal(fast.application.id, appId);
    assert.equal(fast.organisation.id, emu.current.organisationId);
    assert.deepEqual(fast.deployment_config, { every: 1 });
    await makeProfile(appId, "Slow");
    await makeProfile(appId, "Medium");
    await makeProfile(other, "Elsewhere");

    const page1 = await call("GET", `/applications/${appId}/config_profiles/?ordering=display_name`);
    assert.equal(page1.body.count, 3);
    assert.deepEqual(
      page1.body.results.map((p: { display_name: string }) => p.display_name),
      ["Fast", "Medium"],
    );
    assert.ok(page1.body.next);
    const found = await call("GET", `/applications/${appId}/config_profiles/?search=polling`);
    assert.deepEqual(
      found.body.results.map((p: { id: string }) => p.id),
      [fast.id],
    );
    const bad = await call("GET", `/applications/${appId}/config_profiles/?display_name=Fast`);
    assert.equal(bad.status, 400, "a filter the spec does not list is refused");

    assert.equal((await call("GET", `/applications/${appId}/config_profiles/${fast.id}/`)).status, 200);
    assert.equal((await call("GET", `/applications/${other}/config_profiles/${fast.id}/`)).status, 404);
    const wrongApp = await call("POST", `/applications/${appId}/config_profiles/`, {
      application_id: other,
      display_name: "X",
    });
    assert.equal(wrongApp.status, 400);
    assert.ok(wrongApp.body.error.application_id);
    const noName = await call("POST", `/applications/${appId}/config_profiles/`, { application_id: appId });
    assert.equal(noName.status, 400);
    assert.ok(noName.body.error.display_name);

    const patched = await call("PATCH", `/applications/${appId}/config_profiles/${fast.id}/`, {
      deployment_config: { every: 2 },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.deployment_config, { every: 2 });
    assert.equal(patched.body.description, "Fast polling");
    const put = await call("PUT", `/applications/${appId}/config_profiles/${fast.id}/`, { display_name: "Quick" });
    assert.equal(put.status, 400, "PUT needs application_id");
    assert.equal((await call("DELETE", `/applications/${appId}/config_profiles/${fast.id}/`)).status, 204);
    assert.equal((await call("DELETE", `/applications/${appId}/config_profiles/${fast.id}/`)).status, 404);
    assert.equal((await call("GET", "/applications/1/config_profiles/")).status, 404);
  });

  it("app installs take profiles of their own application, answer them in config_profiles, and keep them on PATCH", async () => {
    const appId = await makeApp("installed_app");
    const other = await makeApp("foreign_app");
    const a = await makeProfile(appId, "A", { deployment_config: { x: 1 } });
    const b = await makeProfile(appId, "B");
    const foreign = await makeProfile(other, "Foreign");

    const created = await install(appId, "pump", { config_profile_ids: [a.id, b.id] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      created.body.config_profiles.map((p: { id: string }) => p.id),
      [a.id, b.id],
    );
    assert.deepEqual(created.body.config_profiles[0], {
      id: a.id,
      organisation: emu.current.organisationId,
      display_name: "A",
      description: "",
      application: appId,
      deployment_config: { x: 1 },
    });

    const unknown = await install(appId, "pump2", { config_profile_ids: ["12345"] });
    assert.equal(unknown.status, 400);
    assert.deepEqual(Object.keys(unknown.body.error), ["config_profile_ids"]);
    assert.match(unknown.body.error.config_profile_ids[0], /12345/);
    const cross = await install(appId, "pump3", { config_profile_ids: [foreign.id] });
    assert.equal(cross.status, 400);
    assert.match(cross.body.error.config_profile_ids[0], /another application/);

    const id = created.body.id;
    const renamed = await call("PATCH", `/app_installs/${id}/`, { display_name: "Pump" });
    assert.equal(renamed.body.config_profiles.length, 2, "a PATCH without the field keeps the profiles");
    const one = await call("PATCH", `/app_installs/${id}/`, { config_profile_ids: [b.id] });
    assert.equal(one.status, 200);
    assert.deepEqual(
      one.body.config_profiles.map((p: { id: string }) => p.id),
      [b.id],
    );
    const refused = await call("PATCH", `/app_installs/${id}/`, { config_profile_ids: [foreign.id] });
    assert.equal(refused.status, 400);
    assert.equal(
      (await call("GET", `/app_installs/${id}/`)).body.config_profiles.length,
      1,
      "a refused PATCH changes nothing",
    );

    assert.equal((await call("DELETE", `/applications/${appId}/config_profiles/${b.id}/`)).status, 204);
    const after = await call("GET", `/app_installs/${id}/`);
    assert.deepEqual(after.body.config_profiles, [], "a deleted profile leaves the installs that had it");
  });
});
