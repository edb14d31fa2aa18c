// Issue 20 with the real clients: a profile written by pydoover's own ConfigManager (what `doover login`
// leaves), access tokens that live 2 s and refresh tokens rotated on every refresh. Four stacks run `pulumi up`
// at once (eight provider processes refreshing the same profile); afterwards the file is byte for byte what
// pydoover itself would write for its values, its refresh token is the live one, and doover-cli reads the
// profile, refreshes with it and lists what the four stacks made.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { distinctiveToken } from "../e2e/helpers";
import type { Emulator } from "../support/emulator";
import { useUserProject } from "../support/user-project";
import { DooverHome, ensurePythonClients, parseJsonKeepingIds } from "./python-clients";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverAppInstall } from "pulumi-doover";

const config = new pulumi.Config();
const stack = pulumi.getStack();
const app = new DooverApplication("app", {
  name: \`rotated_\${stack}\`,
  displayName: \`Rotated \${stack}\`,
  type: "device",
  description: "Made while the profile's tokens rotate.",
  configSchema: { type: "object", properties: {} },
});
export const installId = new DooverAppInstall("install", {
  application: app,
  deviceId: config.require("deviceId"),
  deploymentConfig: {},
}).installId;
`;

/** Runs a Python snippet with pydoover in `home`'s environment; `result` is returned as JSON. */
function python(home: DooverHome, snippet: string, args: unknown): Promise<any> {
  const program = [
    "import json, sys",
    "args = json.loads(sys.stdin.read())",
    "result = None",
    snippet,
    "print(json.dumps(result))",
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(
      home.clients.python,
      ["-c", program.join("\n")],
      { env: home.env(), timeout: 60_000 },
      (err, out, stderr) =>
        err
          ? reject(new Error(`${err.message}\n${stderr}`))
          : resolve(parseJsonKeepingIds(out.trim().split("\n").pop()!)),
    );
    child.stdin?.end(JSON.stringify(args));
  });
}

describe("real clients: 4 concurrent stacks refresh one doover login profile with rotation; doover-cli uses it after", function () {
  this.timeout(1_200_000);
  let home: DooverHome | undefined;
  const ctx = useUserProject({
    program: PROGRAM,
    name: "rotating-profile",
    emulator: {
      token: distinctiveToken("rotating"),
      tokenTtlSeconds: 2,
      rotateRefreshTokens: true,
      deploymentStepMs: 2500,
    },
    skip: () => {
      const clients = ensurePythonClients();
      if (typeof clients !== "string") return false;
      if (process.env.CI) throw new Error(`the real-client tests need Python in CI: ${clients}`);
      return true;
    },
  });
  after(() => home?.dispose());

  it("every up succeeds; the file is pydoover's format with the live refresh token; doover-cli refreshes with it", async () => {
    const clients = ensurePythonClients();
    if (typeof clients === "string") throw new Error(clients);
    const emulator: Emulator = ctx.emulator;
    home = new DooverHome(clients, emulator);
    // The profile as pydoover writes it (an expired token: the first call of each process is due at once).
    await python(
      home,
      [
        "from pydoover.api.auth import AuthProfile, ConfigManager",
        "m = ConfigManager()",
        "m.create(AuthProfile(profile='default', token='expired-at-login', token_expires=1767225600.0,",
        "  control_base_url=args['url'], data_base_url=args['url'], refresh_token=args['rt'], refresh_token_id='rt-login',",
        "  auth_server_url=args['auth'], auth_server_client_id=args['client']))",
        "m.create(AuthProfile(profile='other', token='other-token', control_base_url='https://api.doover.com'))",
        "m.write()",
      ].join("\n"),
      { url: emulator.url, rt: emulator.refreshToken, auth: emulator.authServerUrl, client: emulator.clientId },
    );
    const env = { HOME: home.dir };
    const stacks = ["s0", "s1", "s2", "s3"];
    for (const [i, stack] of stacks.entries()) {
      await ctx.project.pulumiOk(["stack", "init", stack], { extraEnv: env });
      ctx.project.stack = stack;
      await ctx.project.setConfig("doover:organisationId", emulator.organisationId);
      await ctx.project.setConfig("deviceId", emulator.deviceIds[i % emulator.deviceIds.length]);
    }
    const ups = await Promise.all(
      stacks.map((stack) =>
        ctx.project.pulumi(["up", "--yes", "--non-interactive", "--color", "never", "--stack", stack], {
          extraEnv: env,
        }),
      ),
    );
    for (const up of ups) {
      assert.equal(up.code, 0, up.output);
      assert.doesNotMatch(up.output, /\b401\b|Unauthorized|could not be refreshed/, up.output);
    }
    const grants = emulator.log().filter((e) => e.path === "/oauth2/token");
    assert.ok(grants.length >= 4, `${grants.length} grants`);
    assert.deepEqual(
      grants.filter((e) => e.status !== 200),
      [],
      "no process spent a refresh token another one had already rotated away",
    );
    const summary = (await (await fetch(`${emulator.url}/_emulator/auth/`)).json()) as any;
    assert.equal(summary.refreshTokens.active, 1, "one unbroken chain of refresh tokens");

    // Byte for byte what pydoover writes for these values; the live refresh token; other profiles kept.
    const text = fs.readFileSync(home.configPath, "utf8");
    const read = await python(
      home,
      [
        "from pydoover.api.auth import ConfigManager",
        "m = ConfigManager()",
        "p = m.get('default')",
        "result = {'dump': m.dump(), 'rt': p.refresh_token, 'rt_id': p.refresh_token_id, 'token': p.token,",
        "  'expires': p.token_expires.timestamp(), 'other': m.get('other').token}",
      ].join("\n"),
      {},
    );
    assert.equal(read.dump, text, "pydoover writes the same bytes for what it reads");
    assert.equal(read.other, "other-token");
    assert.notEqual(read.rt, emulator.refreshToken, "rotated, and the rotation was written back");
    assert.notEqual(read.rt_id, "rt-login");
    assert.notEqual(read.token, "expired-at-login");
    assert.ok(read.expires > Date.now() / 1000 - 120);
    assert.ok(!fs.existsSync(`${home.configPath}.lock`));
    for (const up of ups) assert.ok(!up.output.includes(read.rt) && !up.output.includes(read.token));

    // doover-cli: its token has run out by now, so it refreshes with the file's refresh token and lists the apps.
    await new Promise((r) => setTimeout(r, 2100));
    emulator.clearLog();
    const listed = await home.dooverJson(["app", "list"]);
    assert.deepEqual(
      listed.results.map((a: { name: string }) => a.name).sort(),
      stacks.map((s) => `rotated_${s}`),
    );
    assert.deepEqual(
      emulator
        .log()
        .filter((e) => e.path === "/oauth2/token")
        .map((e) => e.status),
      [200],
      "doover-cli refreshed with the refresh token the stacks left",
    );
  });
});
