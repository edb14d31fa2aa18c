// The real engine end to end, as ordered steps on one stack (like Terraform acceptance steps):
// preview/up/no-op, in-place update, replace order, drift + refresh, check failures, secrets in
// state, a provider-version-only change, destroy and re-up. Issue 4 tests 1-6, 9, 10.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DooverApplication, DooverTunnel } from "../../provider";
import { type Emulator, emulatorFetch } from "../support/emulator";
import { changes, type EngineSandbox, type TestStack, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken, logIndex, opsOf, writes } from "./helpers";

const TUNNEL_PASSWORD = "tunnel-pw-e2e-7f3a";

interface Variant {
  oneDisplayName?: string;
  protocol?: "http" | "https";
  badName?: boolean;
  badPort?: boolean;
}

function program(deviceId: string, v: Variant = {}) {
  return async () => {
    const one = new DooverApplication("app-one", {
      name: v.badName ? "E2e_Bad_Name" : "e2e_app_one",
      displayName: v.oneDisplayName ?? "App One",
      type: "processor",
      visibility: "private",
      description: "The first app of the lifecycle test.",
    });
    const two = new DooverApplication("app-two", {
      name: "e2e_app_two",
      displayName: "App Two",
      type: "integration",
      visibility: "private",
      description: "The second app of the lifecycle test.",
    });
    const tunnel = new DooverTunnel("tunnel", {
      deviceId,
      name: "e2e-web",
      hostname: "127.0.0.1",
      port: v.badPort ? 70000 : 8080,
      protocol: v.protocol ?? "http",
      username: "admin",
      password: TUNNEL_PASSWORD,
    });
    return {
      appOneId: one.applicationId,
      appTwoId: two.applicationId,
      tunnelId: tunnel.tunnelId,
      tunnelEndpoint: tunnel.endpoint,
    };
  };
}

