// Issue 7 items 2 and 3: `updateApplication` PATCHes only what the config file (or the caller) declares, and
// the organisation is read with doover-cli's precedence. Against the real HTTP emulator.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Application, Client } from "../sdk";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";

describe("sdk: updateApplication sends only declared fields", function () {
  this.timeout(20000);
  const emu = useEmulator();
  let tmp: string;
  const sent: Record<string, unknown>[] = [];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-patch-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => (sent.length = 0));

  function client(): Client {
    // Records every PATCH body as sent on the wire.
    const recording: typeof fetch = async (input, init) => {
      if (init?.method === "PATCH" && typeof init.body === "string") sent.push(JSON.parse(init.body));
      return fetch(input, init);
    };
    return new Client({
      baseUrl: emu.current.url,
      token: emu.current.token,
      organisationId: emu.current.organisationId,
      env: {},
      configPath: "/nonexistent/doover-config",
      fetch: recording,
    });
  }

  function writeConfig(name: string, entry: Record<string, unknown>): string {
    const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
    const file = path.join(dir, "doover_config.json");
    fs.writeFileSync(file, JSON.stringify({ [name]: { name, type: "PRO", ...entry } }, null, 4));
    return file;
  }

  async function made(name: string, extra: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await emulatorFetch(emu.current, "POST", "/applications/", applicationBody(emu.current, name, extra));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  it("a file without container_registry_profile_id leaves the cloud's registry profile alone", async () => {
    const live = await made("migrated_app", { container_registry_profile_id: "424242", image_name: "ghcr.io/a/b:1" });
    assert.equal(String(live.container_registry_profile?.id), "424242");
    const file = writeConfig("migrated_app", { id: live.id, description: "Changed in the file." });

    const updated = await client().updateApplication(Application.loadConfigFile(file)[0]);

    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0]).sort(), ["description", "name", "type"]);
    assert.equal(updated.description, "Changed in the file.");
    assert.equal(String(updated.container_registry_profile?.id), "424242", "registry profile kept");
    assert.equal(updated.image_name, "ghcr.io/a/b:1", "image kept");
    assert.equal(String(updated.organisation?.id), emu.current.organisationId, "organisation kept");
  });

  it("an explicit null in the file is sent as null and clears the field", async () => {
    const live = await made("nulled_app", { container_registry_profile_id: "424243", image_name: "x/y:1" });
    const file = writeConfig("nulled_app", { id: live.id, container_registry_profile_id: null, image_name: null });

    const updated = await client().updateApplication(Application.loadConfigFile(file)[0]);

    assert.deepEqual(sent[0], {
      name: "nulled_app",
      type: "PRO",
      container_registry_profile_id: null,
      image_name: null,
    });
    assert.equal(updated.container_registry_profile, null);
    assert.equal(updated.image_name ?? null, null);
  });

  it("fields the caller changes after loading are sent, others are not", async () => {
    const icon = "https://example.com/i.png";
    const live = await made("caller_app", { image_name: "x/y:1", icon_url: icon, banner_url: icon });
    const file = writeConfig("caller_app", { id: live.id, banner_url: icon });
    const [app] = Application.loadConfigFile(file);
    app.imageName = "x/y:2";
    app.bannerUrl = undefined; // cleared by the caller: sent as null

    const updated = await client().updateApplication(app);

    assert.deepEqual(sent[0], { name: "caller_app", type: "PRO", image_name: "x/y:2", banner_url: null });
    assert.equal(updated.image_name, "x/y:2");
    assert.equal(updated.banner_url ?? null, null);
    assert.equal(updated.icon_url, icon, "undeclared icon kept");
    assert.equal(updated.description, "An application made by a test.", "undeclared description kept");
  });

  it("staging: stagingConfig keys are sent to the staging app; file-level undeclared keys are not", async () => {
    const live = await made("staged_app", { container_registry_profile_id: "424244" });
    const file = writeConfig("staged_app", { staging_config: { id: live.id, display_name: "Staged" } });

    await client().updateApplication(Application.loadConfigFile(file)[0], { isStaging: true });

    assert.deepEqual(sent[0], { name: "staged_app", type: "PRO", display_name: "Staged" });
  });

  it("an app built in code (not from a file) still sends every field, as before", () => {
    const app = new Application({ id: "1", name: "coded_app", type: "PRO", visibility: "PRI" });
    const p = app.toPatchPayload();
    assert.equal(p.organisation_id, null);
    assert.equal(p.container_registry_profile_id, null);
    assert.equal(p.display_name, "coded_app");
  });
});

describe("sdk: organisation precedence follows doover-cli", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-org-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function load(entry: Record<string, unknown>): Application {
    const file = path.join(fs.mkdtempSync(path.join(tmp, "c-")), "doover_config.json");
    fs.writeFileSync(file, JSON.stringify({ app: { name: "app", type: "DEV", ...entry } }, null, 4));
    return Application.loadConfigFile(file)[0];
  }

  const cases: [string, Record<string, unknown>, string | null | undefined][] = [
    ["organisation_id beats owner_org_id", { owner_org_id: 111, organisation_id: 222 }, "222"],
    ["organisation_id: null beats owner_org_id", { organisation_id: null, owner_org_id: 333 }, null],
    ["owner_org_id beats owner_org and organisation", { organisation: 3, owner_org: 2, owner_org_id: 1 }, "1"],
    ["owner_org beats organisation", { organisation: 3, owner_org: 2 }, "2"],
    ["organisation alone", { organisation: 3 }, "3"],
    ["a null legacy spelling loses to organisation_id", { owner_org_id: null, organisation_id: 5 }, "5"],
    ["none: not sent on PATCH", {}, undefined],
  ];
  for (const [title, entry, expected] of cases) {
    it(title, () => {
      const app = load(entry);
      assert.equal(app.organisationId, expected ?? undefined);
      const patch = app.toPatchPayload();
      if (expected === undefined) assert.ok(!("organisation_id" in patch), JSON.stringify(patch));
      else assert.equal(patch.organisation_id, expected);
      assert.equal(app.toPayload().organisation_id, expected ?? null, "create payload");
    });
  }

  it("saveToDisk writes a changed organisation back under the spelling that was read", () => {
    const app = load({ owner_org_id: 111, organisation_id: 222 });
    app.organisationId = "999";
    app.saveToDisk();
    const saved = JSON.parse(fs.readFileSync(app.configPath!, "utf8")).app;
    assert.equal(saved.organisation_id, 999);
    assert.equal(saved.owner_org_id, 111, "the losing legacy key is left as it was");
  });
});
