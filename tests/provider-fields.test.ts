// Issue 15 §2 in DooverApplication: notificationSchema/tagSchema inputs and the configProfiles output, a
// doover_config.json's null or "" clearing the cloud value, lengths in code points at preview, and JSON or text
// the API cannot take failing at preview (check) naming the property.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { applicationArgsFromConfig } from "../provider/application/application";
import * as runtime from "../provider/runtime";
import { MAX_JSON_DEPTH } from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, writes } from "./support/provider-host";

const app = runtime.applications;
const NOTIFICATIONS = { type: "object", properties: { low_level: { title: "Tank low", severity: "warning" } } };

function args(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, displayName: `App ${name}`, type: "processor", description: "Made by a provider test.", ...extra };
}

function deep(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

describe("DooverApplication: every field, null clears, preview-time limits", function () {
  this.timeout(20000);
  const emulator = useEmulator();
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doover-app-fields-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    resetLimiters();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  const live = async (id: string) => (await emulatorFetch(emulator.current, "GET", `/applications/${id}/`)).body;
  const portalEdit = (id: string, body: Record<string, unknown>) =>
    emulatorFetch(emulator.current, "PATCH", `/applications/${id}/`, body);
  async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { inputs, failures } = await app.check({}, news);
    assert.deepEqual(failures, []);
    return inputs;
  }

  describe("check", () => {
    it("takes notificationSchema and tagSchema (objects, or null to clear); anything else names the property", async () => {
      const inputs = await checked(
        args("n_app", { notificationSchema: NOTIFICATIONS, tagSchema: null, uiSchema: null }),
      );
      assert.deepEqual(inputs.notificationSchema, NOTIFICATIONS);
      assert.equal(inputs.tagSchema, null, "null is kept: it clears the field");
      assert.equal(inputs.uiSchema, null);
      const bad = await app.check({}, args("n_bad", { notificationSchema: "loud", tagSchema: [1] }));
      assert.deepEqual(bad.failures.map((f) => f.reason).sort(), [
        "notificationSchema must be an object (or null to clear it)",
        "tagSchema must be an object (or null to clear it)",
      ]);
    });

    it("lengths are counted in code points: 100 emoji are a valid displayName, 101 are not", async () => {
      await checked(args("emoji_app", { displayName: "🚀".repeat(100) }));
      const long = await app.check({}, args("emoji_app", { displayName: "🚀".repeat(101) }));
      assert.deepEqual(long.failures, [
        { property: "displayName", reason: "displayName must be at most 100 characters (got 101)" },
      ]);
    });

    it("NUL or a lone surrogate in text, and JSON nested too deep, fail at preview naming the property and where", async () => {
      const r = await app.check(
        {},
        args("refused_app", {
          displayName: "a\u0000b",
          description: "x\uDE00",
          configSchema: { type: "object", properties: { a: { title: "t\u0000" } } },
          notificationSchema: deep(MAX_JSON_DEPTH + 1),
          lambdaConfig: { "\uD800": 1 },
          stagingConfig: { ui_schema: deep(MAX_JSON_DEPTH + 5) },
        }),
      );
      const reasons = r.failures.map((f) => f.reason);
      assert.deepEqual(reasons.slice(0, 2), [
        "displayName: Null characters are not allowed; the Doover API refuses them",
        "description: Surrogate characters are not allowed: U+DE00; the Doover API refuses them",
      ]);
      assert.ok(
        reasons.includes("configSchema (at /properties/a/title): Null characters are not allowed."),
        reasons.join("\n"),
      );
      assert.ok(
        reasons.some((x) =>
          /^notificationSchema \(at \/a\/a\/a.*…\): Nested deeper than 512 levels \(the most the API and its Python clients read back\)\.$/.test(
            x,
          ),
        ),
        reasons.join("\n"),
      );
      assert.ok(reasons.includes("lambdaConfig (at /\uD800): Key: Surrogate characters are not allowed: U+D800."));
      assert.ok(
        reasons.some((x) => x.startsWith("stagingConfig (at /ui_schema/a/a")),
        reasons.join("\n"),
      );
      assert.deepEqual(emulator.current.log(), [], "check makes no HTTP call");
      // Exactly the limit passes.
      await checked(args("deep_ok", { notificationSchema: deep(MAX_JSON_DEPTH) }));
    });

    it('stagingConfig: null clears a field that takes null; a field that needs a value refuses null and "" with advice that works', async () => {
      const ok = await checked(
        args("st_app", { stagingConfig: { image_name: null, notification_schema: null, id: null } }),
      );
      assert.deepEqual(ok.stagingConfig, { image_name: null, notification_schema: null });
      const r = await app.check({}, args("st_bad", { stagingConfig: { display_name: null, description: "" } }));
      assert.deepEqual(
        r.failures.map((f) => f.reason),
        [
          "stagingConfig.display_name cannot be null (the API needs a value): omit it instead",
          "stagingConfig.description must not be empty: omit it",
        ],
      );
    });
  });

  describe("create, read, update", () => {
    it("notificationSchema and tagSchema are sent, read back as drift, and updated; configProfiles is an output", async () => {
      const inputs = await checked(args("notify_app", { notificationSchema: NOTIFICATIONS, tagSchema: { t: 1 } }));
      const { id, outs } = await app.create(inputs);
      const got = await live(id);
      assert.deepEqual(got.notification_schema, NOTIFICATIONS);
      assert.deepEqual(got.tag_schema, { t: 1 });
      assert.deepEqual(outs.configProfiles, []);
      assert.equal(outs.approxInstalls, 0);

      const profile = await emulatorFetch(emulator.current, "POST", `/applications/${id}/config_profiles/`, {
        application_id: id,
        display_name: "Defaults",
        deployment_config: { x: 1 },
      });
      await portalEdit(id, { notification_schema: { changed: "in the portal" } });
      const read = await app.read(id, outs);
      assert.deepEqual(read.inputs?.notificationSchema, { changed: "in the portal" }, "drift comes back as an input");
      assert.deepEqual(read.props?.configProfiles, [
        { id: profile.body.id, displayName: "Defaults", description: "", deploymentConfig: { x: 1 } },
      ]);

      const news = await checked(args("notify_app", { notificationSchema: NOTIFICATIONS, tagSchema: { t: 2 } }));
      const d = await app.diff(id, read.props!, news);
      assert.equal(d.changes, true);
      emulator.current.clearLog();
      await app.update(id, read.props!, news);
      assert.deepEqual(writes(emulator.current), [`PATCH /applications/${id}/`]);
      const after = await live(id);
      assert.deepEqual(after.notification_schema, NOTIFICATIONS);
      assert.deepEqual(after.tag_schema, { t: 2 });
    });

    it('a newly declared null is a change (preview shows it) and up PATCHes it; a cloud "" counts as no value', async () => {
      // Made without imageName/iconUrl/lambdaConfig (unmanaged); then set in the portal.
      const first = await checked(args("cleared_app"));
      const { id, outs } = await app.create(first);
      await portalEdit(id, {
        image_name: "spaneng/old:1",
        icon_url: "https://x.example/i.png",
        lambda_config: { a: 1 },
      });
      // The program now declares them null (e.g. a doover_config.json with "image_name": null, "icon_url": "").
      const news = await checked(args("cleared_app", { imageName: null, iconUrl: null, lambdaConfig: null }));
      const d = await app.diff(id, outs, news);
      assert.equal(d.changes, true, "undeclared → null is a change");
      const { outs: after } = await app.update(id, outs, news);
      const got = await live(id);
      assert.equal(got.image_name, null);
      assert.equal(got.icon_url, null);
      assert.equal(got.lambda_config, null);
      assert.equal((await app.diff(id, after, news)).changes, false, "then nothing more to do");

      // doover-cli publishes a file's "icon_url": "" as "": the cloud holds "", the program says null: no drift.
      await portalEdit(id, { icon_url: "" });
      const read = await app.read(id, after);
      assert.equal(read.inputs, undefined, "no drift");
    });
  });

  describe('DooverApplication.fromConfig (a doover_config.json\'s null and "")', () => {
    function argsOf(entry: Record<string, unknown>) {
      const dir = fs.mkdtempSync(path.join(tmp, "cfg-"));
      const file = path.join(dir, "doover_config.json");
      fs.writeFileSync(
        file,
        JSON.stringify({ tank: { name: "tank", type: "DEV", display_name: "Tank", description: "d", ...entry } }),
      );
      return applicationArgsFromConfig(file);
    }

    it('declares null for fields the file sets to null (or "" for the text ones); leaves out what it omits', () => {
      const a = argsOf({
        image_name: null,
        icon_url: "",
        banner_url: "https://x.example/b.png",
        lambda_config: null,
        config_schema: null,
        notification_schema: NOTIFICATIONS,
        tag_schema: null,
        container_registry_profile_id: null,
      });
      assert.equal(a.imageName, null);
      assert.equal(a.iconUrl, null);
      assert.equal(a.bannerUrl, "https://x.example/b.png");
      assert.equal(a.repositoryUrl, undefined, "omitted: not managed");
      assert.equal(a.lambdaConfig, null);
      assert.equal(a.configSchema, null);
      assert.equal(a.uiSchema, undefined);
      assert.deepEqual(a.notificationSchema, NOTIFICATIONS);
      assert.equal(a.tagSchema, null);
      assert.equal(a.containerRegistryProfileId, null);
      assert.ok(!("longDescription" in a));
    });

    it("a legacy spelling's null counts for its field; staging_config keeps nulls only where the API takes them", () => {
      const legacy = argsOf({ container_registry_profile: null, long_description: null });
      assert.equal(legacy.containerRegistryProfileId, null);
      assert.equal(legacy.longDescription, undefined, 'long_description refuses null and "": left unmanaged');
      const staged = argsOf({
        staging_config: {
          id: null,
          image_name: null,
          icon_url: "",
          display_name: null,
          description: "",
          config_schema: null,
        },
      });
      assert.deepEqual(staged.stagingConfig, {
        image_name: null,
        icon_url: null,
        description: "",
        config_schema: null,
      });
    });
  });
});
