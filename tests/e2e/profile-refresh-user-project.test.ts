// Issue 20, as a user meets it: `doover login` left a profile in ~/.doover/config whose access token lives 2 s
// (the emulator's auth server, `tokenTtlSeconds: 2`); the stack has no doover:token. A ~20 s `pulumi up` (an
// application installed on three devices, deployments that take 16 s) refreshes the token as it goes and
// succeeds with no 401 in sight, writes the refreshed token back in doover-cli's format, and keeps tokens out
// of state. Then the refresh token is revoked: `pulumi refresh` fails with one clear error (which profile, what
// the auth server answered, `doover login`), not one 401 per resource.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDooverConfig } from "../../sdk/profile-file";
import { profileBlock } from "../support/doover-profile";
import { useUserProject } from "../support/user-project";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverAppInstall } from "pulumi-doover";

const config = new pulumi.Config();
const devices = config.requireObject<string[]>("deviceIds");
const monitor = new DooverApplication("monitor", {
  name: "refresh_monitor",
  displayName: "Pump Monitor",
  type: "device",
  description: "Reads pump pressure.",
  configSchema: { type: "object", properties: { level: { type: "number" } } },
});
export const installIds = devices.map(
  (deviceId, i) =>
    new DooverAppInstall(\`monitor-\${i}\`, { application: monitor, deviceId, deploymentConfig: { level: i } }).installId,
);
`;

describe("e2e user project: a doover login profile whose token expires mid-`up` (issue 20)", function () {
  this.timeout(900_000);
  let configPath = "";
  const ctx = useUserProject({
    program: PROGRAM,
    name: "profile-refresh",
    emulator: { tokenTtlSeconds: 2, deploymentStepMs: 8000 },
    setUp: async (project, emulator) => {
      // What `doover login` leaves (a token that lives 2 s, already issued), and no doover:token in the stack.
      const grant = new URL(`${emulator.authServerUrl}/oauth2/token`);
      grant.search = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: emulator.refreshToken,
        client_id: emulator.clientId,
      }).toString();
      const issued = (await (await fetch(grant, { method: "POST" })).json()) as { access_token: string };
      configPath = path.join(project.env.HOME!, ".doover", "config");
      fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
      fs.writeFileSync(
        configPath,
        profileBlock("default", {
          TOKEN: issued.access_token,
          TOKEN_EXPIRES: String((Date.now() + 2000) / 1000),
          BASE_URL: emulator.url,
          REFRESH_TOKEN: emulator.refreshToken,
          REFRESH_TOKEN_ID: "rt-login",
          BASE_DATA_URL: emulator.url,
          AUTH_SERVER_URL: emulator.authServerUrl,
          AUTH_SERVER_CLIENT_ID: emulator.clientId,
        }),
        { mode: 0o600 },
      );
      await project.initStack("dev");
      await project.setConfig("doover:organisationId", emulator.organisationId);
      await project.setConfig("deviceIds", JSON.stringify(emulator.deviceIds));
    },
  });

  const profile = () => parseDooverConfig(fs.readFileSync(configPath, "utf8")).get("default")!;

  it("a ~20 s up refreshes the 2 s token as it goes: succeeds, no 401 shown, profile written back, no token in state", async () => {
    const before = profile();
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /\b401\b|Unauthorized|expired/i, up.output);
    const outputs = await ctx.project.outputs();
    assert.equal((outputs.installIds as string[]).length, 3);

    const log = ctx.emulator.log();
    const grants = log.filter((e) => e.path === "/oauth2/token");
    assert.ok(grants.length >= 4, `refreshed as the 2 s tokens ran out: ${grants.length} grants`);
    assert.ok(grants.every((e) => e.status === 200));
    const deployments = log.filter((e) => /^\/app_installs\/\d+\/deployments\/\d+\/$/.test(e.path));
    assert.ok(deployments.length >= 3 && deployments.every((e) => e.status === 200));

    const after = profile();
    assert.notEqual(after.TOKEN, before.TOKEN);
    assert.match(after.TOKEN_EXPIRES, /^\d{10}\.\d+$/);
    assert.equal(after.REFRESH_TOKEN, before.REFRESH_TOKEN, "not rotated by this auth server: kept");
    assert.equal(after.REFRESH_TOKEN_ID, "rt-login");
    assert.deepEqual(Object.keys(after), Object.keys(before), "same keys, same order");

    const state = await ctx.project.exportText({ showSecrets: true });
    for (const secret of [before.TOKEN, after.TOKEN, after.REFRESH_TOKEN]) {
      assert.ok(!state.includes(secret), "no token in state");
      assert.ok(!up.output.includes(secret), "no token in the output");
    }
  });

  it("a revoked refresh token: `pulumi refresh` fails with one clear error naming the profile, the answer and `doover login`", async () => {
    await new Promise((r) => setTimeout(r, 2100)); // the last token has run out
    assert.equal(ctx.emulator.revokeRefreshTokens(), 1);
    ctx.emulator.clearLog();
    const refresh = await ctx.project.refresh();
    assert.notEqual(refresh.code, 0, refresh.output);
    // Each resource's error, as the Diagnostics section lists them (the host also echoes each with its stack).
    const diagnostics = refresh.output.slice(refresh.output.lastIndexOf("Diagnostics:"));
    const errors = diagnostics.split("\n").filter((l) => /^\s+error: .*profile "default"/.test(l));
    assert.equal(errors.length, 4, diagnostics);
    const full = errors.filter((l) => l.includes("The refresh token was revoked."));
    assert.equal(full.length, 1, `the auth server's answer once, not per resource:\n${diagnostics}`);
    assert.match(
      full[0],
      /reading (application|app install) "refresh_monitor" \(\d+\): the token of profile "default" in \S+ expired at \S+ and could not be refreshed: the auth server \(POST http:\/\/127\.0\.0\.1:\d+\/oauth2\/token\) answered 400 \{"error":"invalid_grant","error_description":"The refresh token was revoked\."\}\. Run `doover login` to sign in again, then run this command again$/,
    );
    for (const short of errors.filter((l) => l !== full[0]))
      assert.match(
        short,
        /could not be refreshed \(the first error of this kind says what the auth server answered\): run `doover login`/,
      );
    assert.doesNotMatch(refresh.output, /\b401\b|Unauthorized/, "no 401 per resource");
    const grants = ctx.emulator.log().filter((e) => e.path === "/oauth2/token");
    assert.equal(grants.length, 1, "one refresh attempt for all four resources");
    assert.equal(
      ctx.emulator.log().filter((e) => e.path !== "/oauth2/token").length,
      0,
      "no API call with a dead token",
    );
  });
});
