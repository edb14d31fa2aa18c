// The DooverAppInstall provider as Pulumi stores it: serialized like `dynamic.Resource` does, loaded back
// like the host does (require-from-string), then run against the emulator.

import assert from "node:assert/strict";
import * as path from "node:path";
import * as runtime from "../provider/runtime";
import { appInstallShim, tunnelShim } from "../provider/shim";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, useFastDeploymentPolling } from "./support/provider-host";
import { loadProvider, serializeProvider } from "./support/serialize";

const repoRoot = path.resolve(__dirname, "..", "..");

describe("serialized DooverAppInstall provider (__provider)", function () {
  this.timeout(20000);
  const emulator = useEmulator({ token: "install-serialization-token", deploymentStepMs: 10 });
  let cwd: string;
  useFastDeploymentPolling({ firstMs: 10, maxMs: 100 });

  before(() => {
    cwd = process.cwd();
    process.chdir(repoRoot); // the host's cwd is the program directory
  });
  after(() => {
    process.chdir(cwd);
    runtime.resetConfiguration();
  });

  it("is the same small shim as the other kinds, with no token, URL or implementation inside", async () => {
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    const s = await serializeProvider(appInstallShim);
    const tun = await serializeProvider(tunnelShim);
    assert.ok(s.size <= 2500, `__provider is ${s.size} bytes`);
    assert.equal(s.containsSecrets, false);
    assert.equal(s.text.includes(emulator.current.token), false);
    assert.equal(s.text.includes(emulator.current.url), false);
    assert.doesNotMatch(s.text, /fetch|Client|createDeployment|deployments|ajv/);
    const neutral = (t: string, kind: string, v: string) =>
      t.replaceAll(v, "SHIM").replace(`"${kind}"`, '"KIND"').replace(`r.${kind}[`, "r.KIND[");
    assert.equal(neutral(s.text, "appInstalls", "appInstallShim"), neutral(tun.text, "tunnels", "tunnelShim"));
    console.log(`      __provider: app install ${s.size} B`);
  });

  it("loads back and runs configure/check/create/read/diff/update/delete against the emulator", async () => {
    runtime.resetConfiguration();
    const app = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "serial_app", {
        type: "DEV",
        config_schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
      }),
    );
    const p = loadProvider((await serializeProvider(appInstallShim)).text);
    await p.configure({ config: stackConfig(emulatorConfig(emulator.current)).config } as never);
    const device = emulator.current.deviceIds[0];
    const bad = await p.check(
      {},
      { applicationId: app.body.id, deviceId: device, configSchema: app.body.config_schema, deploymentConfig: {} },
    );
    assert.deepEqual(
      bad.failures!.map((f) => f.property),
      ["deploymentConfig/n"],
    );
    const { inputs } = await p.check({}, { applicationId: app.body.id, deviceId: device, deploymentConfig: { n: 1 } });
    const { id, outs } = await p.create(inputs);
    assert.equal((outs as any).latestDeployment.status, "SUC");
    const read = await p.read(id, outs);
    assert.deepEqual(read.props, outs);
    assert.equal((await p.diff(id, outs, inputs)).changes, false);
    const updated = await p.update(id, outs, { ...inputs, deploymentConfig: { n: 2 } });
    assert.equal((updated.outs as any).latestDeployment.status, "SUC");
    assert.deepEqual((await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`)).body.deployment_config, {
      n: 2,
    });
    await p.delete(id, updated.outs!);
    assert.equal((await p.read(id, updated.outs!)).id, "");
  });
});
