// DooverApplication / DooverTunnel under `pulumi.runtime.setMocks` (own mocha run: setMocks is global).
// Mocks never call the provider; they show what the program registers: type tokens, inputs, secrets,
// and the serialized `__provider`.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as providerModule from "../../provider";
import { outputValue } from "../../testing/index.js";
import { type Registered, setRecordingMocks } from "./recording-mocks";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

describe("resources under setMocks", function () {
  this.timeout(20000);
  let registered: Registered[] = [];
  let last: (type: string) => Registered;
  let provider: typeof providerModule;

  before(async () => {
    ({ registered, last } = setRecordingMocks((args) => {
      const computed = args.type.endsWith(":Application")
        ? { applicationId: "900", archived: false, organisation: { id: "1", name: "Org" } }
        : { tunnelId: "901", endpoint: "https://t.example", isActive: true };
      // As the real provider: the resource id is the application/tunnel id.
      const id = "applicationId" in computed ? computed.applicationId : computed.tunnelId;
      return { id, state: { ...args.inputs, ...computed } };
    }, false));
    provider = await import("../../provider/index.js");
  });

  it("registers applicationId/tunnelId as the resource id, not as a property of their own", async () => {
    const app = new provider.DooverApplication("id_app", { displayName: "I", type: "PRO", description: "d" });
    const t = new provider.DooverTunnel("id_tunnel", { deviceId: "1", hostname: "h", port: 22, protocol: "tcp" });
    assert.equal(await outputValue(app.applicationId), await outputValue(app.id));
    assert.equal(await outputValue(t.tunnelId), await outputValue(t.id));
    assert.equal(Object.hasOwn(last("pulumi-nodejs:dynamic/doover:Application").inputs, "applicationId"), false);
  });

  it("the import option becomes a pinned adopt (the engine never sees `import`); a different adopt id is refused", async () => {
    const app = new provider.DooverApplication(
      "imported_app",
      { displayName: "I", type: "PRO", description: "d" },
      { import: "388027951720960004" },
    );
    await outputValue(app.id); // registered by now
    const reg = last("pulumi-nodejs:dynamic/doover:Application");
    assert.equal(reg.name, "imported_app");
    assert.equal(reg.inputs.adopt, "388027951720960004");
    assert.equal(reg.inputs.__dooverPreview, undefined, "not a preview: check stays offline in `up`");
    assert.equal(await outputValue(app.adopt), "388027951720960004");
    const t = new provider.DooverTunnel(
      "imported_tunnel",
      { deviceId: "1", hostname: "h", port: 22, protocol: "tcp" },
      { import: "77" },
    );
    await outputValue(t.id);
    assert.equal(last("pulumi-nodejs:dynamic/doover:Tunnel").inputs.adopt, "77");
    assert.notEqual(await outputValue(t.tookOver), true, "no take-over reported by these mocks");
    assert.throws(
      () =>
        new provider.DooverApplication(
          "twice",
          { displayName: "I", type: "PRO", description: "d", adopt: "1" },
          { import: "2" },
        ),
      /the `import` option \(2\) and `adopt` \("1"\) name different objects/,
    );
    const plain = new provider.DooverApplication("plain_app", { displayName: "P", type: "PRO", description: "d" });
    assert.equal(await outputValue(plain.tookOver), false);
    await outputValue(plain.id);
    assert.equal(Object.hasOwn(last("pulumi-nodejs:dynamic/doover:Application").inputs, "tookOver"), false);
  });

  it("registers with stack capture paused (the SDK's per-promise stack traces), and puts the limit back", async () => {
    const before = Error.stackTraceLimit;
    // Stack frames V8 formats while a resource is constructed (what the SDK's promise stacks cost).
    const framesFormatted = (make: () => void) => {
      const prev = Error.prepareStackTrace;
      let frames = 0;
      Error.prepareStackTrace = (e, calls) => {
        frames += calls.length;
        return prev ? prev(e, calls) : `${e}\n${calls.map((c) => `    at ${c}`).join("\n")}`;
      };
      try {
        make();
      } finally {
        Error.prepareStackTrace = prev;
      }
      return frames;
    };
    const args = { displayName: "Q", type: "PRO", description: "d" } as const;
    const quiet = framesFormatted(() => new provider.DooverApplication("quiet_app", args));
    assert.equal(Error.stackTraceLimit, before);
    // PULUMI_DEBUG_PROMISE_LEAKS wants them: then nothing is paused.
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    let loud: number;
    try {
      loud = framesFormatted(() => new provider.DooverApplication("loud_app", args));
    } finally {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
    // Paused, only the resource's own source position is captured (the SDK lifts the limit for it).
    assert.ok(loud > quiet + 100, `frames formatted: ${quiet} paused, ${loud} not`);
    console.log(`      frames formatted constructing one DooverApplication: ${quiet} (paused), ${loud} (not)`);
    // A registration that throws: the limit is back and the error's stack points at this test.
    assert.throws(
      () => new provider.DooverTunnel("", { deviceId: "1", hostname: "h", port: 22, protocol: "tcp" }),
      (e: Error) => /resources\.test/.test(String(e.stack)),
    );
    assert.equal(Error.stackTraceLimit, before);
  });

  it("registers DooverApplication as pulumi-nodejs:dynamic/doover:Application with its inputs", async () => {
    const app = new provider.DooverApplication("my_app", {
      displayName: "My app",
      type: "PRO",
      description: "d",
      configSchema: { type: "object" },
    });
    assert.equal(await outputValue(app.applicationId), "900");
    assert.equal(await outputValue(app.name), "my_app", "name defaults to the resource name");
    const r = last("pulumi-nodejs:dynamic/doover:Application");
    assert.equal(r.name, "my_app");
    assert.equal(r.inputs.name, "my_app");
    assert.equal(r.inputs.displayName, "My app");
    assert.deepEqual(r.inputs.configSchema, { type: "object" });
    assert.equal(typeof r.inputs.__provider, "string");
    assert.match(r.inputs.__provider, /pulumi-doover\/provider-runtime/);
    assert.equal("applicationId" in r.inputs, false, "outputs are not sent as inputs");
    assert.equal(r.inputs.__dooverResource, "my_app", "the resource name, for check's duplicate-name test");
  });

  it("an explicit name wins over the resource name", async () => {
    const app = new provider.DooverApplication("logical", {
      name: "real_name",
      displayName: "x",
      type: "DEV",
      description: "d",
    });
    assert.equal(await outputValue(app.name), "real_name");
  });

  it("shares one serialized provider text for every application", async () => {
    const a1 = new provider.DooverApplication("a1", { displayName: "x", type: "DEV", description: "d" });
    const a2 = new provider.DooverApplication("a2", { displayName: "y", type: "DEV", description: "d" });
    await Promise.all([outputValue(a1.applicationId), outputValue(a2.applicationId)]);
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
    assert.equal(await outputValue(t.tunnelId), "901");
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
      assert.equal(await outputValue(app.name), "cfg_app");
      const r = last("pulumi-nodejs:dynamic/doover:Application");
      assert.equal(r.name, "cfg");
      assert.equal(r.inputs.displayName, "Cfg App");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("children of two components get distinct resource labels for check's duplicate-name test", async () => {
    const apps = ["site-a", "site-b"].map((site) => {
      const parent = new pulumi.ComponentResource("test:index:Site", site);
      const args = { name: `${site.replace("-", "_")}_app`, displayName: "x", type: "DEV", description: "d" } as const;
      return new provider.DooverApplication("app", args, { parent });
    });
    await Promise.all(apps.map((a) => outputValue(a.applicationId)));
    const labels = registered
      .filter((r) => r.type.endsWith(":Application") && r.name === "app")
      .map((r) => r.inputs.__dooverResource)
      .sort();
    assert.deepEqual(labels, ["site-a/app", "site-b/app"]);
  });
});
