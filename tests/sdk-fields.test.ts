// Issue 15 §2 in the SDK: notification_schema and tag_schema carried from doover_config.json to the wire and back,
// the application's read-only fields (archived, approx_installs, config_profiles), a body the API cannot take
// refused as DooverValidationError before anything is sent, and sync_config_profiles/ as doover-cli calls it.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Application, DooverException, DooverValidationError, MAX_JSON_DEPTH } from "../sdk";
import { emulatorClient, useEmulator } from "./support/emulator";
import { writes } from "./support/provider-host";

/** A value nested `depth` objects deep. */
function deep(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

const NOTIFICATIONS = { type: "object", properties: { low_level: { title: "Tank low", severity: "warning" } } };
const TAGS = { tank_level: { type: "number", unit: "%" } };

describe("sdk: every field, refused bodies, sync_config_profiles", function () {
  this.timeout(20000);
  const emu = useEmulator();
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-fields-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function configFile(name: string, entry: Record<string, unknown>): string {
    const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
    const file = path.join(dir, "doover_config.json");
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          [name]: {
            name,
            display_name: "Tank monitor",
            type: "PRO",
            visibility: "PRI",
            description: "Watches a tank.",
            organisation_id: emu.current.organisationId,
            ...entry,
          },
        },
        null,
        4,
      ),
    );
    return file;
  }

  it("notification_schema and tag_schema go from the file to the API and back (create, PATCH, null clears)", async () => {
    const client = emulatorClient(emu.current);
    const file = configFile("tank_monitor", { notification_schema: NOTIFICATIONS, tag_schema: TAGS });
    const app = Application.loadConfigFile(file)[0];
    assert.deepEqual(app.notificationSchema, NOTIFICATIONS);
    assert.deepEqual(app.tagSchema, TAGS);
    const id = await client.createApplication(app);
    const live = await client.applications.retrieve(id);
    assert.deepEqual(live.notification_schema, NOTIFICATIONS);
    assert.deepEqual(live.tag_schema, TAGS);

    // A file that sets them to null clears them (the PATCH carries the nulls).
    fs.writeFileSync(
      file,
      JSON.stringify({
        tank_monitor: { id, name: "tank_monitor", type: "PRO", notification_schema: null, tag_schema: null },
      }),
    );
    const cleared = Application.loadConfigFile(file)[0];
    assert.deepEqual(cleared.toPatchPayload(), {
      name: "tank_monitor",
      type: "PRO",
      notification_schema: null,
      tag_schema: null,
    });
    const after = await client.updateApplication(cleared);
    assert.equal(after.notification_schema, null);
    assert.equal(after.tag_schema, null);

    // And the staging overlay can carry them too.
    const staged = Application.fromConfig(
      { name: "tank_monitor", type: "PRO", staging_config: { notification_schema: { v: 2 } } },
      tmp,
    );
    assert.deepEqual(staged.toPayload({ isStaging: true }).notification_schema, { v: 2 });
  });

  it("fromApiData carries every read-only field: archived, approxInstalls, configProfiles", async () => {
    const client = emulatorClient(emu.current);
    const id = await client.createApplication(
      new Application({
        name: "read_only_fields",
        displayName: "R",
        type: "PRO",
        visibility: "PRI",
        description: "d",
        organisationId: emu.current.organisationId,
        notificationSchema: NOTIFICATIONS,
      }),
    );
    const profile = await client.configProfiles.create(id, { display_name: "Defaults", deployment_config: { x: 1 } });
    await client.installApplication({ applicationId: id, deviceId: emu.current.deviceIds[0] });
    const app = await client.getApplication(id);
    assert.equal(app.archived, false);
    assert.equal(app.approxInstalls, 1);
    assert.deepEqual(
      app.configProfiles?.map((p) => [p.id, p.display_name, p.application]),
      [[profile.id, "Defaults", id]],
    );
    assert.deepEqual(app.notificationSchema, NOTIFICATIONS);
    await client.archiveApplication(id);
    assert.equal((await client.getApplication(id)).archived, true);
  });

  it(`a body nested deeper than ${MAX_JSON_DEPTH} levels, or with NUL / a lone surrogate, is a DooverValidationError and nothing is sent`, async () => {
    const client = emulatorClient(emu.current);
    const id = await client.createApplication(
      new Application({ name: "refused_bodies", displayName: "R", type: "PRO", visibility: "PRI", description: "d" }),
    );
    emu.current.clearLog();
    const refused = async (body: Record<string, unknown>) => {
      const e = await client.applications.patch(id, body).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(DooverValidationError.isInstance(e), `expected DooverValidationError, got ${String(e)}`);
      assert.ok(DooverException.isInstance(e), "part of the DooverException family");
      assert.equal((e as Error).constructor.name, "DooverValidationError");
      return e as DooverValidationError;
    };
    const tooDeep = await refused({ config_schema: deep(MAX_JSON_DEPTH + 1) });
    assert.equal(tooDeep.field, "config_schema");
    assert.match(
      tooDeep.message,
      /^PATCH \/applications\/\d+\/: config_schema \(at \/a\/a\/a.*…\): Nested deeper than 512 levels/,
    );
    // 10,000 levels: JSON.stringify would throw RangeError: Maximum call stack size exceeded.
    const wayTooDeep = await refused({ ui_schema: deep(10_000) });
    assert.equal(wayTooDeep.field, "ui_schema");
    const nul = await refused({ display_name: "a\u0000b" });
    assert.match(nul.message, /display_name: Null characters are not allowed\. Nothing was sent\.$/);
    const lone = await refused({ notification_schema: { title: "x\uD83D" } });
    assert.equal(lone.pointer, "/title");
    assert.match(lone.message, /notification_schema \(at \/title\): Surrogate characters are not allowed: U\+D83D\./);
    assert.deepEqual(writes(emu.current), [], "nothing reached the API");
    // Exactly the limit is sent (and kept).
    const ok = await client.applications.patch(id, { config_schema: deep(MAX_JSON_DEPTH) });
    assert.equal(ok.id, id);
  });

  it("syncAppInstallConfigProfiles re-sends the install with its profiles replaced (doover-cli's sync-config-profiles)", async () => {
    const client = emulatorClient(emu.current);
    const appId = await client.createApplication(
      new Application({ name: "synced_sdk", displayName: "S", type: "PRO", visibility: "PRI", description: "d" }),
    );
    const p1 = await client.configProfiles.create(appId, { display_name: "One" });
    const p2 = await client.configProfiles.create(appId, { display_name: "Two" });
    const install = await client.installApplication({
      applicationId: appId,
      deviceId: emu.current.deviceIds[0],
      deploymentConfig: { keep: "me" },
      configProfileIds: [p1.id],
    });
    emu.current.clearLog();
    const synced = await client.syncAppInstallConfigProfiles(install.id, [p2.id, p1.id]);
    assert.deepEqual(
      synced.config_profiles.map((p) => p.id),
      [p2.id, p1.id],
    );
    assert.deepEqual(synced.deployment_config, { keep: "me" }, "the rest of the install is sent back unchanged");
    assert.deepEqual(
      emu.current.log().map((e) => `${e.method} ${e.path} ${e.status}`),
      [`GET /app_installs/${install.id}/ 200`, `POST /app_installs/${install.id}/sync_config_profiles/ 200`],
    );
    const kept = await client.syncAppInstallConfigProfiles(install.id);
    assert.deepEqual(
      kept.config_profiles.map((p) => p.id),
      [p2.id, p1.id],
      "without ids: the install's own",
    );
  });
});
