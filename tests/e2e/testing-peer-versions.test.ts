// `pulumi-doover/testing` on the oldest @pulumi/pulumi the peer range admits and on the newest npm resolves in
// it (issue 16 item 5): a user's mocha tests in their own project (from `npm pack`). On older SDKs a resource
// whose input is an output of a failed resource never settles its outputs (the SDK drops the registration), so
// `outputValue(install.installId)` of an install of an invalid application hung until mocha's timeout, without
// the reason; it must reject with the application's error, on every version.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { useUserProject } from "../support/user-project";

const RANGE: string = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"))
  .peerDependencies["@pulumi/pulumi"];
const OLDEST = RANGE.replace(/^\^/, "");

// The user's tests: plain JavaScript, run by mocha with a short timeout (a hang fails fast, without a reason).
const TESTS = `const assert = require("node:assert/strict");
const { outputValue, setDooverMocks, DooverCheckError } = require("pulumi-doover/testing");

describe("my infrastructure (pulumi-doover/testing)", function () {
  this.timeout(5000);
  let doover;
  before(async () => {
    await setDooverMocks(undefined, { project: "user-project", stack: "test" });
    doover = require("pulumi-doover");
  });
  const schema = { type: "object", properties: { max_kpa: { type: "number" } }, required: ["max_kpa", "site"] };

  it("a valid application and its install get outputs", async () => {
    const app = new doover.DooverApplication("monitor", {
      name: "monitor", displayName: "Monitor", type: "device", description: "d", configSchema: schema,
    });
    const install = new doover.DooverAppInstall("monitor-on-1", {
      application: app, deviceId: "205837122022733829", deploymentConfig: { max_kpa: 5, site: "north" },
    });
    assert.match(await outputValue(install.installId), /^\\d{18}$/);
    assert.equal((await outputValue(install.latestDeployment)).status, "SUC");
  });

  it("the install of a hyphenated application rejects with the application's error, at once", async () => {
    const app = new doover.DooverApplication("pump-monitor", { displayName: "P", type: "device", description: "d" });
    const install = new doover.DooverAppInstall("pump-on-1", { application: app, deviceId: "1" });
    await assert.rejects(outputValue(install.installId), (e) => {
      assert.match(String(e.message ?? e), /DooverApplication "pump-monitor" has invalid inputs[\\s\\S]*name: name must contain only lower-case/);
      return true;
    });
  });

  it("a chain of dependents rejects with the first failure's error", async () => {
    const app = new doover.DooverApplication("bad-app", { displayName: "B", type: "device", description: "d" });
    const install = new doover.DooverAppInstall("bad-install", { application: app, deviceId: "1" });
    const tunnel = new doover.DooverTunnel("via-install", {
      deviceId: install.installId, hostname: "127.0.0.1", port: 22, protocol: "tcp",
    });
    await assert.rejects(outputValue(tunnel.endpoint), /DooverApplication "bad-app" has invalid inputs/);
  });

  it("a schema whose required names a key properties does not declare is valid; the install must still give it", async () => {
    const app = new doover.DooverApplication("site-app", {
      name: "site_app", displayName: "S", type: "device", description: "d", configSchema: schema,
    });
    assert.match(await outputValue(app.applicationId), /^\\d{18}$/);
    const install = new doover.DooverAppInstall("no-site", { application: app, deviceId: "1", deploymentConfig: { max_kpa: 1 } });
    await assert.rejects(outputValue(install.installId), (e) => {
      assert.ok(DooverCheckError.isInstance(e) || /deploymentConfig\\/site is required/.test(String(e)), String(e));
      assert.match(String(e.message ?? e), /deploymentConfig\\/site is required/);
      return true;
    });
  });
});
`;

for (const [label, spec] of [
  [`the oldest of the peer range (${OLDEST})`, OLDEST],
  [`the newest npm resolves in the peer range (${RANGE})`, RANGE],
] as const) {
  describe(`e2e pulumi-doover/testing on @pulumi/pulumi ${label}`, function () {
    this.timeout(600_000);
    const ctx = useUserProject({
      program: "export {};\n",
      dependencies: { "@pulumi/pulumi": spec },
      devDependencies: { mocha: "^11.7.0" },
      files: { "test/infra.test.js": TESTS },
    });

    it("a user's unit tests: dependents of an invalid resource reject with its error instead of hanging", async () => {
      const version = JSON.parse(
        fs.readFileSync(path.join(ctx.project.dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
      ).version as string;
      if (spec === OLDEST) assert.equal(version, OLDEST);
      else assert.ok(Number(version.split(".")[1]) >= Number(OLDEST.split(".")[1]), version);
      const r = await ctx.project.run("npx", ["mocha", "test/infra.test.js"], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, `@pulumi/pulumi ${version}:\n${r.output}`);
      assert.match(r.stdout, /4 passing/);
    });
  });
}
