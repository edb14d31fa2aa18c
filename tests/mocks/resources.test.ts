// DooverApplication / DooverTunnel under `pulumi.runtime.setMocks` (own mocha run: setMocks is global).
// Mocks never call the provider; they show what the program registers: type tokens, inputs, secrets,
// and the serialized `__provider`.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as providerModule from "../../provider";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

describe("resources under setMocks", function () {
  this.timeout(20000);
  const registered: Registered[] = [];
  let provider: typeof providerModule;

  before(async () => {
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const computed = args.type.endsWith(":Application")
            ? { applicationId: "900", archived: false, organisation: { id: "1", name: "Org" } }
            : { tunnelId: "901", endpoint: "https://t.example", isActive: true };
          return { id: `${args.name}-id`, state: { ...args.inputs, ...computed } };
        },
        call: () => ({}),
      },
      "proj",
      "test",
      false,
    );
    provider = await import("../../provider/index.js");
  });

  const last = (type: string) => [...registered].reverse().find((r) => r.type === type)!;
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

  it("registers DooverApplication as pulumi-nodejs:dynamic/doover:Application with its inputs", async () => {
    const app = new provider.DooverApplication("my_app", {
      displayName: "My app",
      type: "PRO",
      description: "d",
      configSchema: { type: "object" },
    });
    assert.equal(await value(app.applicationId), "900");
    assert.equal(await value(app.name), "my_app", "name defaults to the resource name");
    const r = last("pulumi-nodejs:dynamic/doover:Application");
    assert.equal(r.name, "my_app");
    assert.equal(r.inputs.name, "my_app");
    assert.equal(r.inputs.displayName, "My app");
    assert.deepEqual(r.inputs.configSchema, { type: "object" });
    assert.equal(typeof r.inputs.__provider, "string");
    assert.match(r.inputs.__provider, /pulumi-doover\/provider-runtime/);
    assert.equal("applicationId" in r.inputs, false, "outputs are not sent as inputs");
  });

  it("an explicit name wins over the resource name", async () => {
    const app = new provider.DooverApplication("logical", {
      name: "real_name",
      displayName: "x",
      type: "DEV",
      description: "d",
    });
    assert.equal(await value(app.name), "real_name");
  });

  it("shares one serialized provider text for every application", async () => {
    const a1 = new provider.DooverApplication("a1", { displayName: "x", type: "DEV", description: "d" });
    const a2 = new provider.DooverApplication("a2", { displayName: "y", type: "DEV", description: "d" });
    await Promise.all([value(a1.applicationId), value(a2.applicationId)]);
    const texts = registered.filter((r) => r.type.endsWith(":Application")).map((r) => r.inputs.__provider);
    assert.ok(texts.length >= 3);
    assert.equal(new Set(texts).size, 1);
  });

  it("registers DooverTunnel with a secret password and additionalSecretOutputs", async () => {
    let seenOpts: pulumi.CustomResourceOptions | undefined;
    const t = new provider.DooverTunnel(
      "web",
      { deviceId: "123", hostname: "localhost", port: 80, protocol: "http", password: "hunter2-pw" },
      {
        transformations: [
          (a) => {
            seenOpts = a.opts as pulumi.CustomResourceOptions;
            return undefined;
          },
        ],
      },
    );
    assert.equal(await value(t.tunnelId), "901");
    const r = last("pulumi-nodejs:dynamic/doover:Tunnel");
    assert.equal(r.inputs.name, "web");
    assert.equal(r.inputs.port, 80);
    assert.equal(r.inputs.password?.[SECRET_SIG] !== undefined, true, "password input is a secret");
    assert.equal(r.inputs.password.value, "hunter2-pw");
    assert.equal(r.inputs.__provider.includes("hunter2-pw"), false);
    assert.equal(await pulumi.isSecret(t.password), true);
    assert.deepEqual(seenOpts?.additionalSecretOutputs, ["password"]);
  });

  it("fromConfig builds an application from a doover_config.json entry", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-cfg-"));
    try {
      fs.mkdirSync(path.join(dir, "deployment"));
      fs.writeFileSync(path.join(dir, "deployment", "docker-compose.yml"), "services: {}\n");
      fs.writeFileSync(path.join(dir, "README.md"), "# Readme\n");
      fs.writeFileSync(
        path.join(dir, "doover_config.json"),
        JSON.stringify({
          cfg_app: {
            name: "cfg_app",
            display_name: "Cfg App",
            type: "DEV",
            visibility: "PUB",
            description: "From a file",
            long_description: "README.md",
            depends_on: ["platform_interface"],
            staging_config: { id: "SNOWFLAKE", key: "legacy-uuid", image_name: "img:staging" },
          },
        }).replace('"SNOWFLAKE"', "205837122022733829"), // a JSON number beyond 2^53, as real files have
      );
      const args = provider.applicationArgsFromConfig(path.join(dir, "doover_config.json"));
      assert.equal(args.name, "cfg_app");
      assert.equal(args.type, "DEV");
      assert.deepEqual(args.dependsOn, ["platform_interface"]);
      assert.equal(path.resolve(String(args.longDescriptionFile)), path.join(dir, "README.md"));
      assert.equal(path.resolve(String(args.deploymentFolder)), path.join(dir, "deployment"));
      assert.deepEqual(args.stagingConfig, { id: "205837122022733829", image_name: "img:staging" });
      const app = provider.DooverApplication.fromConfig("cfg", path.join(dir, "doover_config.json"));
      assert.equal(await value(app.name), "cfg_app");
      const r = last("pulumi-nodejs:dynamic/doover:Application");
      assert.equal(r.name, "cfg");
      assert.equal(r.inputs.displayName, "Cfg App");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
