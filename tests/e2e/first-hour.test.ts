// Issue 16, a new user's first hour, as a user would meet it: their own project (from `npm pack`), the real
// CLI through `npm run pulumi`, the emulator, and the mistakes people make on purpose.
//   1. a wrong API address fails within seconds, once, naming the URL, `doover:apiUrl` and what was tried,
//      and says it is retrying while it does;
//   2. a missing token: preview warns (and passes), `up` explains once and the other resources point at it;
//   6. `required` naming a key that `properties` does not declare: a warning naming the path, preview passes;
//   7. an 18-digit id stored as a config number: the digits lost, and how to keep it a string;
//   8. an install's diff shows no configSchema; a changed secret is marked in `preview --diff`; a long
//      deployment prints its status (QUE → RUN → SUC);
//  10. the package on Node.js 20 stops at load with one line naming the version it needs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { nodeVersionProblem } from "../../sdk/node-version";
import { useUserProject } from "../support/user-project";

const TOKEN = "first-hour-token-5e0c7a";
const PASSWORD = "first-hour-ssh-pw-9d2b";
const LONG_ID = "388027951720960004"; // 18 digits, above 2^53

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverAppInstall, DooverApplication, DooverTunnel } from "pulumi-doover";

const config = new pulumi.Config();
const scenario = config.require("scenario");

