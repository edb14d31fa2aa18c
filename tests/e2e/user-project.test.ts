// Issue 8 "done when": a user's own TypeScript project outside the repository, following the README alone:
// install the packed tarball next to @pulumi/pulumi → stack init + config (token as a secret) → preview →
// up → unit tests of the program with `pulumi-doover/testing` under mocha → destroy. Real CLI (through
// `npm run pulumi`'s script, `--cwd <project>`), real emulator.
import assert from "node:assert/strict";
import { emulatorFetch } from "../support/emulator";
import { useUserProject } from "../support/user-project";
import { writes } from "./helpers";

const TOKEN = "user-project-token-3d9f27";
const SSH_PASSWORD = "ssh-pw-user-project-81c4";

// The README's usage example, as a user would save it in index.ts.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const config = new pulumi.Config();
const deviceId = config.require("deviceId");

const monitor = new DooverApplication("pump-monitor", {
  name: "pump_monitor",
  displayName: "Pump Monitor",
  type: "device",
  visibility: "private",
  description: "Reads pump pressure and flow.",
  configSchema: { type: "object", properties: { max_kpa: { type: "number" } } },
});

const ssh = new DooverTunnel("pump-ssh", {
  deviceId,
  hostname: "127.0.0.1",
  port: 22,
  protocol: "tcp",
  username: "maintenance",
  password: config.requireSecret("sshPassword"),
  active: true,
});

export const appId = monitor.applicationId;
export const sshEndpoint = ssh.endpoint;
export const sshActive = ssh.isActive;
`;

// The README's "Testing your program" example.
const UNIT_TEST = `import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DooverTunnel } from "pulumi-doover";
import { outputValue, setDooverMocks } from "pulumi-doover/testing";

