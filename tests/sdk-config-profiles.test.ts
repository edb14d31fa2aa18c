// SDK `client.configProfiles` against the real HTTP emulator.

import * as assert from "node:assert/strict";
import { BadRequest, NotFound } from "../sdk";
import { applicationBody, emulatorClient, emulatorFetch, useEmulator } from "./support/emulator";

const TOKEN = "tok-profiles-1";

describe("sdk: config profiles against the emulator", function () {
  this.timeout(20000);
  const emu = useEmulator({ token: TOKEN, perPageDefault: 2 });
  const client = () => emulatorClient(emu.current);

  it("creates, lists every page, retrieves, patches and deletes", async () => {
    const r = await emulatorFetch(emu.current, "POST", "/applications/", applicationBody(emu.current, "prof_app"));
    assert.equal(r.status, 201);
    const appId: string = r.body.id;
    const c = client();
    const made = [];
    for (const name of ["One", "Two", "Three"])
      made.push(await c.configProfiles.create(appId, { display_name: name, deployment_config: { name } }));
    assert.equal(made[0].application.id, appId);

    emu.current.clearLog();
    const all = await c.configProfiles.list(appId, { perPage: 2, ordering: "id" });
    assert.deepEqual(
      all.map((p) => p.display_name),
      ["One", "Two", "Three"],
    );
    assert.equal(emu.current.log().length, 2, "two pages");
    assert.deepEqual(
      (await c.configProfiles.list(appId, { search: "Tw" })).map((p) => p.id),
      [made[1].id],
    );

    const got = await c.configProfiles.retrieve(appId, made[0].id);
    assert.deepEqual(got.deployment_config, { name: "One" });
    const patched = await c.configProfiles.patch(appId, made[0].id, { description: "first" });
    assert.equal(patched.description, "first");
    assert.equal(patched.display_name, "One");

    await assert.rejects(c.configProfiles.create(appId, { display_name: "" }), (e: unknown) =>
      BadRequest.isInstance(e),
    );
    await c.configProfiles.delete(appId, made[0].id);
    await assert.rejects(c.configProfiles.retrieve(appId, made[0].id), (e: unknown) => NotFound.isInstance(e));
    assert.equal((await c.configProfiles.list(appId)).length, 2);
  });
});
