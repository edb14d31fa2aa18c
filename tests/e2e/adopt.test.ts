// Issue 4 test 7: `adopt: true` takes over an app created outside Pulumi; without it the error says how.
import assert from "node:assert/strict";
import { DooverApplication } from "../../provider";
import { applicationBody, type Emulator, emulatorFetch } from "../support/emulator";
import { changes, type EngineSandbox, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken, writes } from "./helpers";

function program(adopt: boolean) {
  return async () => {
    const app = new DooverApplication("existing", {
      name: "e2e_made_by_hand",
      displayName: "Managed by Pulumi now",
      type: "processor",
      visibility: "private",
      description: "Created in the UI, then adopted.",
      adopt,
    });
    return { id: app.applicationId };
  };
}

/** One app named `e2e_renamed` under resource name `resource`, optionally adopting. */
function renamed(resource: string, opts: { adopt?: boolean; aliases?: string[]; appName?: string } = {}) {
  return async () => {
    const app = new DooverApplication(
      resource,
      {
        name: opts.appName ?? "e2e_renamed",
        displayName: "Renamed in the program",
        type: "processor",
        visibility: "private",
        description: "The resource is renamed; the app is the same.",
        adopt: opts.adopt ?? false,
      },
      opts.aliases ? { aliases: opts.aliases.map((name) => ({ name })) } : {},
    );
    return { id: app.applicationId };
  };
}

describe("e2e adopt (real Pulumi engine + emulator)", function () {
  this.timeout(180_000);
  const engine = useEngineSandbox({ token: distinctiveToken("adopt") });
  let sandbox: EngineSandbox;
  let emulator: Emulator;

  before(async () => {
    ({ sandbox, emulator } = engine);
  });

  it("7. fails with a hint about adopt, then takes the app over with adopt: true", async () => {
    const made = await emulatorFetch(emulator, "POST", "/applications/", applicationBody(emulator, "e2e_made_by_hand"));
    assert.equal(made.status, 201);
    const existingId = String(made.body.id);
    emulator.clearLog();

    const s = await sandbox.stack({ stackName: "adopt", program: program(false), api: emulator });
    await assert.rejects(s.up(), (err: Error) => {
      assert.match(err.message, /e2e_made_by_hand/);
      assert.match(err.message, /adopt/);
      return true;
    });
    assert.equal(Object.keys(await s.resources()).length, 0, "nothing recorded in state");
    const apps = await emulatorFetch(emulator, "GET", "/applications/?name=e2e_made_by_hand");
    assert.equal(apps.body.count, 1, "no duplicate was created");

    emulator.clearLog();
    s.setProgram(program(true));
    const up = await s.up();
    assert.deepEqual(changes(up), ["create existing"]);
    assert.equal(up.outputs.id, existingId, "adopted, not re-created");
    assert.ok(!writes(emulator).includes("POST /applications/"), `writes: ${writes(emulator)}`);
    const app = await emulatorFetch(emulator, "GET", `/applications/${existingId}/`);
    assert.equal(app.body.display_name, "Managed by Pulumi now", "program values applied");
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("issue 7.1 rename trap: rename without alias → the error's advice (adopt) → the app stays live", async () => {
    const s = await sandbox.stack({ stackName: "rename-adopt", program: renamed("old-name"), api: emulator });
    const first = await s.up();
    const id = String(first.outputs.id);

    s.setProgram(renamed("new-name"));
    await assert.rejects(s.up(), (err: Error) => {
      assert.match(err.message, /application "e2e_renamed" already exists/);
      assert.match(err.message, /aliases: \[\{ name: "<old name>" \}\]/);
      assert.match(err.message, /adopt: true/);
      assert.match(err.message, /doover:adoptExisting=true/);
      return true;
    });

    // Follow the advice for "the object is managed elsewhere": adopt. The old resource's delete must
    // not archive the app the new resource now manages.
    emulator.clearLog();
    s.setProgram(renamed("new-name", { adopt: true }));
    const up = await s.up();
    assert.deepEqual(changes(up), ["create new-name", "delete old-name"]);
    assert.equal(String(up.outputs.id), id, "the same app, adopted");
    assert.ok(!writes(emulator).some((w) => w.includes("/archive/")), `writes: ${writes(emulator)}`);
    assert.match(up.stdout, /not deleting application "e2e_renamed"/);
    const live = await emulatorFetch(emulator, "GET", `/applications/${id}/`);
    assert.equal(live.body.archived, false, "the app stays live");
    const refreshed = await s.refresh();
    assert.equal(refreshed.changeSummary.delete ?? 0, 0, "refresh finds it where state says");
    assert.equal((await s.resources())["new-name"]?.id, id);
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("issue 7.1 rename with the alias the error suggests: no change at all", async () => {
    const s = await sandbox.stack({
      stackName: "rename-alias",
      program: renamed("before", { appName: "e2e_alias" }),
      api: emulator,
    });
    const id = String((await s.up()).outputs.id);
    emulator.clearLog();
    s.setProgram(renamed("after", { aliases: ["before"], appName: "e2e_alias" }));
    const up = await s.up();
    assert.deepEqual(changes(up), []);
    assert.equal(String(up.outputs.id), id);
    assert.deepEqual(writes(emulator), []);
  });
});
