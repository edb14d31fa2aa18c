// A create whose object exists but whose follow-up failed is recorded by the engine from the error's
// `properties`: they must carry the stored provider text, or destroy/refresh of that resource cannot run.
import assert from "node:assert/strict";
import * as runtime from "../provider/runtime";
import { TUNNEL_PROVIDER } from "../provider/shim";
import { resetLimiters } from "../sdk/request-limiter";
import { useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig } from "./support/provider-host";

describe("partial creates keep __provider", function () {
  this.timeout(20000);
  const emulator = useEmulator();
  beforeEach(() => {
    resetLimiters();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  it("a tunnel whose activation fails is recorded with its id and the provider text", async () => {
    const news = {
      name: "half",
      deviceId: emulator.current.deviceIds[0],
      hostname: "127.0.0.1",
      port: 22,
      protocol: "tcp",
      active: true,
      __provider: TUNNEL_PROVIDER,
    };
    const { inputs } = await runtime.tunnels.check({}, news);
    emulator.current.addFault({ method: "POST", path: "/tunnels/", status: 403, times: 1 });
    const e = (await runtime.tunnels.create({ ...inputs, __provider: TUNNEL_PROVIDER }).then(
      () => assert.fail("activation should fail"),
      (x: unknown) => x,
    )) as { id?: string; properties?: Record<string, unknown> };
    assert.match(String(e.id), /^\d+$/);
    assert.equal(e.properties?.__provider, TUNNEL_PROVIDER);
    assert.equal(e.properties?.tunnelId, e.id);
  });
});
