import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  Client,
  CredentialsError,
  DooverException,
  PRODUCTION_API_URL,
  resolveCredentials,
  STAGING_API_URL,
} from "../sdk";

const CONFIG = `[profile=default]
TOKEN=profile-default-secret
TOKEN_EXPIRES=4102444800.5
BASE_URL=https://api.example.test
AGENT_ID=1234

[profile=dv2-staging]
TOKEN=profile-staging-secret
TOKEN_EXPIRES=2001-01-01T00:00:00Z
BASE_URL=https://api.staging.udoover.com/
REFRESH_TOKEN=refresh-secret

[profile=empty]
AGENT_ID=1
`;

describe("sdk: credentials", () => {
  let home: string;
  let env: Record<string, string | undefined>;
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-home-"));
    fs.mkdirSync(path.join(home, ".doover"));
    fs.writeFileSync(path.join(home, ".doover", "config"), CONFIG);
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));
  beforeEach(() => {
    env = { HOME: home };
  });

  it("reads the default profile of ~/.doover/config (unix-seconds expiry)", () => {
    const c = resolveCredentials({ env });
    assert.equal(c.token, "profile-default-secret");
    assert.equal(c.baseUrl, "https://api.example.test");
    assert.equal(c.isStaging, false);
    assert.equal(c.source, `profile "default" in ${path.join(home, ".doover", "config")}`);
    assert.equal(c.expiresAt!.toISOString(), "2100-01-01T00:00:00.500Z");
    assert.equal(c.expired, false);
  });

  it("picks a named profile; ISO expiry; staging inferred from the URL; an expired token with a REFRESH_TOKEN is refreshed, not reported", () => {
    const c = resolveCredentials({ env: { ...env, DOOVER_PROFILE: "dv2-staging" } });
    assert.equal(c.token, "profile-staging-secret");
    assert.equal(c.baseUrl, STAGING_API_URL);
    assert.equal(c.isStaging, true);
    assert.equal(c.expired, true);
    assert.equal(c.refreshable, true);
    assert.equal(c.expiresAt!.toISOString(), "2001-01-01T00:00:00.000Z");
    const lines: string[] = [];
    const client = new Client({ profile: "dv2-staging", env, logger: (l) => lines.push(l) });
    assert.equal(client.tokenExpiresAt!.getUTCFullYear(), 2001);
    assert.deepEqual(lines, [], "refreshed before the first call (sdk-profile-refresh.test.ts), nothing to say now");
  });

  it("an expired token of a profile without REFRESH_TOKEN is sent anyway, and the client says it cannot be refreshed", () => {
    const file = path.join(home, "no-refresh");
    fs.writeFileSync(file, "[profile=default]\nTOKEN=old-secret\nTOKEN_EXPIRES=978307200.0\n");
    const c = resolveCredentials({ env: {}, configPath: file });
    assert.deepEqual([c.token, c.expired, c.refreshable], ["old-secret", true, false]);
    const lines: string[] = [];
    new Client({ env: {}, configPath: file, logger: (l) => lines.push(l) });
    assert.equal(lines.length, 1);
    assert.match(lines[0], /expired at 2001-01-01T00:00:00\.000Z and the profile has no REFRESH_TOKEN/);
    assert.ok(!lines[0].includes("old-secret"));
  });

  it("env beats the profile, options beat env", () => {
    env.DOOVER_API_TOKEN = "env-secret";
    env.DOOVER_CONTROL_API_BASE_URL = "http://127.0.0.1:9/";
    env.DOOVER_ORGANISATION_ID = "42";
    let c = resolveCredentials({ env });
    assert.deepEqual(
      [c.token, c.baseUrl, c.organisationId, c.source, c.isStaging],
      ["env-secret", "http://127.0.0.1:9", "42", "env DOOVER_API_TOKEN", false],
    );
    c = resolveCredentials({ env, token: "opt-secret", baseUrl: "http://127.0.0.1:10", organisationId: "7" });
    assert.deepEqual(
      [c.token, c.baseUrl, c.organisationId, c.source],
      ["opt-secret", "http://127.0.0.1:10", "7", "options.token"],
    );
  });

  it("a profile named by option beats env (env DOOVER_PROFILE does not)", () => {
    env.DOOVER_API_TOKEN = "env-secret";
    env.DOOVER_CONTROL_API_BASE_URL = "http://127.0.0.1:9";
    let c = resolveCredentials({ env, profile: "default" });
    assert.deepEqual([c.token, c.baseUrl], ["profile-default-secret", "https://api.example.test"]);
    assert.match(c.source, /^profile "default"/);
    c = resolveCredentials({ env: { ...env, DOOVER_PROFILE: "default" } });
    assert.deepEqual([c.token, c.baseUrl, c.source], ["env-secret", "http://127.0.0.1:9", "env DOOVER_API_TOKEN"]);
    // a named profile without a token falls back to env for the token only
    c = resolveCredentials({ env, profile: "empty" });
    assert.deepEqual([c.token, c.baseUrl], ["env-secret", "http://127.0.0.1:9"]);
  });

  it("staging: true picks the staging host unless a baseUrl is given", () => {
    assert.equal(resolveCredentials({ env, token: "t", staging: true }).baseUrl, STAGING_API_URL);
    assert.equal(resolveCredentials({ env, token: "t", staging: true }).isStaging, true);
    assert.equal(resolveCredentials({ env: { DOOVER_STAGING: "true" }, token: "t" }).baseUrl, STAGING_API_URL);
    const own = resolveCredentials({ env, token: "t", staging: true, baseUrl: "http://127.0.0.1:11" });
    assert.deepEqual([own.baseUrl, own.isStaging], ["http://127.0.0.1:11", true]);
    const client = new Client({ env: {}, configPath: "/nonexistent", token: "t", staging: true });
    assert.equal(client.baseUrl, STAGING_API_URL);
    assert.equal(client.isStaging, true);
    assert.equal(new Client({ env: {}, configPath: "/nonexistent", token: "t" }).baseUrl, PRODUCTION_API_URL);
  });

  it("DOOVER_CONFIG names the file", () => {
    const other = path.join(home, "elsewhere");
    fs.writeFileSync(other, "[profile=default]\nTOKEN=elsewhere-secret\n");
    assert.equal(resolveCredentials({ env: { DOOVER_CONFIG: other } }).token, "elsewhere-secret");
    assert.equal(resolveCredentials({ env: { DOOVER_CONFIG: other } }).baseUrl, PRODUCTION_API_URL);
  });

  it("no token anywhere: CredentialsError naming every place looked, never a secret", () => {
    for (const [opts, problem] of [
      [{ env: { HOME: home }, profile: "empty" }, "profile has no TOKEN"],
      [{ env: { HOME: home }, profile: "nope" }, "no such profile"],
      [{ env: { HOME: path.join(home, "missing") } }, "file not found"],
    ] as const) {
      let err: unknown;
      try {
        new Client(opts);
      } catch (e) {
        err = e;
      }
      assert.ok(CredentialsError.isInstance(err));
      assert.ok(DooverException.isInstance(err));
      assert.ok(err instanceof CredentialsError);
      const msg = (err as Error).message;
      assert.match(msg, /options\.token/);
      assert.match(msg, /DOOVER_API_TOKEN/);
      assert.ok(msg.includes(`profile "${opts.profile ?? "default"}"`), msg);
      assert.ok(msg.includes(problem), msg);
      assert.ok(!/secret/.test(msg + JSON.stringify(err) + String(err)));
    }
  });
});
