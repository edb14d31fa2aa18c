// Issue 4 test 7: `adopt: true` takes over an app created outside Pulumi; without it the error says how.
import assert from "node:assert/strict";
import { DooverApplication } from "../../provider";
import { applicationBody, emulatorFetch, startTestEmulator, type Emulator } from "../support/emulator";
import { changes, e2eSkipped, EngineSandbox } from "../support/pulumi";
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

describe("e2e adopt (real Pulumi engine + emulator)", function () {
  this.timeout(180_000);
  let sandbox: EngineSandbox;
  let emulator: Emulator;

  before(async function () {
    if (e2eSkipped()) this.skip();
    emulator = await startTestEmulator({ token: distinctiveToken("adopt") });
    sandbox = await EngineSandbox.create();
  });
  after(async () => {
    await sandbox?.dispose();
    await emulator?.close();
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
});
