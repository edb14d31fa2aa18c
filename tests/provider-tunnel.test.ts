// DooverTunnel provider methods called directly, against the real HTTP emulator.

import assert from "node:assert/strict";
import { UNKNOWN } from "../provider/inputs";
import * as runtime from "../provider/runtime";
import { resetLimiters } from "../sdk/request-limiter";
import { type Emulator, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, writes } from "./support/provider-host";

const tunnel = runtime.tunnels;

describe("DooverTunnel provider", function () {
  this.timeout(20000);
  const emulator = useEmulator();
  const device = () => emulator.current.deviceIds[0];

  function args(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name, deviceId: device(), hostname: "127.0.0.1", port: 8080, protocol: "http", ...extra };
  }

  async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { inputs, failures } = await tunnel.check({}, news);
    assert.deepEqual(failures, []);
    return inputs;
  }

  async function createTunnel(news: Record<string, unknown>) {
    const inputs = await checked(news);
    const { id, outs } = await tunnel.create(inputs);
    return { id, inputs, outs };
  }

  beforeEach(() => {
    resetLimiters();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  describe("check", () => {
    it("accepts a valid tunnel, normalising the protocol and applying defaults", async () => {
      const inputs = await checked(args("web", { protocol: "HTTPS", deviceId: Number(123) }));
      assert.equal(inputs.protocol, "https");
      assert.equal(inputs.deviceId, "123");
      assert.equal(inputs.staging, false);
      assert.equal(inputs.adopt, false);
      assert.equal("active" in inputs, false, "active is left alone unless declared");
    });

    it("names every bad property", async () => {
      const { failures } = await tunnel.check(
        {},
        {
          deviceId: "abc",
          hostname: "",
          port: 70000,
          protocol: "ftp",
          name: "n".repeat(201),
          timeout: 1.5,
          ipWhitelist: "10.0.0.1",
          active: "yes",
        },
      );
      assert.deepEqual(failures.map((f) => f.property).sort(), [
        "active",
        "deviceId",
        "hostname",
        "ipWhitelist",
        "name",
        "port",
        "protocol",
        "timeout",
      ]);
      assert.match(failures.find((f) => f.property === "port")!.reason, /1 to 65535.*70000/);
      const missing = await tunnel.check({}, {});
      assert.deepEqual(missing.failures.map((f) => f.property).sort(), [
        "deviceId",
        "hostname",
        "name",
        "port",
        "protocol",
      ]);
    });

    it("tolerates unknown values during preview", async () => {
      const { failures } = await tunnel.check(
        {},
        {
          ...args(UNKNOWN),
          deviceId: UNKNOWN,
          port: UNKNOWN,
          protocol: UNKNOWN,
          hostname: UNKNOWN,
          timeout: UNKNOWN,
          password: UNKNOWN,
          active: UNKNOWN,
          ipWhitelist: ["10.0.0.0/8", UNKNOWN],
        },
      );
      assert.deepEqual(failures, []);
      // An unknown name or device may turn out the same: a replace then deletes first.
      const olds = { ...(await checked(args("web"))), tunnelId: "1" };
      for (const unknown of [{ name: UNKNOWN }, { deviceId: UNKNOWN }]) {
        const d = await tunnel.diff("1", olds, { ...olds, protocol: "tcp", ...unknown });
        assert.equal(d.deleteBeforeReplace, true, JSON.stringify(unknown));
      }
    });
  });

  describe("diff", () => {
    it("updates in place for port/hostname, replaces on protocol or device, deleting first on the same device", async () => {
      const olds = { ...(await checked(args("web"))), tunnelId: "1", isActive: false, __provider: "old" };
      const same = await tunnel.diff("1", olds, { ...(await checked(args("web"))), __provider: "new" });
      assert.deepEqual(same, { changes: false, replaces: [], deleteBeforeReplace: false });
      const port = await tunnel.diff("1", olds, await checked(args("web", { port: 9090 })));
      assert.deepEqual(port, { changes: true, replaces: [], deleteBeforeReplace: false });
      const protocol = await tunnel.diff("1", olds, await checked(args("web", { protocol: "tcp" })));
      assert.deepEqual(protocol, { changes: true, replaces: ["protocol"], deleteBeforeReplace: true });
      const other = emulator.current.deviceIds[1];
      const moved = await tunnel.diff("1", olds, await checked(args("web", { deviceId: other })));
      assert.deepEqual(moved, { changes: true, replaces: ["deviceId"], deleteBeforeReplace: false });
      const renamed = await tunnel.diff("1", olds, await checked(args("web2", { protocol: "tcp" })));
      assert.deepEqual(renamed, { changes: true, replaces: ["protocol"], deleteBeforeReplace: false });
      const active = await tunnel.diff("1", olds, await checked(args("web", { active: true })));
      assert.deepEqual(active, { changes: true, replaces: [], deleteBeforeReplace: false });
    });
  });

  describe("create / read / update / delete", () => {
    it("creates (and activates) a tunnel, echoing inputs and adding tunnelId, endpoint, isActive", async () => {
      const { id, inputs, outs } = await createTunnel(args("web", { active: true, password: "pw-1", timeout: 30 }));
      const w = writes(emulator.current);
      assert.equal(w.length, 2);
      assert.equal(w[0], `POST /devices/${device()}/tunnels/`);
      assert.match(w[1], new RegExp(`^POST .*/tunnels/${id}/activate/$`));
      assert.equal(outs.tunnelId, id);
      assert.equal(outs.isActive, true);
      assert.match(String(outs.endpoint), /tunnels/);
      for (const [k, v] of Object.entries(inputs)) assert.deepEqual(outs[k], v, k);
      const live = await emulatorFetch(emulator.current, "GET", `/tunnels/${id}/`);
      assert.equal(live.body.is_active, true);
      assert.equal(live.body.timeout, 30);
    });

    it("reads drift, and update restores it with one PATCH plus activate", async () => {
      const { id, outs } = await createTunnel(args("drift", { active: true }));
      assert.deepEqual((await tunnel.read(id, outs)).props, outs);
      await emulatorFetch(emulator.current, "PATCH", `/tunnels/${id}/`, { port: 9999 });
      await emulatorFetch(emulator.current, "POST", `/tunnels/${id}/deactivate/`, {});
      emulator.current.clearLog();
      const read = await tunnel.read(id, outs);
      assert.deepEqual(
        emulator.current.log().map((e) => e.method),
        ["GET"],
      );
      assert.equal(read.props!.port, 9999);
      assert.equal(read.props!.active, false);
      assert.equal(read.props!.isActive, false);
      assert.equal(read.inputs!.port, 9999);

      const news = await checked(args("drift", { active: true }));
      assert.deepEqual(await tunnel.diff(id, read.props!, news), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
      emulator.current.clearLog();
      const { outs: after } = await tunnel.update(id, read.props!, news);
      const w = writes(emulator.current);
      assert.equal(w.length, 2);
      assert.match(w[0], /^PATCH .*\/tunnels\/\d+\/$/);
      assert.match(w[1], /^POST .*\/tunnels\/\d+\/activate\/$/);
      assert.equal(after.port, 8080);
      assert.equal(after.isActive, true);
      assert.equal(after.tunnelId, id);
    });

    it("update with only active=false deactivates, without a PATCH", async () => {
      const { id, outs } = await createTunnel(args("toggle", { active: true }));
      emulator.current.clearLog();
      const { outs: after } = await tunnel.update(id, outs, await checked(args("toggle", { active: false })));
      assert.equal(writes(emulator.current).length, 1);
      assert.match(writes(emulator.current)[0], /deactivate\/$/);
      assert.equal(after.isActive, false);
    });

    it("delete removes it; read then reports it gone; deleting again succeeds", async () => {
      const { id, outs } = await createTunnel(args("gone"));
      await tunnel.delete(id, outs);
      assert.equal((await emulatorFetch(emulator.current, "GET", `/tunnels/${id}/`)).status, 404);
      assert.deepEqual(await tunnel.read(id, outs), { id: "" });
      await tunnel.delete(id, outs);
    });
  });

  describe("adopt and recovery", () => {
    it("refuses an existing name on the device without adopt, and adopts with it", async () => {
      const outside = await emulatorFetch(emulator.current, "POST", `/devices/${device()}/tunnels/`, {
        name: "ssh",
        hostname: "localhost",
        port: 22,
        protocol: "tcp",
      });
      assert.equal(outside.status, 201);
      await assert.rejects(createTunnel(args("ssh", { protocol: "tcp", port: 2222 })), (e: any) => {
        assert.equal(e.code, "DooverProviderError");
        assert.match(e.message, /adopt: true/);
        return true;
      });
      const adopted = await createTunnel(args("ssh", { protocol: "tcp", port: 2222, adopt: true }));
      assert.equal(adopted.id, String(outside.body.id));
      const live = await emulatorFetch(emulator.current, "GET", `/tunnels/${adopted.id}/`);
      assert.equal(live.body.port, 2222);
      await assert.rejects(createTunnel(args("ssh", { protocol: "http", adopt: true })), /protocol/);
    });

    it("an ambiguous create (committed, then dropped) leaves exactly one tunnel", async () => {
      emulator.current.addFault({
        method: "POST",
        path: `/devices/${device()}/tunnels/`,
        afterCommit: true,
        dropConnection: true,
      });
      const { id } = await createTunnel(args("flaky"));
      const list = await emulatorFetch(emulator.current, "GET", `/devices/${device()}/tunnels/`);
      const named = list.body.results.filter((t: any) => t.name === "flaky");
      assert.equal(named.length, 1);
      assert.equal(String(named[0].id), id);
    });

    it("staging: true creates the tunnel through the staging API", async () => {
      let staging: Emulator | undefined;
      try {
        staging = await startTestEmulator({ token: "staging-token" });
        runtime.configure(
          stackConfig(
            emulatorConfig(emulator.current, {
              "doover:stagingApiUrl": staging.url,
              "doover:stagingToken": staging.token,
            }),
          ),
        );
        const { id, outs } = await createTunnel(args("staged", { deviceId: staging.deviceIds[0], staging: true }));
        assert.deepEqual(writes(emulator.current), []);
        assert.equal((await emulatorFetch(staging, "GET", `/tunnels/${id}/`)).status, 200);
        await tunnel.delete(id, outs);
        assert.equal((await emulatorFetch(staging, "GET", `/tunnels/${id}/`)).status, 404);
      } finally {
        await staging?.close();
      }
    });
  });
});