if (scenario === "apps") {
  for (const i of [1, 2]) {
    new DooverApplication(\`app-\${i}\`, {
      name: \`\${pulumi.getStack().replace(/-/g, "_")}_app_\${i}\`,
      displayName: \`App \${i}\`,
      type: "processor",
      description: "First hour.",
    });
  }
  new DooverTunnel("ssh", { deviceId: "205837122022733829", hostname: "127.0.0.1", port: 22, protocol: "tcp" });
}

if (scenario === "ids") {
  const deviceIds = config.requireObject<string[]>("deviceIds");
  new DooverTunnel("by-id", { deviceId: deviceIds[0], hostname: "127.0.0.1", port: 22, protocol: "tcp" });
}

if (scenario === "install") {
  const app = new DooverApplication("monitor", {
    name: "first_hour_monitor",
    displayName: "Monitor",
    type: "device",
    description: "First hour.",
    configSchema: {
      type: "object",
      properties: {
        max_kpa: { type: "number", minimum: 0, description: "SCHEMA-TEXT-THAT-INSTALLS-MUST-NOT-REPEAT" },
      },
      required: ["max_kpa", "site"],
    },
  });
  new DooverAppInstall("monitor-on-1", {
    application: app,
    deviceId: config.require("deviceId"),
    deploymentConfig: config.requireObject<Record<string, unknown>>("deploymentConfig"),
  });
  new DooverTunnel("ssh", {
    deviceId: config.require("deviceId"),
    hostname: "127.0.0.1",
    port: 22,
    protocol: "tcp",
    password: config.requireSecret("sshPassword"),
  });
}
`;

/** The text after the CLI's "Diagnostics:" heading (each resource's errors and messages, once). */
function diagnostics(output: string): string {
  const at = output.indexOf("Diagnostics:");
  assert.ok(at >= 0, `no Diagnostics section:\n${output}`);
  return output.slice(at);
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, "g")) ?? []).length;

describe("e2e the first hour with a real project (issue 16)", function () {
  this.timeout(900_000);
  const ctx = useUserProject({ program: PROGRAM, emulator: { token: TOKEN } });

  async function stack(name: string, config: Record<string, string>, secrets: Record<string, string> = {}) {
    await ctx.project.initStack(name);
    for (const [k, v] of Object.entries({ scenario: "apps", ...config })) await ctx.project.setConfig(k, v);
    for (const [k, v] of Object.entries(secrets)) await ctx.project.setConfig(k, v, { secret: true });
  }

  it("1. a wrong API address fails within seconds, once, naming the URL, doover:apiUrl and what was tried", async () => {
    await stack(
      "wrong-url",
      { "doover:apiUrl": "http://127.0.0.1:1", "doover:organisationId": "1" },
      { "doover:token": TOKEN },
    );
    // Before: dots for 356 s, then 16 attempts over 180 s per call (two budgets per app create).
    const up = await ctx.project.pulumi(
      ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never", "--stack", "wrong-url"],
      { timeoutMs: 120_000 },
    );
    assert.equal(up.signal, null, `up was still running after 120 s:\n${up.output}`);
    assert.notEqual(up.code, 0);
    const diag = diagnostics(up.stdout);
    assert.equal(count(diag, /could not be reached: connect ECONNREFUSED/), 1, `one explanation:\n${diag}`);
    assert.match(
      diag,
      /Doover API at http:\/\/127\.0\.0\.1:1 could not be reached: connect ECONNREFUSED 127\.0\.0\.1:1\. Tried \d+ times over [\d.]+ s \((GET|POST) \/[^)]*\)\. This process has never reached that address, so it is most likely wrong: it comes from stack config doover:apiUrl/,
    );
    assert.match(diag, /`pulumi config set doover:apiUrl <url>`/);
    assert.equal(count(diag, /not tried again: it failed the same way moments ago/), 2, diag);
    // While it retried it said so, with the budget left (on the stack's row and under Diagnostics).
    assert.match(
      up.stdout,
      /doover: (GET|POST) \/\S+ at http:\/\/127\.0\.0\.1:1 failed \(connect ECONNREFUSED[^)]*\); retrying in [\d.]+ s \(attempt \d+; [\d.]+ s left/,
    );
  });

  it("2. a missing token: preview warns and passes; up explains once, the other resources point at it", async () => {
    await stack("no-token", {
      "doover:apiUrl": ctx.emulator.url,
      "doover:organisationId": ctx.emulator.organisationId,
    });
    ctx.emulator.clearLog();
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.equal(count(preview.output, /warning: no Doover API token for this stack/), 1, preview.output);
    assert.match(preview.output, /`pulumi config set --secret doover:token <token>`/);
    assert.match(preview.output, /DOOVER_API_TOKEN/);
    assert.match(preview.output, /profile "default" in \S+\.doover\/config/);

    const up = await ctx.project.up(["--skip-preview"]);
    assert.notEqual(up.code, 0);
    const diag = diagnostics(up.stdout);
    assert.equal(count(diag, /Looked in:/), 1, `one explanation:\n${diag}`);
    assert.match(
      diag,
      /no Doover API token\. Set one for this stack with `pulumi config set --secret doover:token <token>`/,
    );
    assert.ok(count(diag, /no Doover API token \(stack config doover:token is not set\): see the first/) >= 1, diag);
    assert.deepEqual(ctx.emulator.log(), [], "nothing reached the API");

    // With a token the same preview has nothing to warn about.
    await ctx.project.setConfig("doover:token", TOKEN, { secret: true });
    const again = await ctx.project.preview();
    assert.equal(again.code, 0, again.output);
    assert.doesNotMatch(again.output, /no Doover API token/);
  });

  it("7. an 18-digit id stored as a config number: preview says the digits were lost and how to keep it a string", async () => {
    await stack("ids", { scenario: "ids" });
    await ctx.project.useApi(ctx.emulator);
    await ctx.project.pulumiOk(["config", "set", "--stack", "ids", "--path", "deviceIds[0]", LONG_ID]);
    const lost = await ctx.project.preview();
    assert.notEqual(lost.code, 0);
    assert.match(
      lost.output,
      /deviceId arrived as the number 388027951720960000, above 2\^53, so its last digits were lost/,
    );
    assert.match(lost.output, /pulumi config set --path --type string/);

    // The advice works: the id stays a string, digit for digit.
    await ctx.project.pulumiOk([
      "config",
      "set",
      "--stack",
      "ids",
      "--path",
      "--type",
      "string",
      "deviceIds[0]",
      LONG_ID,
    ]);
    const ok = await ctx.project.preview();
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.stdout, new RegExp(`deviceId\\s*: "${LONG_ID}"`));
  });

  it("6, 8. schema warning names the path; no configSchema in the install's diff; status of a long deployment; a changed secret is marked", async () => {
    await stack(
      "install",
      { scenario: "install", deviceId: ctx.emulator.deviceIds[0], deploymentConfig: '{"max_kpa": 5, "site": "north"}' },
      { sshPassword: PASSWORD },
    );
    await ctx.project.useApi(ctx.emulator);
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.output, /warning: configSchema \/required: names "site", which properties does not declare/);
    const installBlock = preview.stdout.slice(preview.stdout.indexOf("doover:AppInstall: (create)"));
    assert.ok(installBlock.length > 0 && !installBlock.includes("configSchema"), preview.stdout);
    assert.equal(count(preview.stdout, /SCHEMA-TEXT-THAT-INSTALLS-MUST-NOT-REPEAT/), 1, "shown once, on the app");

    // A deployment that takes ~10 s says what it waits for as it moves.
    ctx.emulator.addFault({ path: "/app_installs/", deployment: { stepMs: 5000 } });
    const up = await ctx.project.up(["--skip-preview"]);
    assert.equal(up.code, 0, up.output);
    assert.match(
      up.stdout,
      /doover: app install "first_hour_monitor" \(\d+\) on device \d+: deployment \d+ is (QUE|RUN)/,
    );
    assert.match(up.stdout, /deployment \d+ ended SUC \(succeeded\) after \d+ s/);

    // Only the secret changed: the property is marked, the value is not shown.
    await ctx.project.setConfig("sshPassword", `${PASSWORD}-rotated`, { secret: true });
    const secret = await ctx.project.preview();
    assert.equal(secret.code, 0, secret.output);
    assert.match(
      secret.stdout,
      /~ pulumi-nodejs:dynamic\/doover:Tunnel: \(update\)[\s\S]*~ password: \[secret\] => \[secret\]/,
    );
    assert.ok(!secret.output.includes(PASSWORD), "no secret in the output");

    // The first-preview validation is kept for updates: the schema still requires site.
    await ctx.project.setConfig("deploymentConfig", '{"max_kpa": 5}');
    const invalid = await ctx.project.preview();
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.output, /deploymentConfig\/site is required/);
  });

  it("10. on Node.js 20 the package stops at load with one line naming the version it needs", async function () {
    const node = systemNode();
    const version = node && execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
    if (!node || !nodeVersionProblem(version!, node)) this.skip(); // a machine without an older Node.js
    for (const entry of ["pulumi-doover", "pulumi-doover/testing", "pulumi-doover/sdk"]) {
      const r = await ctx.project.run(node!, ["-e", `require(${JSON.stringify(entry)})`]);
      assert.notEqual(r.code, 0, `${entry} loaded on ${version}`);
      const ours = r.stderr.split("\n").filter((l) => l.includes("pulumi-doover needs"));
      assert.equal(ours.length, 1, r.stderr);
      assert.match(ours[0], new RegExp(`pulumi-doover needs Node\\.js 22 or newer; this is Node\\.js ${version}`));
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack frames");
    }
  });
});

/** The machine's own `node` (not the Node 22 from node_modules/.bin that the harness puts first on PATH). */
function systemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const candidate = path.join(dir, "node");
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
