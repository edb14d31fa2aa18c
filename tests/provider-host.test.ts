// The real `@pulumi/pulumi/cmd/dynamic-provider` host (what the engine runs as pulumi-resource-pulumi-nodejs)
// driven over gRPC with the RPCs the engine sends, loading our serialized shim from `__provider`.

import assert from "node:assert/strict";
import * as path from "node:path";
import { APPLICATION_PROVIDER, TUNNEL_PROVIDER } from "../provider/shim";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { DIFF, type ProviderHost, rpcSecret, startProviderHost, urnFor } from "./support/provider-host";

const repoRoot = path.resolve(__dirname, "..", "..");
const APP = "pulumi-nodejs:dynamic/doover:Application";
const TUNNEL = "pulumi-nodejs:dynamic/doover:Tunnel";

describe("provider in the real Pulumi dynamic-provider host (gRPC)", function () {
  this.timeout(30000);
  const emulator = useEmulator({ token: "host-secret-token" });
  let host: ProviderHost;
  let appProvider: string;
  let tunnelProvider: string;

  before(async () => {
    appProvider = APPLICATION_PROVIDER; // the text the resource classes store
    tunnelProvider = TUNNEL_PROVIDER;
    host = await startProviderHost({
      cwd: repoRoot,
      // Nothing to fall back on: credentials must come through Configure.
      env: { DOOVER_API_TOKEN: "", DOOVER_CONFIG: "/nonexistent/doover-config", DOOVER_CONTROL_API_BASE_URL: "" },
    });
    await host.configure({
      "doover:token": rpcSecret(emulator.current.token),
      "doover:apiUrl": emulator.current.url,
      "doover:organisationId": emulator.current.organisationId,
      "proj:unrelated": "x",
    });
  });
  after(async () => {
    await host?.close();
    assert.equal(host.stderr().includes("host-secret-token"), false, "token never logged");
  });

  it("Check returns failures naming the property, and the normalised inputs", async () => {
    const urn = urnFor(APP, "bad");
    const bad = await host.check(
      urn,
      {},
      { __provider: appProvider, name: "Bad-Name", displayName: "x", type: "PRO", description: "d" },
    );
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      ["name"],
    );
    const ok = await host.check(
      urn,
      {},
      { __provider: appProvider, name: "good", displayName: "x", type: "processor", description: "d" },
    );
    assert.deepEqual(ok.failures, []);
    assert.equal(ok.inputs.type, "PRO");
    assert.equal(ok.inputs.__provider, appProvider);
    const port = await host.check(
      urnFor(TUNNEL, "t"),
      {},
      {
        __provider: tunnelProvider,
        name: "t",
        deviceId: emulator.current.deviceIds[0],
        hostname: "h",
        port: 70000,
        protocol: "tcp",
      },
    );
    assert.deepEqual(
      port.failures.map((f) => f.property),
      ["port"],
    );
    assert.match(port.failures[0].reason, /65535/);
  });

  it("runs an application through Create, Read (drift), Diff, Update and Delete", async () => {
    const urn = urnFor(APP, "host_app");
    const news = { __provider: appProvider, name: "host_app", displayName: "Host app", type: "PRO", description: "d" };
    const { inputs } = await host.check(urn, {}, news);
    const created = await host.create(urn, inputs);
    assert.match(created.id, /^\d+$/);
    assert.equal(created.properties.applicationId, created.id);
    assert.equal(created.properties.displayName, "Host app");
    assert.equal(created.properties.__provider, appProvider);

    const same = await host.diff(urn, created.id, created.properties, inputs);
    assert.equal(same.changes, DIFF.NONE);

    await emulatorFetch(emulator.current, "PATCH", `/applications/${created.id}/`, { display_name: "Drifted" });
    const read = await host.read(urn, created.id, created.properties, inputs);
    assert.equal(read.id, created.id);
    assert.equal(read.properties.displayName, "Drifted");
    assert.equal(read.inputs?.displayName, "Drifted");
    assert.equal(read.inputs?.__provider, appProvider);

    const drift = await host.diff(urn, created.id, read.properties, inputs);
    assert.deepEqual(drift, { changes: DIFF.SOME, replaces: [], deleteBeforeReplace: false });
    const moved = await host.diff(urn, created.id, read.properties, { ...inputs, organisationId: "12345" });
    assert.deepEqual(moved, { changes: DIFF.SOME, replaces: ["organisationId"], deleteBeforeReplace: true });

    const updated = await host.update(urn, created.id, read.properties, inputs);
    assert.equal(updated.properties.displayName, "Host app");
    assert.equal(updated.properties.applicationId, created.id, "update keeps every output");
    assert.equal(
      (await emulatorFetch(emulator.current, "GET", `/applications/${created.id}/`)).body.display_name,
      "Host app",
    );

    await host.delete(urn, created.id, updated.properties);
    const gone = await host.read(urn, created.id, updated.properties);
    assert.equal(gone.id, "");
  });

  it("runs a tunnel through Create, Diff with a delete-before-replace, Update and Delete", async () => {
    const urn = urnFor(TUNNEL, "ssh");
    const news = {
      __provider: tunnelProvider,
      name: "ssh",
      deviceId: emulator.current.deviceIds[0],
      hostname: "localhost",
      port: 22,
      protocol: "tcp",
      password: "tunnel-pw", // the engine strips secrets: the host answers acceptSecrets=false
      active: true,
    };
    const { inputs, failures } = await host.check(urn, {}, news);
    assert.deepEqual(failures, []);
    const created = await host.create(urn, inputs);
    assert.equal(created.properties.isActive, true);
    assert.equal(created.properties.tunnelId, created.id);

    const replace = await host.diff(urn, created.id, created.properties, { ...inputs, protocol: "http" });
    assert.deepEqual(replace, { changes: DIFF.SOME, replaces: ["protocol"], deleteBeforeReplace: true });
    // In place, on outputs this code wrote: DIFF_UNKNOWN, so the engine diffs the inputs itself and marks
    // the changed keys in `preview --diff` (secrets included; the host sends no detailed diff).
    const inPlace = await host.diff(urn, created.id, created.properties, { ...inputs, port: 2222 });
    assert.deepEqual(inPlace, { changes: DIFF.UNKNOWN, replaces: [], deleteBeforeReplace: false });
    const legacy: Record<string, unknown> = { ...created.properties }; // outputs of 0.3.0: as before
    delete legacy.__inputsEchoed;
    const inPlaceLegacy = await host.diff(urn, created.id, legacy, { ...inputs, port: 2222 });
    assert.deepEqual(inPlaceLegacy, { changes: DIFF.SOME, replaces: [], deleteBeforeReplace: false });

    const updated = await host.update(urn, created.id, created.properties, { ...inputs, port: 2222, active: false });
    assert.equal(updated.properties.port, 2222);
    assert.equal(updated.properties.isActive, false);
    const live = await emulatorFetch(emulator.current, "GET", `/tunnels/${created.id}/`);
    assert.equal(live.body.port, 2222);
    assert.equal(live.body.is_active, false);

    await host.delete(urn, created.id, updated.properties);
    assert.equal((await emulatorFetch(emulator.current, "GET", `/tunnels/${created.id}/`)).status, 404);
  });

  it("a create error reaches the engine with a clear message and no token", async () => {
    const urn = urnFor(APP, "dup");
    await emulatorFetch(emulator.current, "POST", "/applications/", applicationBody(emulator.current, "dup_app"));
    const { inputs } = await host.check(
      urn,
      {},
      { __provider: appProvider, name: "dup_app", displayName: "x", type: "PRO", description: "d" },
    );
    await assert.rejects(host.create(urn, inputs), (e: Error) => {
      assert.match(e.message, /already exists.*adopt: true/s);
      assert.equal(e.message.includes(emulator.current.token), false);
      return true;
    });
  });
});