describe("e2e lifecycle (real Pulumi engine + emulator)", function () {
  this.timeout(300_000);
  const engine = useEngineSandbox({ token: distinctiveToken("lifecycle") });
  let sandbox: EngineSandbox;
  let emulator: Emulator;
  let s: TestStack;
  let deviceId: string;
  const ids: Record<string, string> = {};

  before(async () => {
    ({ sandbox, emulator } = engine);
    deviceId = emulator.deviceIds[0];
    s = await sandbox.stack({ stackName: "lifecycle", program: program(deviceId), api: emulator });
  });
  beforeEach(() => emulator?.clearLog());

  it("1. preview on an empty stack lists the creates and writes nothing", async () => {
    const rec = await s.preview();
    assert.deepEqual(changes(rec), ["create app-one", "create app-two", "create tunnel"]);
    assert.deepEqual(writes(emulator), []);
  });

  it("2. up creates apps and tunnels; a second preview and up change nothing", async () => {
    const up = await s.up();
    assert.deepEqual(changes(up), ["create app-one", "create app-two", "create tunnel"]);
    for (const k of ["appOneId", "appTwoId", "tunnelId"]) {
      assert.match(String(up.outputs[k]), /^\d+$/, `${k} is a Doover id`);
      ids[k] = String(up.outputs[k]);
    }
    assert.deepEqual(writes(emulator).sort(), [
      "POST /applications/",
      "POST /applications/",
      `POST /devices/${deviceId}/tunnels/`,
    ]);
    const app = await emulatorFetch(emulator, "GET", `/applications/${ids.appOneId}/`);
    assert.equal(app.body.display_name, "App One");
    const tunnel = await emulatorFetch(emulator, "GET", `/tunnels/${ids.tunnelId}/`);
    assert.equal(tunnel.body.protocol, "http");

    emulator.clearLog();
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    assert.deepEqual(changes(await s.up({ expectNoChanges: true })), []);
    assert.deepEqual(writes(emulator), [], "a no-op up makes no write calls");
  });

  it("3a. a displayName change is an in-place update with exactly one PATCH", async () => {
    s.setProgram(program(deviceId, { oneDisplayName: "App One, renamed" }));
    assert.deepEqual(changes(await s.preview()), ["update app-one"]);
    const up = await s.up();
    assert.deepEqual(changes(up), ["update app-one"]);
    assert.deepEqual(writes(emulator), [`PATCH /applications/${ids.appOneId}/`]);
    assert.equal(up.outputs.appOneId, ids.appOneId, "same Doover app");
    const app = await emulatorFetch(emulator, "GET", `/applications/${ids.appOneId}/`);
    assert.equal(app.body.display_name, "App One, renamed");
  });

  it("3b. a tunnel protocol change is a replace, applied in the order the diff declared", async () => {
    s.setProgram(program(deviceId, { oneDisplayName: "App One, renamed", protocol: "https" }));
    const preview = await s.preview();
    assert.deepEqual(changes(preview), ["replace tunnel"]);
    assert.deepEqual(writes(emulator), []);

    const up = await s.up();
    const ops = opsOf(up, "tunnel");
    assert.ok(ops.includes("create-replacement") && ops.includes("delete-replaced"), `ops: ${ops}`);
    const deleteFirst = ops.indexOf("delete-replaced") < ops.indexOf("create-replacement");
    // The tunnel keeps its name (unique per device), so the diff declares delete-before-replace.
    assert.ok(deleteFirst, `expected delete-before-replace, engine ops: ${ops}`);
    const del = logIndex(emulator, "DELETE", new RegExp(`/tunnels/${ids.tunnelId}/$`));
    const post = logIndex(emulator, "POST", /\/tunnels\/$/);
    assert.ok(del >= 0 && post >= 0, `log: ${writes(emulator)}`);
    assert.equal(del < post, deleteFirst, `engine order ${ops} vs API order ${writes(emulator)}`);

    const newId = String(up.outputs.tunnelId);
    assert.notEqual(newId, ids.tunnelId);
    assert.equal((await emulatorFetch(emulator, "GET", `/tunnels/${ids.tunnelId}/`)).status, 404);
    assert.equal((await emulatorFetch(emulator, "GET", `/tunnels/${newId}/`)).body.protocol, "https");
    ids.tunnelId = newId;
  });

  it("4. out-of-band drift: refresh records it, preview shows it, up restores the program", async () => {
    const drift = await emulatorFetch(emulator, "PATCH", `/applications/${ids.appTwoId}/`, {
      display_name: "Changed by hand",
    });
    assert.equal(drift.status, 200);
    const before = await s.resources();
    emulator.clearLog();

    const refresh = await s.refresh();
    assert.equal(refresh.changeSummary.update, 1, JSON.stringify(refresh.changeSummary));
    assert.deepEqual(writes(emulator), [], "refresh only reads");
    const state = await s.resources();
    assert.equal(state["app-two"].outputs?.displayName, "Changed by hand");
    assert.equal(state["app-two"].inputs?.displayName, "Changed by hand", "drifted: read returned new inputs");
    // Nothing drifted on app-one: read returned no inputs, and the engine kept the stored ones.
    assert.deepEqual(state["app-one"].inputs, before["app-one"].inputs);
    assert.deepEqual(state["app-one"].outputs, before["app-one"].outputs);

    assert.deepEqual(changes(await s.preview()), ["update app-two"]);
    await s.up();
    assert.deepEqual(writes(emulator), [`PATCH /applications/${ids.appTwoId}/`]);
    const app = await emulatorFetch(emulator, "GET", `/applications/${ids.appTwoId}/`);
    assert.equal(app.body.display_name, "App Two");
  });

  it("5. check failures fail preview naming the property, and change nothing", async () => {
    const before = await s.exportText();
    const current: Variant = { oneDisplayName: "App One, renamed", protocol: "https" };
    const cases: [Variant, RegExp][] = [
      [{ badName: true }, /resource 'app-one': property name value \{E2e_Bad_Name\}/],
      [{ badPort: true }, /resource 'tunnel': property port value \{70000\}/],
    ];
    try {
      for (const [bad, expected] of cases) {
        s.setProgram(program(deviceId, { ...current, ...bad }));
        await assert.rejects(s.preview(), (err: Error) => {
          assert.match(err.message, expected);
          return true;
        });
      }
    } finally {
      s.setProgram(program(deviceId, current));
    }
    assert.deepEqual(writes(emulator), []);
    assert.equal(await s.exportText(), before, "state untouched");
  });

  it("9. `pulumi stack export` holds no token in plain text; the tunnel password is a secret", async () => {
    const text = await s.exportText();
    assert.ok(!text.includes(emulator.token), "API token in state");
    assert.ok(!text.includes(TUNNEL_PASSWORD), "tunnel password in plain text");
    const deployment = JSON.parse(text).deployment;
    const tunnel = deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::tunnel"));
    const secretSig = "4dabf18193072939515e22adb298388d";
    assert.ok(tunnel.outputs.password?.[secretSig], "password output is a secret");
    assert.ok(tunnel.inputs.password?.[secretSig], "password input is a secret");
    const provider = deployment.resources.find((r: { type: string }) => r.type === "pulumi:providers:pulumi-nodejs");
    assert.ok(provider.inputs["doover:token"]?.[secretSig], "doover:token kept as a secret");
  });

  it("10. a provider package version change alone causes no diff", async () => {
    // State written by another package version: a different `__provider` text on every resource.
    const text = await s.exportText();
    const deployment = JSON.parse(text);
    let touched = 0;
    for (const r of deployment.deployment.resources) {
      for (const bag of [r.inputs, r.outputs]) {
        if (typeof bag?.__provider === "string") {
          bag.__provider += "\n// serialized by pulumi-doover 0.0.1\n";
          touched++;
        }
      }
    }
    assert.equal(touched, 6, "3 resources x inputs/outputs");
    const file = path.join(sandbox.dir, "older-version.json");
    fs.writeFileSync(file, JSON.stringify(deployment));
    await s.cli(["stack", "import", "--stack", s.stack.name, "--file", file]);

    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    await s.up({ expectNoChanges: true });
    assert.deepEqual(writes(emulator), []);
  });

  it("6. destroy archives apps and deletes tunnels; a later up unarchives them and says so", async () => {
    const destroy = await s.destroy();
    assert.deepEqual(changes(destroy), ["delete app-one", "delete app-two", "delete tunnel"]);
    // Tunnels may be deleted by the device-scoped or the flat path: both name the tunnel id.
    const w0 = writes(emulator).map((w) => w.replace(`/devices/${deviceId}/tunnels/`, "/tunnels/"));
    assert.deepEqual(
      w0.sort(),
      [
        `DELETE /tunnels/${ids.tunnelId}/`,
        `POST /applications/${ids.appOneId}/archive/`,
        `POST /applications/${ids.appTwoId}/archive/`,
      ].sort(),
    );
    for (const id of [ids.appOneId, ids.appTwoId]) {
      assert.equal((await emulatorFetch(emulator, "GET", `/applications/${id}/`)).body.archived, true);
    }
    assert.equal((await emulatorFetch(emulator, "GET", `/tunnels/${ids.tunnelId}/`)).status, 404);

    emulator.clearLog();
    const up = await s.up();
    assert.deepEqual(changes(up), ["create app-one", "create app-two", "create tunnel"]);
    // The lookup before each create finds the archived app: no POST, nothing refused.
    assert.deepEqual(
      emulator
        .log()
        .filter((e) => e.status >= 400 || (e.method === "POST" && e.path === "/applications/"))
        .map((e) => `${e.method} ${e.path} ${e.status}`),
      [],
      "no create POST for a held name, nothing refused",
    );
    assert.match(up.stdout, /took over the existing application .*it was unarchived/);
    assert.equal(up.outputs.appOneId, ids.appOneId, "the archived app came back");
    assert.equal(up.outputs.appTwoId, ids.appTwoId);
    const w = writes(emulator);
    assert.ok(w.includes(`POST /applications/${ids.appOneId}/unarchive/`), `writes: ${w}`);
    assert.equal((await emulatorFetch(emulator, "GET", `/applications/${ids.appOneId}/`)).body.archived, false);
  });
});
