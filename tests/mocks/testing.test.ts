// pulumi-doover/testing in this repository's mocks run (setMocks is global: this file installs DooverMocks in
// its own `before`): the provider's real check on mocked registrations, realistic outputs, secrets kept
// secret, `get` and other types passed through. The user-project e2e runs the same helper from a tarball.
import assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as providerModule from "../../provider/index.js";
import type * as testingModule from "../../testing/index.js";

describe("pulumi-doover/testing (DooverMocks)", function () {
  this.timeout(20_000);
  let provider: typeof providerModule;
  let testing: typeof testingModule;
  const delegated: string[] = [];

  before(async () => {
    testing = await import("../../testing/index.js");
    await testing.setDooverMocks(
      {
        newResource: (args) => {
          delegated.push(args.type);
          return { id: "user-mock-id", state: { ...args.inputs, fromUser: true } };
        },
        call: () => ({ answer: 42 }),
      },
      { project: "mocked", stack: "unit", organisationId: "142400552532231428" },
    );
    provider = await import("../../provider/index.js");
  });

  it("fills realistic application outputs, stable ids and the organisation", async () => {
    const app = new provider.DooverApplication("pump-app", {
      name: "pump_app",
      displayName: "Pump",
      type: "device",
      description: "d",
    });
    const id = await testing.outputValue(app.applicationId);
    assert.match(id, /^\d{18}$/);
    assert.equal(await testing.outputValue(app.id), id);
    assert.equal(await testing.outputValue(app.archived), false);
    assert.deepEqual(await testing.outputValue(app.organisation), {
      id: "142400552532231428",
      name: "Mock Organisation",
    });
    assert.equal(await testing.outputValue(app.type), "DEV", "the check's normalised value");
    const again = new provider.DooverApplication("pump-app-2", {
      name: "pump_app_2",
      displayName: "Pump",
      type: "device",
      description: "d",
    });
    assert.notEqual(await testing.outputValue(again.applicationId), id, "ids differ per resource");
  });

  it("hashes a deployment folder like the provider", async () => {
    const folder = path.join(__dirname, "..", "..", "..", "examples", "from-config", "deployment");
    const app = new provider.DooverApplication("with-deployment", {
      name: "with_deployment",
      displayName: "D",
      type: "processor",
      description: "d",
      deploymentFolder: folder,
    });
    assert.match(String(await testing.outputValue(app.deploymentHash)), /^[0-9a-f]{64}$/);
  });

  it("tunnels: endpoint, endpointId, isActive; a secret password stays secret", async () => {
    const t = new provider.DooverTunnel("web", {
      deviceId: "205837122022733829",
      hostname: "127.0.0.1",
      port: 8080,
      protocol: "http",
      password: pulumi.secret("pw-7d1e"),
      active: true,
    });
    assert.match(await testing.outputValue(t.endpoint), /^https:\/\/[0-9a-f]{16}\.tunnels\.mock\.doover\.local$/);
    assert.match(await testing.outputValue(t.endpointId), /^[0-9a-f]{16}$/);
    assert.equal(await testing.outputValue(t.isActive), true);
    assert.equal(await pulumi.isSecret(t.password), true);
    assert.equal(await testing.outputValue(t.password), "pw-7d1e");
  });

  for (const [label, make, pattern] of [
    [
      "type: DEVICE!",
      () =>
        new provider.DooverApplication("bad-type", { displayName: "x", type: "DEVICE!" as never, description: "d" }),
      /DooverApplication "bad-type" has invalid inputs[\s\S]*type: type must be one of/,
    ],
    [
      "a hyphenated app name",
      () =>
        new provider.DooverApplication("bad-name", {
          name: "bad-name",
          displayName: "x",
          type: "DEV",
          description: "d",
        }),
      /name: name must contain only lower-case letters/,
    ],
    [
      "port 99999",
      () =>
        new provider.DooverTunnel("bad-port", {
          deviceId: "205837122022733829",
          hostname: "h",
          port: 99999,
          protocol: "tcp",
        }),
      /port: port must be an integer from 1 to 65535/,
    ],
  ] as const) {
    it(`rejects ${label} the way preview does`, async () => {
      const r = (make as () => pulumi.CustomResource)();
      await assert.rejects(testing.outputValue(r.id), pattern);
    });
  }

  it("other resource types and calls go to the user's mocks", async () => {
    class Thing extends pulumi.CustomResource {
      declare readonly fromUser: pulumi.Output<boolean>;
      constructor(name: string) {
        super("acme:index:Thing", name, { size: 3, fromUser: undefined });
      }
    }
    const thing = new Thing("thing");
    assert.equal(await testing.outputValue(thing.id), "user-mock-id");
    assert.equal(await testing.outputValue(thing.fromUser), true);
    assert.ok(delegated.includes("acme:index:Thing"));
    assert.ok(!delegated.some((t) => t.includes("doover")), "Doover types are not delegated");
  });

  it("DooverCheckError names the resource and every failure", () => {
    const e = new testing.DooverCheckError(testing.TUNNEL_TYPE, "t", [
      { property: "port", reason: "bad" },
      { property: "hostname", reason: "missing" },
    ]);
    assert.ok(testing.DooverCheckError.isInstance(e));
    assert.match(e.message, /DooverTunnel "t"[\s\S]*- port: bad\n {2}- hostname: missing/);
  });
});
