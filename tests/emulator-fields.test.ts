// Issue 15 §2 on the emulator: every field pydoover 1.18.3's models carry (notification_schema, tag_schema,
// config_profiles, approx_installs, the organisation's optional fields), lengths in code points, text and JSON
// a Django server refuses (NUL, lone surrogates, bytes that are not UTF-8, nesting past MAX_JSON_DEPTH), and
// sync_config_profiles/ as doover-cli calls it.

import assert from "node:assert/strict";
import { MAX_JSON_DEPTH } from "../sdk";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";

/** `{"a": {"a": … 1}}` nested `depth` levels, as JSON text (no JSON.stringify: it overflows past ~5,000). */
function deepText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

describe("emulator: every field, refused values, sync_config_profiles", function () {
  this.timeout(20000);
  const emu = useEmulator();
  const call = (method: string, p: string, body?: unknown) => emulatorFetch(emu.current, method, p, body);
  /** A raw body (bytes or text) with the JSON content type. */
  const raw = async (method: string, p: string, body: string | Buffer) => {
    const res = await fetch(`${emu.current.url}${p}`, {
      method,
      headers: { Authorization: `Bearer ${emu.current.token}`, "Content-Type": "application/json" },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const createApp = async (name: string, extra: Record<string, unknown> = {}) => {
    const r = await call("POST", "/applications/", applicationBody(emu.current, name, extra));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  describe("application fields of the 1.18.3 spec", () => {
    it("keeps notification_schema and tag_schema (POST, PATCH, GET, list); null clears them", async () => {
      const notifications = { type: "object", properties: { low_level: { title: "Low level", severity: "warning" } } };
      const tags = { tank_level: { type: "number", unit: "%" } };
      const app = await createApp("notify_app", { notification_schema: notifications, tag_schema: tags });
      assert.deepEqual(app.notification_schema, notifications);
      assert.deepEqual(app.tag_schema, tags);
      const got = await call("GET", `/applications/${app.id}/`);
      assert.deepEqual(got.body.notification_schema, notifications);
      const listed = await call("GET", "/applications/?name=notify_app");
      assert.deepEqual(listed.body.results[0].notification_schema, notifications);
      const changed = { ...notifications, required: ["low_level"] };
      const patched = await call("PATCH", `/applications/${app.id}/`, { notification_schema: changed });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.body.notification_schema, changed);
      assert.deepEqual(patched.body.tag_schema, tags, "a PATCH leaves the fields it does not name");
      const cleared = await call("PATCH", `/applications/${app.id}/`, { notification_schema: null, tag_schema: null });
      assert.equal(cleared.body.notification_schema, null);
      assert.equal(cleared.body.tag_schema, null);
      const plain = await createApp("plain_app");
      assert.equal(plain.notification_schema, null, "present (null) on an app that never set it");
    });

    it("config_profiles lists the application's profiles; approx_installs counts its live installs", async () => {
      const app = await createApp("profiled_app");
      assert.deepEqual(app.config_profiles, []);
      assert.equal(app.approx_installs, 0);
      const profile = await call("POST", `/applications/${app.id}/config_profiles/`, {
        application_id: app.id,
        display_name: "Fleet defaults",
        deployment_config: { interval: 30 },
      });
      assert.equal(profile.status, 201);
      const [d1, d2] = emu.current.deviceIds;
      for (const device_id of [d1, d2]) {
        const r = await call("POST", "/app_installs/", { application_id: app.id, device_id, display_name: "x" });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      const got = (await call("GET", `/applications/${app.id}/`)).body;
      assert.deepEqual(got.config_profiles, [
        {
          id: profile.body.id,
          organisation: emu.current.organisationId,
          display_name: "Fleet defaults",
          description: "",
          application: app.id,
          deployment_config: { interval: 30 },
        },
      ]);
      assert.equal(got.approx_installs, 2);
      const installs = (await call("GET", `/applications/${app.id}/installs/`)).body.results;
      await call("POST", `/app_installs/${installs[0].id}/archive/`);
      assert.equal((await call("GET", `/applications/${app.id}/`)).body.approx_installs, 1, "archived: not counted");
      assert.deepEqual(
        (await call("GET", "/applications/?approx_installs__gte=1")).body.results.map((a: { id: string }) => a.id),
        [app.id],
      );
    });

    it("an organisation carries the optional fields of OrganisationSerializerDetail", async () => {
      const org = (await call("GET", "/organisations/")).body.results[0];
      for (const k of [
        "test_field_A",
        "retention_period",
        "legacy_doover_api_key",
        "llm_api_key",
        "extra_config",
        "theme",
      ])
        assert.ok(k in org, `${k} missing`);
      assert.equal(org.llm_api_key, null, "no key is ever shown");
    });
  });

  describe("lengths in code points, as the server counts them", () => {
    it("100 emoji are a valid display name (200 UTF-16 units); 101 are not", async () => {
      const emoji100 = "🚀".repeat(100);
      const app = await createApp("emoji_app", { display_name: emoji100, description: "🌊".repeat(3) });
      assert.equal(app.display_name, emoji100);
      const long = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "emoji_long", { display_name: `${emoji100}🚀` }),
      );
      assert.equal(long.status, 400);
      assert.deepEqual(long.body.error, { display_name: ["Ensure this field has no more than 100 characters."] });
    });
  });

  describe("values a Django server refuses", () => {
    it("a NUL character or a lone surrogate in text: 400 naming the field (DRF's messages)", async () => {
      const nul = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "nul_app", { display_name: "a\u0000b" }),
      );
      assert.equal(nul.status, 400);
      assert.deepEqual(nul.body.error, { display_name: ["Null characters are not allowed."] });
      const lone = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "lone_app", { description: "x\uD800y" }),
      );
      assert.equal(lone.status, 400);
      assert.deepEqual(lone.body.error, { description: ["Surrogate characters are not allowed: U+D800."] });
      const paired = await createApp("paired_app", { description: "a pair is fine: \uD83D\uDE80" });
      assert.equal(paired.description, "a pair is fine: 🚀");
      const tunnel = await call("POST", `/devices/${emu.current.deviceIds[0]}/tunnels/`, {
        name: "t",
        hostname: "127.0.0.1",
        port: 22,
        protocol: "tcp",
        password: "p\u0000",
      });
      assert.deepEqual(tunnel.body.error, { password: ["Null characters are not allowed."] });
      assert.equal((await call("GET", "/applications/")).body.count, 1, "nothing else was stored");
    });

    it("NUL or a lone surrogate anywhere in a JSON field (value or key): 400 with where", async () => {
      const inValue = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "json_nul", { config_schema: { properties: { a: { title: "x\u0000" } } } }),
      );
      assert.equal(inValue.status, 400);
      assert.deepEqual(inValue.body.error, {
        config_schema: ["Null characters are not allowed. (at /properties/a/title)"],
      });
      const inKey = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "json_key", { notification_schema: { "\uDC00": 1 } }),
      );
      assert.deepEqual(inKey.body.error, {
        notification_schema: ["Key: Surrogate characters are not allowed: U+DC00. (at /\uDC00)"],
      });
    });

    it("a body that is not UTF-8: 400 JSON parse error (DRF decodes strictly)", async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"name":"bad_bytes","display_name":"'),
        Buffer.from([0xed, 0xa0, 0x80]), // an encoded lone surrogate: not valid UTF-8
        Buffer.from('"}'),
      ]);
      const r = await raw("POST", "/applications/", bytes);
      assert.equal(r.status, 400);
      assert.match(r.body.detail, /^JSON parse error - /);
    });

    it(`JSON nested ${MAX_JSON_DEPTH} levels is kept; deeper is refused with a 400 naming the field, even 100,000 deep`, async () => {
      const body = (depth: number, name: string) =>
        JSON.stringify(applicationBody(emu.current, name)).replace(/}$/, `,"config_schema":${deepText(depth)}}`);
      const ok = await raw("POST", "/applications/", body(MAX_JSON_DEPTH, "deep_ok"));
      assert.equal(ok.status, 201, JSON.stringify(ok.body).slice(0, 300));
      const app = await call("GET", `/applications/${ok.body.id}/`);
      assert.equal(app.status, 200);
      for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
        const r = await raw("POST", "/applications/", body(depth, `deep_${depth}`));
        assert.equal(r.status, 400, `depth ${depth}`);
        assert.deepEqual(r.body.error, {
          config_schema: [
            `Nested deeper than ${MAX_JSON_DEPTH} levels (the most the API and its Python clients read back).`,
          ],
        });
      }
      const install = await raw(
        "PATCH",
        `/applications/${ok.body.id}/`,
        `{"ui_schema":${deepText(MAX_JSON_DEPTH + 1)}}`,
      );
      assert.equal(install.status, 400);
      assert.ok(install.body.error.ui_schema);
      const top = await raw("POST", "/applications/", "[".repeat(5000) + "]".repeat(5000));
      assert.equal(top.status, 400);
      assert.match(top.body.detail, /^JSON parse error - Nested deeper than 512 levels/);
      assert.equal((await call("GET", "/applications/")).body.count, 1);
    });
  });

  describe("POST /app_installs/{id}/sync_config_profiles/ (doover app-install sync-config-profiles)", () => {
    async function installWithProfiles() {
      const app = await createApp("synced_app");
      const profile = async (display_name: string) =>
        (
          await call("POST", `/applications/${app.id}/config_profiles/`, {
            application_id: app.id,
            display_name,
            deployment_config: { who: display_name },
          })
        ).body;
      const [p1, p2] = [await profile("One"), await profile("Two")];
      const install = await call("POST", "/app_installs/", {
        application_id: app.id,
        device_id: emu.current.deviceIds[0],
        display_name: "Synced",
        deployment_config: { a: 1 },
        config_profile_ids: [p1.id],
      });
      assert.equal(install.status, 201);
      return { app, p1, p2, install: install.body };
    }
    /** What doover-cli sends: the current install as a request, with config_profile_ids replaced when given. */
    const currentPayload = (i: any, ids?: string[]) => ({
      name: i.name,
      display_name: i.display_name,
      application_id: i.application.id,
      device_id: i.device.id,
      deployment_config: i.deployment_config,
      config_profile_ids: ids ?? i.config_profiles.map((p: { id: string }) => p.id),
    });

    it("applies the whole install request like a PUT and answers 200 with the install", async () => {
      const { app, p2, install } = await installWithProfiles();
      const r = await call(
        "POST",
        `/app_installs/${install.id}/sync_config_profiles/`,
        currentPayload(install, [p2.id]),
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.config_profiles.map((p: { id: string }) => p.id),
        [p2.id],
      );
      assert.deepEqual(r.body.deployment_config, { a: 1 });
      const same = await call("POST", `/app_installs/${install.id}/sync_config_profiles/`, currentPayload(r.body));
      assert.deepEqual(same.body, r.body, "repeating it changes nothing");
      const scoped = await call(
        "POST",
        `/applications/${app.id}/installs/${install.id}/sync_config_profiles/`,
        currentPayload(install),
      );
      assert.equal(scoped.status, 200);
    });

    it("refuses what a PUT refuses: required fields, another application or device, a foreign profile", async () => {
      const { install } = await installWithProfiles();
      const other = await createApp("other_app");
      const otherProfile = await call("POST", `/applications/${other.id}/config_profiles/`, {
        application_id: other.id,
        display_name: "Foreign",
      });
      const url = `/app_installs/${install.id}/sync_config_profiles/`;
      const empty = await call("POST", url, {});
      assert.equal(empty.status, 400);
      assert.deepEqual(Object.keys(empty.body.error).sort(), ["application_id", "device_id", "display_name"]);
      const moved = await call("POST", url, { ...currentPayload(install), device_id: emu.current.deviceIds[1] });
      assert.deepEqual(moved.body.error, { device_id: ["Device cannot be changed after installation."] });
      const foreign = await call("POST", url, currentPayload(install, [otherProfile.body.id]));
      assert.equal(foreign.status, 400);
      assert.ok(foreign.body.error.config_profile_ids);
      assert.equal((await call("POST", "/app_installs/1/sync_config_profiles/", currentPayload(install))).status, 404);
      const wrongApp = await call(
        "POST",
        `/applications/${other.id}/installs/${install.id}/sync_config_profiles/`,
        currentPayload(install),
      );
      assert.equal(wrongApp.status, 404, "the install is not one of that application's");
      assert.equal((await call("GET", url)).status, 405);
    });
  });
});
