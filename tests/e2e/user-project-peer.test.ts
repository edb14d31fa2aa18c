// A user project on another @pulumi/pulumi 3.x than the repository's (the peer dependency's lowest tested
// version): pulumi-doover installed from `npm pack` must share the user's one copy of the SDK, and
// preview → up → destroy must work on it (two copies would break `instanceof Output` and registration).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { useUserProject } from "../support/user-project";

/** The lowest @pulumi/pulumi the package claims (package.json peerDependencies `^X.Y.Z`). */
const LOWEST = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"),
).peerDependencies["@pulumi/pulumi"].replace(/^\^/, "");

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const config = new pulumi.Config();
const app = new DooverApplication("peer-app", {
  name: "peer_app",
  displayName: "Peer App",
  type: "processor",
  visibility: "private",
  description: "Made by a program on an older @pulumi/pulumi.",
});
const tunnel = new DooverTunnel("peer-tunnel", {
  deviceId: config.require("deviceId"),
  hostname: "127.0.0.1",
  port: 8080,
  protocol: "http",
});
export const appId = app.applicationId;
export const endpoint = tunnel.endpoint;
export const sdkVersion = require("@pulumi/pulumi/package.json").version;
`;

describe(`e2e user project on @pulumi/pulumi ${LOWEST} (peer dependency)`, function () {
  this.timeout(600_000);
  const ctx = useUserProject({
    program: PROGRAM,
    dependencies: { "@pulumi/pulumi": LOWEST },
    stack: "dev",
    emulator: { token: "peer-test-token-5c1e" },
    setUp: (project, emulator) => project.setConfig("deviceId", emulator.deviceIds[0]),
  });

  it(`installs exactly one @pulumi/pulumi, ${LOWEST}, shared with pulumi-doover`, async () => {
    const ls = await ctx.project.run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"]);
    assert.equal(ls.code, 0, ls.output);
    const copies = ls.stdout
      .trim()
      .split("\n")
      .filter((l) => l.endsWith(path.join("node_modules", "@pulumi", "pulumi")));
    assert.equal(copies.length, 1, `one copy of @pulumi/pulumi:\n${ls.stdout}`);
    const version = JSON.parse(fs.readFileSync(path.join(copies[0], "package.json"), "utf8")).version;
    assert.equal(version, LOWEST);
    assert.ok(!fs.existsSync(path.join(ctx.project.dir, "node_modules", "pulumi-doover", "node_modules", "@pulumi")));
  });

  it("preview, up and destroy work", async () => {
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.stdout, /\+ 3 to create|3 to create/);

    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    const outputs = await ctx.project.outputs();
    assert.equal(outputs.sdkVersion, LOWEST, "the program ran on the user's SDK");
    assert.match(String(outputs.appId), /^\d+$/);
    assert.match(String(outputs.endpoint), /^https?:\/\//);

    const again = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);

    const destroy = await ctx.project.destroy();
    assert.equal(destroy.code, 0, destroy.output);
    assert.deepEqual(await ctx.project.resources(), {});
  });
});
