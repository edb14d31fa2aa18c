// Issue 15 §5 (fields package): the real clients from PyPI on what this package makes, against the emulator.
// - `doover app-install sync-config-profiles` (doover-cli 0.7.1) on an install made by DooverAppInstall;
// - pydoover 1.18.3 reading (and changing) the notification_schema and tag_schema a DooverApplication set;
// - pydoover reading back a config nested MAX_JSON_DEPTH levels (the deepest the emulator keeps).
// Python missing: fails in CI (CI=true), skipped elsewhere.

import assert from "node:assert/strict";
import { DooverAppInstall, DooverApplication } from "../../provider";
import { Application, type Client, DooverValidationError, MAX_JSON_DEPTH } from "../../sdk";
import { distinctiveToken } from "../e2e/helpers";
import { type Emulator, emulatorClient } from "../support/emulator";
import { changes } from "../support/pulumi";
import { type DooverHome, useRealClients } from "./python-clients";

const NOTIFICATIONS = {
  type: "object",
  properties: { low_level: { title: "Tank low", severity: "warning", channels: ["email", "push"] } },
};
const TAGS = { tank_level: { type: "number", unit: "%" } };

describe("real clients on what this package makes: sync-config-profiles, notification_schema, deep configs", function () {
  this.timeout(300_000);
  const suite = useRealClients({ token: distinctiveToken("fields"), deploymentStepMs: 50 });
  const engine = suite.engine;
  let emulator: Emulator;
  let home: DooverHome;
  let sdk: Client;
  before(() => {
    ({ emulator, home } = suite);
    sdk = emulatorClient(emulator);
  });

  it("`doover app-install sync-config-profiles` works on an install made by DooverAppInstall; the stack stays converged", async function () {
    const sb = await engine.call(this);
    const [d1] = emulator.deviceIds;
    const program = async () => {
      const app = new DooverApplication("pump", {
        name: "cli_synced_pump",
        displayName: "Pump",
        type: "device",
        description: "Installed by Pulumi, profiles synced by doover-cli.",
        configSchema: { type: "object", properties: { interval: { type: "integer" } } },
      });
      const install = new DooverAppInstall("pump-on-d1", {
        application: app,
        deviceId: d1,
        deploymentConfig: { interval: 5 },
      });
      return { appId: app.applicationId, installId: install.installId };
    };
    const s = await sb.stack({ stackName: "sync-profiles", program, api: emulator });
    const up = await s.up();
    const appId = String(up.outputs.appId);
    const installId = String(up.outputs.installId);
    const p1 = await sdk.configProfiles.create(appId, { display_name: "Fleet defaults", deployment_config: { a: 1 } });
    const p2 = await sdk.configProfiles.create(appId, { display_name: "Site north", deployment_config: { b: 2 } });

    emulator.clearLog();
    const synced = await home.dooverJson([
      "app-install",
      "sync-config-profiles",
      installId,
      "--config-profile-id",
      p1.id,
      "--config-profile-id",
      p2.id,
    ]);
    assert.deepEqual(
      emulator.log().map((e) => `${e.method} ${e.path} ${e.status}`),
      [`GET /app_installs/${installId}/ 200`, `POST /app_installs/${installId}/sync_config_profiles/ 200`],
      "doover-cli reads the install and posts it back (before: 404)",
    );
    assert.deepEqual(
      synced.config_profiles.map((p: { id: string }) => String(p.id)),
      [p1.id, p2.id],
    );
    assert.deepEqual(synced.deployment_config, { interval: 5 }, "the rest of the install is sent back as it was");
    const byPydoover = await home.pydoover(
      "i = client.app_installs.retrieve(args['id'])\nresult = [str(p.id) for p in i.config_profiles]",
      { id: installId },
    );
    assert.deepEqual(byPydoover, [p1.id, p2.id]);
    // Without --config-profile-id it re-sends the install's own profiles.
    const again = await home.dooverJson(["app-install", "sync-config-profiles", installId]);
    assert.deepEqual(
      again.config_profiles.map((p: { id: string }) => String(p.id)),
      [p1.id, p2.id],
    );

    // configProfileIds is not declared (unmanaged), so the stack has nothing to undo.
    await s.refresh();
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("pydoover reads the notification_schema and tag_schema a DooverApplication set; its change shows as drift and up puts it back", async function () {
    const sb = await engine.call(this);
    const program = async () => {
      const app = new DooverApplication("notify", {
        name: "notifying_app",
        displayName: "Notifying",
        type: "processor",
        description: "Declares its notifications.",
        notificationSchema: NOTIFICATIONS,
        tagSchema: TAGS,
      });
      return { appId: app.applicationId };
    };
    const s = await sb.stack({ stackName: "notify", program, api: emulator });
    const appId = String((await s.up()).outputs.appId);
    const py = await home.pydoover(
      "a = client.applications.retrieve(args['id'])\nresult = {'n': a.notification_schema, 't': a.tag_schema}",
      { id: appId },
    );
    assert.deepEqual(py, { n: NOTIFICATIONS, t: TAGS });
    const cli = await home.dooverJson(["app", "get", appId]);
    assert.deepEqual(cli.notification_schema, NOTIFICATIONS);

    await home.pydoover(
      "client.applications.partial(args['id'], body={'notification_schema': {'changed': 'by pydoover'}})",
      { id: appId },
    );
    await s.refresh();
    assert.deepEqual(changes(await s.preview()), ["update notify"], "the outside change is drift");
    await s.up();
    const back = await home.pydoover("result = client.applications.retrieve(args['id']).notification_schema", {
      id: appId,
    });
    assert.deepEqual(back, NOTIFICATIONS);
  });

  it("doover-cli's users, org users, invitations, roles and agent commands work against the emulator (before: 404)", async () => {
    const org = emulator.organisationId;
    const users = await home.dooverJson(["users", "list"]);
    assert.equal(users.count, 1);
    const me = users.results[0];
    const synced = await home.dooverJson(["users", "sync", String(me.id), "--custom-data", '{"theme":"dark"}']);
    assert.deepEqual(synced.custom_data, { theme: "dark" });
    const roles = await home.dooverJson(["org", "roles", "list", org]);
    const member = roles.results.find((r: { name: string }) => r.name === "Member");
    const added = await home.dooverJson([
      "org",
      "users",
      "add",
      org,
      "pat@example.com",
      "--role-id",
      String(member.id),
    ]);
    assert.equal(added.user.email, "pat@example.com");
    const orgUsers = await home.dooverJson(["org", "users", "list", org]);
    assert.equal(orgUsers.count, 2);
    const invited = await home.dooverJson(["org", "invite", org, "sam@example.com", "--message", "Welcome"]);
    await home.dooverJson(["org", "users", "pending", "approve", org, String(invited.id)]);
    const after = await home.dooverJson(["org", "users", "list", org]);
    assert.deepEqual(after.results.map((u: { user: { email: string } }) => u.user.email).sort(), [
      "pat@example.com",
      "sam@example.com",
      "user@emulator.doover.local",
    ]);
    const agents = await home.dooverJson(["agent", "list"]);
    assert.deepEqual(
      agents.results?.map((a: { id: string }) => String(a.id)) ?? agents.map((a: { id: string }) => String(a.id)),
      emulator.deviceIds,
    );
  });

  it(`pydoover reads back a config nested ${MAX_JSON_DEPTH} levels (the deepest kept); one level more is refused before sending`, async function () {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 1; i < MAX_JSON_DEPTH; i++) deep = { a: deep };
    const id = await sdk.createApplication(
      new Application({
        name: "deep_config_app",
        displayName: "Deep",
        type: "PRO",
        visibility: "PRI",
        description: "d",
        configSchema: deep,
      }),
    );
    const depth = await home.pydoover(
      [
        "a = client.applications.retrieve(args['id'])",
        "d, v = 0, a.config_schema",
        "while isinstance(v, dict):",
        "    d, v = d + 1, v.get('a', v.get('leaf'))",
        "result = d",
      ].join("\n"),
      { id },
    );
    assert.equal(depth, MAX_JSON_DEPTH, "pydoover 1.18.3 parses it (it cannot read ~1,000 levels)");
    const e = await sdk.applications.patch(id, { config_schema: { a: deep } }).catch((x: unknown) => x);
    assert.ok(DooverValidationError.isInstance(e), String(e));
  });
});
