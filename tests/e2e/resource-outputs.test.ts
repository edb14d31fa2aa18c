// Issue 10: the resource classes register only the keys a program sets (plus computed outputs); every other
// declared output property is a getter. On the real engine, each output property must still resolve to what
// state holds for that key (undefined when state has none), after a create and after an `up` with no change.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DooverApplication, DooverTunnel } from "../../provider";
import { APPLICATION_INPUT_KEYS, APPLICATION_OUTPUT_KEYS } from "../../provider/application/application-fields";
import { APPLICATION_PROVIDER, TUNNEL_PROVIDER } from "../../provider/shim";
import { TUNNEL_INPUT_KEYS, TUNNEL_OUTPUT_KEYS } from "../../provider/tunnel/tunnel-fields";
import type { Emulator } from "../support/emulator";
import { changes, type EngineSandbox, REPO_ROOT, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken } from "./helpers";

const APP_KEYS = [...APPLICATION_INPUT_KEYS, ...APPLICATION_OUTPUT_KEYS].filter((k) => k !== "deploymentFolder");
const TUNNEL_KEYS = [...TUNNEL_INPUT_KEYS, ...TUNNEL_OUTPUT_KEYS].filter((k) => k !== "password");

function program(deviceId: string, suffix = "") {
  return async () => {
    const app = new DooverApplication("outputs-app", {
      name: `outputs_app${suffix}`,
      displayName: "Outputs",
      type: "processor",
      description: "Every output property.",
      imageName: "spaneng/outputs:1",
    });
    const tunnel = new DooverTunnel("outputs-tunnel", {
      deviceId,
      name: `outputs-tunnel${suffix}`,
      hostname: "127.0.0.1",
      port: 8080,
      protocol: "http",
    });
    const all = (r: object, keys: readonly string[]) =>
      Object.fromEntries(keys.map((k) => [k, (r as Record<string, unknown>)[k]]));
    return { app: all(app, APP_KEYS), tunnel: all(tunnel, TUNNEL_KEYS), appId: app.id, tunnelId: tunnel.id };
  };
}

describe("e2e resource output properties (real Pulumi engine + emulator)", function () {
  this.timeout(180_000);
  const engine = useEngineSandbox({ token: distinctiveToken("outputs") });
  let sandbox: EngineSandbox;
  let emulator: Emulator;

  before(async () => {
    ({ sandbox, emulator } = engine);
  });

  it("resolves every declared output, set or unset, to the value in state", async () => {
    const s = await sandbox.stack({ stackName: "outputs", program: program(emulator.deviceIds[0]), api: emulator });
    for (const op of ["create", "no change"]) {
      const up = await s.up(op === "create" ? {} : { expectNoChanges: true });
      const state = await s.resources();
      for (const [name, kind, keys] of [
        ["outputs-app", "app", APP_KEYS],
        ["outputs-tunnel", "tunnel", TUNNEL_KEYS],
      ] as const) {
        const stored = state[name].outputs ?? {};
        const got = up.outputs[kind] as Record<string, unknown>;
        for (const k of keys) {
          assert.deepEqual(got[k] ?? null, stored[k] ?? null, `${op}: ${name}.${k}`);
        }
      }
      const app = up.outputs.app as Record<string, unknown>;
      assert.equal(app.applicationId, up.outputs.appId);
      assert.equal((up.outputs.tunnel as Record<string, unknown>).tunnelId, up.outputs.tunnelId);
      assert.equal(app.visibility, "PRI", "unset visibility: the default in state");
      assert.equal(app.imageName, "spaneng/outputs:1");
      assert.equal(app.name, "outputs_app");
      assert.equal((up.outputs.tunnel as Record<string, unknown>).name, "outputs-tunnel");
      for (const [name, text] of [
        ["outputs-app", APPLICATION_PROVIDER],
        ["outputs-tunnel", TUNNEL_PROVIDER],
      ]) {
        assert.equal(state[name].inputs?.__provider, text, `${name}: the hand-written provider text is stored`);
        assert.equal(state[name].outputs?.__provider, text);
      }
      assert.equal(app.archived, false);
      assert.equal(app.longDescription ?? null, null);
    }
  });

  it("takes over a stack written by 0.1.0 (serializer-made __provider): no diff, refresh and destroy work", async () => {
    const s = await sandbox.stack({
      stackName: "from-0-1-0",
      program: program(emulator.deviceIds[0], "_old"),
      api: emulator,
    });
    await s.up();
    // What 0.1.0 stored: pulumi.dynamic.Resource's serialization of the old shim, in inputs and outputs.
    const old = (kind: string) =>
      fs.readFileSync(path.join(REPO_ROOT, "tests", "e2e", "fixtures", `provider-0.1.0-${kind}.txt`), "utf8");
    const deployment = JSON.parse(await s.exportText());
    let touched = 0;
    for (const r of deployment.deployment.resources) {
      const text = r.type.endsWith(":Application")
        ? old("applications")
        : r.type.endsWith(":Tunnel")
          ? old("tunnels")
          : undefined;
      if (!text) continue;
      r.inputs.__provider = r.outputs.__provider = text;
      touched++;
    }
    assert.equal(touched, 2);
    const file = path.join(sandbox.dir, "from-0.1.0.json");
    fs.writeFileSync(file, JSON.stringify(deployment));
    await s.cli(["stack", "import", "--stack", s.stack.name, "--file", file]);

    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    const refreshed = await s.refresh(); // runs the stored 0.1.0 text
    assert.deepEqual(
      Object.keys(refreshed.changeSummary).filter((k) => k !== "same"),
      [],
      JSON.stringify(refreshed.changeSummary),
    );
    const down = await s.destroy();
    assert.deepEqual(changes(down), ["delete outputs-app", "delete outputs-tunnel"]);
  });
});