describe("infrastructure", function () {
  this.timeout(30_000);
  const others: string[] = [];
  let infra: typeof import("../index.js");

  before(async () => {
    // Doover resources are checked and filled by DooverMocks; anything else goes to these mocks.
    await setDooverMocks(
      {
        newResource: (args) => {
          others.push(args.type);
          return { id: \`\${args.name}-id\`, state: args.inputs };
        },
      },
      { project: "user-project", stack: "test" },
    );
    pulumi.runtime.setAllConfig(
      { "user-project:deviceId": "205837122022733829", "user-project:sshPassword": "not-a-real-password" },
      ["user-project:sshPassword"],
    );
    infra = await import("../index.js");
  });

  it("creates the app and an active SSH tunnel", async () => {
    assert.match(await outputValue(infra.appId), /^\\d{18}$/);
    assert.match(await outputValue(infra.sshEndpoint), /^tcp:\\/\\/.+:\\d+$/);
    assert.equal(await outputValue(infra.sshActive), true);
  });

  it("rejects inputs that pulumi preview would reject", async () => {
    const bad = new DooverTunnel("bad-port", { deviceId: "205837122022733829", hostname: "127.0.0.1", port: 99999, protocol: "tcp" });
    await assert.rejects(outputValue(bad.tunnelId), /port: port must be an integer from 1 to 65535/);
  });

  it("passes other resource types to my mocks", async () => {
    class Thing extends pulumi.CustomResource {
      constructor(name: string) {
        super("acme:index:Thing", name, { size: 3 });
      }
    }
    await outputValue(new Thing("thing").id);
    assert.ok(others.includes("acme:index:Thing"));
  });
});
`;

describe("e2e a user's own project, following the README (install → preview → up → unit tests → destroy)", function () {
  this.timeout(900_000);
  const ctx = useUserProject({
    program: PROGRAM,
    devDependencies: { mocha: "^11.7.0", "@types/mocha": "^10.0.10" },
    scripts: { test: "tsc && mocha 'bin/test/**/*.test.js'" },
    files: { "test/infra.test.ts": UNIT_TEST },
    typeCheck: true,
    emulator: { token: TOKEN },
  });
  let appId: string;
  let tunnelId: string;

  it("install: pulumi-doover from the tarball shares the project's one @pulumi/pulumi", async () => {
    const ls = await ctx.project.run("npm", ["ls", "pulumi-doover", "@pulumi/pulumi"]);
    assert.equal(ls.code, 0, ls.output);
    assert.match(ls.stdout, /pulumi-doover@\d+\.\d+\.\d+/);
    assert.match(ls.stdout, /@pulumi\/pulumi@\d+\.\d+\.\d+ deduped/, "the package uses the project's SDK");
  });

  it("stack init and config (token and password as secrets)", async () => {
    await ctx.project.initStack("dev");
    await ctx.project.setConfig("doover:apiUrl", ctx.emulator.url);
    await ctx.project.setConfig("doover:token", TOKEN, { secret: true });
    await ctx.project.setConfig("doover:organisationId", ctx.emulator.organisationId);
    await ctx.project.setConfig("deviceId", ctx.emulator.deviceIds[0]);
    await ctx.project.setConfig("sshPassword", SSH_PASSWORD, { secret: true });
  });

  it("preview lists the creates and writes nothing", async () => {
    ctx.emulator.clearLog();
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.stdout, /\+ pulumi-nodejs:dynamic\/doover:Application: \(create\)\s+\[urn=.*::pump-monitor\]/);
    assert.match(preview.stdout, /\+ pulumi-nodejs:dynamic\/doover:Tunnel: \(create\)\s+\[urn=.*::pump-ssh\]/);
    assert.match(preview.stdout, /\+ 3 to create/);
    assert.deepEqual(writes(ctx.emulator), []);
  });

  it("up creates them in Doover", async () => {
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    const outputs = await ctx.project.outputs();
    appId = String(outputs.appId);
    assert.match(appId, /^\d+$/);
    const app = await emulatorFetch(ctx.emulator, "GET", `/applications/${appId}/`);
    assert.equal(app.body.name, "pump_monitor");
    assert.equal(outputs.sshActive, true);
    tunnelId = String((await ctx.project.resources())["pump-ssh"].id);
    const tunnel = await emulatorFetch(ctx.emulator, "GET", `/tunnels/${tunnelId}/`);
    assert.equal(tunnel.body.is_active, true);
    const exported = await ctx.project.exportText();
    assert.ok(!exported.includes(TOKEN), "no token in state");
    assert.ok(!exported.includes(SSH_PASSWORD), "no tunnel password in state");

    const again = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);
  });

  it("refresh with nothing changed outside: one GET per resource, no write, state as it was", async () => {
    const before = await ctx.project.resources({ showSecrets: true }); // ciphertexts change on every save
    ctx.emulator.clearLog();
    const refresh = await ctx.project.refresh(["--skip-preview", "--expect-no-changes"]);
    assert.equal(refresh.code, 0, refresh.output);
    assert.deepEqual(
      ctx.emulator
        .log()
        .map((e) => e.method)
        .sort(),
      ["GET", "GET"],
    );
    const after = await ctx.project.resources({ showSecrets: true });
    for (const name of ["pump-monitor", "pump-ssh"]) {
      assert.deepEqual(after[name].inputs, before[name].inputs, `${name}: stored inputs kept`);
      assert.deepEqual(after[name].outputs, before[name].outputs, `${name}: outputs unchanged`);
    }
  });

  it("the program's unit tests pass with pulumi-doover/testing (npm test: tsc + mocha)", async () => {
    const before = ctx.emulator.log().length;
    const test = await ctx.project.run("npm", ["test"]);
    assert.equal(test.code, 0, test.output);
    assert.match(test.stdout, /3 passing/);
    assert.equal(ctx.emulator.log().length, before, "unit tests call no API");
  });

  it("destroy archives the app and deletes the tunnel", async () => {
    const destroy = await ctx.project.destroy();
    assert.equal(destroy.code, 0, destroy.output);
    assert.deepEqual(await ctx.project.resources(), {});
    const app = await emulatorFetch(ctx.emulator, "GET", `/applications/${appId}/`);
    assert.equal(app.body.archived, true);
    assert.equal((await emulatorFetch(ctx.emulator, "GET", `/tunnels/${tunnelId}/`)).status, 404);
  });
});
