// Refreshing a `doover login` profile's token against the emulator's auth server: proactively and after a 401,
// one refresh shared by concurrent calls, rotation, another process's refresh taken under the lock (in this
// process and across 4 real processes), the failure said once, and tokens that are never refreshed.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import {
  Client,
  type ClientOptions,
  PRODUCTION_AUTH_SERVER_URL,
  parseDooverConfig,
  RestClient,
  STAGING_AUTH_SERVER_URL,
  TokenRefreshError,
} from "../sdk";
import { forgetProfileSessions, ProfileSession, type ProfileSessionOptions } from "../sdk/profile-session";
import { resetLimiters } from "../sdk/request-limiter";
import { formatTokenExpires, jwtExpiryMs } from "../sdk/token-expiry";
import { fakeJwt, profileBlock } from "./support/doover-profile";
import { type Emulator, startTestEmulator } from "./support/emulator";

/** The refresh grant as doover login's tokens are refreshed, straight at the emulator (what `doover login` leaves). */
async function grant(emu: Emulator, refreshToken = emu.refreshToken): Promise<Record<string, string>> {
  const u = new URL(`${emu.authServerUrl}/oauth2/token`);
  for (const [k, v] of Object.entries({
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: emu.clientId,
  }))
    u.searchParams.set(k, v);
  const res = await fetch(u, { method: "POST" });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, string>;
}

const authCalls = (emu: Emulator) => emu.log().filter((e) => e.path === "/oauth2/token");

describe("sdk: a doover login profile's token is refreshed like pydoover does it", function () {
  this.timeout(60_000);
  let dir: string;
  let configPath: string;
  let lines: string[];
  let emu: Emulator | undefined;
  /** every token seen in the test: none may appear in a log line, an error or an inspected client */
  const secrets = new Set<string>();

  beforeEach(() => {
    resetLimiters();
    forgetProfileSessions();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-refresh-"));
    configPath = path.join(dir, "config");
    lines = [];
  });
  afterEach(async () => {
    for (const p of parseDooverConfig(fs.existsSync(configPath) ? fs.readFileSync(configPath, "utf8") : "").values())
      for (const v of [p.TOKEN, p.REFRESH_TOKEN]) if (v) secrets.add(v);
    const said = lines.join("\n");
    for (const s of secrets) assert.ok(!said.includes(s), `a token in the log:\n${said}`);
    secrets.clear();
    await emu?.close();
    emu = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(o: { tokenTtlSeconds?: number; rotateRefreshTokens?: boolean } = {}): Promise<Emulator> {
    emu = await startTestEmulator(o);
    secrets.add(emu.refreshToken);
    return emu;
  }

  /** Writes the `default` profile (doover-cli's format) for the emulator, with `values` over the defaults. */
  function writeProfile(e: Emulator, values: Record<string, string> = {}, name = "default"): string {
    const text = [
      profileBlock("other", { TOKEN: "other-profile-token", BASE_URL: "https://api.doover.com" }),
      profileBlock(name, {
        TOKEN: "",
        BASE_URL: e.url,
        REFRESH_TOKEN: e.refreshToken,
        BASE_DATA_URL: e.url,
        AUTH_SERVER_URL: e.authServerUrl,
        AUTH_SERVER_CLIENT_ID: e.clientId,
        ...values,
      }),
    ].join("\n\n");
    fs.writeFileSync(configPath, text, { mode: 0o600 });
    return text;
  }

  const profile = (name = "default") => parseDooverConfig(fs.readFileSync(configPath, "utf8")).get(name)!;

  function client(e: Emulator, o: Partial<ClientOptions> = {}): Client {
    return new Client({
      configPath,
      env: {},
      organisationId: e.organisationId,
      retryBaseDelayMs: 1,
      logger: (l) => lines.push(l),
      ...o,
    });
  }

  function session(o: Partial<ProfileSessionOptions> = {}): ProfileSession {
    return new ProfileSession({
      configPath,
      profileName: "default",
      profile: profile(),
      staging: false,
      logger: (l) => lines.push(l),
      ...o,
    });
  }

  function rest(e: Emulator, s: ProfileSession): RestClient {
    return new RestClient({
      baseUrl: e.url,
      token: "",
      tokenProvider: s,
      organisationId: e.organisationId,
      retryBaseDelayMs: 1,
      logger: (l) => lines.push(l),
    });
  }

  const list = (r: RestClient) => r.request({ method: "GET", path: "/applications/" });

  it("a due token is refreshed before the first call: one grant with its values in the query, written back as doover-cli writes it", async () => {
    const e = await start({ tokenTtlSeconds: 3600 });
    const before = writeProfile(e, { TOKEN: "expired-access-token", TOKEN_EXPIRES: "1767225600.0" });
    const c = client(e);
    assert.equal(lines.length, 0, "a refreshable profile says nothing when its token expired");
    assert.deepEqual(await c.getApplications(), []);
    assert.deepEqual(
      e.log().map((x) => `${x.method} ${x.path} ${x.status}`),
      ["POST /oauth2/token 200", "GET /applications/ 200"],
    );
    const query = new URLSearchParams(authCalls(e)[0].query);
    assert.deepEqual(Object.fromEntries(query), {
      grant_type: "refresh_token",
      access_token: "***", // the emulator's log masks them: they were sent
      refresh_token: "***",
      client_id: e.clientId,
    });
    const after = profile();
    assert.notEqual(after.TOKEN, "expired-access-token");
    assert.equal(after.TOKEN_EXPIRES, formatTokenExpires(jwtExpiryMs(after.TOKEN)));
    assert.match(after.TOKEN_EXPIRES, /^\d{10}\.\d+$/);
    assert.equal(after.REFRESH_TOKEN, e.refreshToken, "not rotated: kept");
    // Byte for byte the file as it was but for the two values.
    assert.equal(
      fs.readFileSync(configPath, "utf8"),
      before
        .replace("TOKEN=expired-access-token", `TOKEN=${after.TOKEN}`)
        .replace("TOKEN_EXPIRES=1767225600.0", `TOKEN_EXPIRES=${after.TOKEN_EXPIRES}`),
    );
    assert.equal(fs.statSync(configPath).mode & 0o777, 0o600);
    assert.ok(!inspect(c, { depth: 6 }).includes(after.TOKEN), "the client does not show the token");
  });

  it("20 concurrent calls with a due token wait for one shared refresh", async () => {
    const e = await start({ tokenTtlSeconds: 3600, rotateRefreshTokens: true });
    writeProfile(e); // no TOKEN at all: a profile with only a refresh token works too (pydoover does the same)
    const c = client(e);
    await Promise.all(Array.from({ length: 20 }, () => c.getApplications()));
    assert.equal(authCalls(e).length, 1);
    assert.equal(e.log().filter((x) => x.status === 401).length, 0);
  });

  it("a 401 on a profile token refreshes once and repeats the call (a POST too); 10 concurrent 401s share the refresh", async () => {
    const e = await start();
    writeProfile(e, { TOKEN: "revoked-by-the-server-but-not-expired" });
    const c = client(e);
    const [made] = await Promise.all([
      c.applications.create({
        name: "after_401",
        display_name: "After a 401",
        description: "made once",
        type: "PRO",
        visibility: "PRI",
        depends_on: [],
        organisation_id: e.organisationId,
        container_registry_profile_id: null,
      }),
      ...Array.from({ length: 10 }, () => c.getApplications()),
    ]);
    assert.equal(made.name, "after_401");
    assert.equal(authCalls(e).length, 1);
    assert.equal(
      e.log().filter((x) => x.method === "POST" && x.path === "/applications/" && x.status === 201).length,
      1,
    );
    assert.equal((await c.getApplications()).length, 1, "created once");
  });

  it("rotation: each refresh spends the latest refresh token; the rotated one and its id are written back", async () => {
    const e = await start({ tokenTtlSeconds: 3600, rotateRefreshTokens: true });
    writeProfile(e, { REFRESH_TOKEN_ID: "first-id" });
    let clock = Date.now();
    const s = session({ now: () => clock });
    const r = rest(e, s);
    const refreshTokens = new Set<string>();
    for (let i = 0; i < 3; i++) {
      clock += 2 * 3600_000; // every token is due again
      await list(r);
      refreshTokens.add(profile().REFRESH_TOKEN);
    }
    assert.equal(refreshTokens.size, 3);
    assert.ok(!refreshTokens.has(e.refreshToken));
    const summary = (await (await fetch(`${e.url}/_emulator/auth/`)).json()) as any;
    assert.deepEqual(summary.refreshTokens, { active: 1, used: 3, revoked: 0 });
    assert.notEqual(profile().REFRESH_TOKEN_ID, "first-id");
    for (const t of refreshTokens) secrets.add(t);
    await grant(e, profile().REFRESH_TOKEN); // the one in the file is the one that works
  });

  it("another process refreshed meanwhile: its token is taken from the file under the lock, no second grant", async () => {
    const e = await start({ tokenTtlSeconds: 3600, rotateRefreshTokens: true });
    writeProfile(e, { TOKEN: "expired", TOKEN_EXPIRES: "1767225600.0" });
    const first = session(); // two sessions on one file: two processes
    const second = session();
    await list(rest(e, first));
    const written = profile();
    assert.equal(authCalls(e).length, 1);
    await list(rest(e, second)); // its memory still holds the spent refresh token
    assert.equal(authCalls(e).length, 1, "no grant with a rotated-away refresh token");
    assert.equal(await second.token(), written.TOKEN);
    assert.equal(e.log().filter((x) => x.status >= 400).length, 0);
  });

  it("4 processes refreshing one profile at once with rotation on: every call works, and the profile's refresh token is the live one", async function () {
    const e = await start({ tokenTtlSeconds: 1, rotateRefreshTokens: true });
    writeProfile(e);
    const script = path.join(dir, "worker.js");
    fs.writeFileSync(
      script,
      `const { Client } = require(${JSON.stringify(path.resolve(__dirname, "../sdk"))});
const [configPath, org, ms] = process.argv.slice(2);
(async () => {
  const client = new Client({ configPath, env: {}, organisationId: org, retryBaseDelayMs: 1 });
  const until = Date.now() + Number(ms);
  let calls = 0; const errors = [];
  while (Date.now() < until) {
    try { await Promise.all([client.getApplications(), client.getApplications()]); calls += 2; }
    catch (err) { errors.push(err.message); }
  }
  process.stdout.write(JSON.stringify({ calls, errors }));
})();`,
    );
    const run = () =>
      new Promise<{ calls: number; errors: string[]; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [script, configPath, e.organisationId, "3500"], { stdio: "pipe" });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          err += d;
        });
        child.on("error", reject);
        child.on("exit", (code) => {
          if (code !== 0) return reject(new Error(`worker exited ${code}: ${err}`));
          resolve({ ...JSON.parse(out), stderr: err });
        });
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) {
      assert.deepEqual(r.errors, [], r.stderr);
      assert.ok(r.calls > 0);
      lines.push(r.stderr);
    }
    const summary = (await (await fetch(`${e.url}/_emulator/auth/`)).json()) as any;
    assert.ok(summary.refreshes >= 4, `a 1 s token over 3.5 s: ${summary.refreshes} refreshes`);
    assert.equal(summary.refreshTokens.active, 1, "one chain of refresh tokens, no fork");
    assert.equal(authCalls(e).filter((x) => x.status !== 200).length, 0, "no grant with a spent refresh token");
    assert.equal(e.log().filter((x) => x.status === 401).length, 0, "no call sent an expired token");
    assert.ok(!fs.existsSync(`${configPath}.lock`), "the lock is released");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["config", "worker.js"], "no temporary file left");
    const p = profile();
    assert.equal(profile("other").TOKEN, "other-profile-token");
    await grant(e, p.REFRESH_TOKEN);
  });

  it("a revoked refresh token: one error says which profile, what the auth server answered and to run doover login; the others are short", async () => {
    const e = await start({ tokenTtlSeconds: 3600 });
    writeProfile(e, { TOKEN: "expired", TOKEN_EXPIRES: "1767225600.0" });
    assert.equal(e.revokeRefreshTokens(), 1);
    const c = client(e);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.getApplications()));
    const messages = results.map((r) => {
      assert.equal(r.status, "rejected");
      const err = (r as PromiseRejectedResult).reason;
      assert.ok(TokenRefreshError.isInstance(err), String(err));
      return (err as Error).message;
    });
    const full = messages.filter((m) => m.includes("invalid_grant"));
    assert.equal(full.length, 1, messages.join("\n"));
    assert.equal(
      full[0],
      `the token of profile "default" in ${configPath} expired at 2026-01-01T00:00:00.000Z and could not be ` +
        `refreshed: the auth server (POST ${e.authServerUrl}/oauth2/token) answered 400 {"error":"invalid_grant",` +
        `"error_description":"The refresh token was revoked."}. Run \`doover login\` to sign in again (it writes ` +
        `${path.join(os.homedir(), ".doover", "config")}; this profile is read from ${configPath}), then run this command again`,
    );
    for (const m of messages.filter((x) => x !== full[0]))
      assert.match(
        m,
        /^the token of profile "default" in .* could not be refreshed \(the first error of this kind says what the auth server answered\): run `doover login`/,
      );
    assert.equal(authCalls(e).length, 1, "one grant, not one per call");
    assert.equal(e.log().filter((x) => x.path === "/applications/").length, 0, "no API call with a dead token");
    await assert.rejects(c.getApplications(), /could not be refreshed \(the first error/);
    assert.equal(authCalls(e).length, 1);
  });

  it("an auth server that answers 503 twice is retried (said once); one that stays down fails within the budget", async () => {
    const e = await start({ tokenTtlSeconds: 3600 });
    writeProfile(e, { TOKEN: "expired", TOKEN_EXPIRES: "1767225600.0" });
    e.addFault({ path: "/oauth2/token", status: 503, times: 2 });
    await list(rest(e, session({ sleep: async () => undefined })));
    assert.deepEqual(
      authCalls(e).map((x) => x.status),
      [503, 503, 200],
    );
    assert.equal(lines.filter((l) => /retrying for up to 20 s/.test(l)).length, 1, lines.join("\n"));

    writeProfile(e, { TOKEN: "expired", TOKEN_EXPIRES: "1767225600.0" });
    e.addFault({ path: "/oauth2/token", status: 503, times: 1000 });
    const down = session({ refreshBudgetMs: 300 });
    await assert.rejects(list(rest(e, down)), (err: Error) => {
      assert.ok(TokenRefreshError.isInstance(err));
      assert.match(err.message, /answered 503 \{"detail":"Emulated fault: HTTP 503\."\} \(tried \d+ times over 0 s\)/);
      assert.match(err.message, /Check that the auth server can be reached, or run `doover login`/);
      return true;
    });
  });

  it("a refresh that fails while the token still works (due within the buffer): the token is used until it expires, said once", async () => {
    const e = await start();
    const issued = (await grant(e)).access_token;
    secrets.add(issued);
    e.clearLog();
    // 10 s to live, seen 7 s later: due (last half), still valid
    writeProfile(e, { TOKEN: issued, TOKEN_EXPIRES: formatTokenExpires(Date.now() + 10_000) });
    e.addFault({ path: "/oauth2/token", status: 503, times: 1000 });
    const r = rest(e, session({ refreshBudgetMs: 100, now: () => Date.now() + 7000 }));
    await list(r);
    const calls = authCalls(e).length;
    assert.ok(calls > 0);
    await list(r);
    await list(r);
    assert.equal(authCalls(e).length, calls, "not tried again before the token expires");
    assert.equal(lines.filter((l) => /its current token works until/.test(l)).length, 1, lines.join("\n"));
  });

  it("a profile without AUTH_SERVER_URL uses pydoover's auth server, staging's for a staging profile; the advice names the login that writes it", async () => {
    const seen: string[] = [];
    const fakeFetch = (async (input: string | URL) => {
      seen.push(String(input).split("?")[0]);
      return new Response(JSON.stringify({ error: "invalid_grant" }), { status: 400 });
    }) as typeof fetch;
    const home = path.join(dir, "home");
    fs.mkdirSync(path.join(home, ".doover"), { recursive: true });
    configPath = path.join(home, ".doover", "config");
    fs.writeFileSync(
      configPath,
      [
        profileBlock("default", {
          TOKEN: "a",
          TOKEN_EXPIRES: "1.0",
          BASE_URL: "https://api.doover.com",
          REFRESH_TOKEN: "r1",
        }),
        profileBlock("staging", {
          TOKEN: "b",
          TOKEN_EXPIRES: "1.0",
          BASE_URL: "https://api.staging.udoover.com",
          REFRESH_TOKEN: "r2",
        }),
        profileBlock("dv2-staging", {
          TOKEN: "c",
          TOKEN_EXPIRES: "1.0",
          BASE_URL: "https://api.staging.udoover.com",
          REFRESH_TOKEN: "r3",
        }),
      ].join("\n\n"),
    );
    const advice: string[] = [];
    for (const name of ["default", "staging", "dv2-staging"]) {
      const c = new Client({ profile: name, env: { HOME: home }, fetch: fakeFetch, logger: (l) => lines.push(l) });
      await assert.rejects(c.getApplications(), (err: Error) => {
        advice.push(/Run `([^`]+)`/.exec(err.message)![1]);
        assert.ok(!err.message.includes("it writes"), "the profile is in the file doover login writes");
        return true;
      });
    }
    assert.deepEqual(seen, [
      `${PRODUCTION_AUTH_SERVER_URL}/oauth2/token`,
      `${STAGING_AUTH_SERVER_URL}/oauth2/token`,
      `${STAGING_AUTH_SERVER_URL}/oauth2/token`,
    ]);
    assert.deepEqual(advice, [
      "doover login",
      "doover login --staging",
      "doover login --staging --profile dv2-staging",
    ]);
  });

  describe("tokens that are never refreshed", () => {
    it("an expired stack-config token: the 401 says it expired (JWT exp), is not refreshed, and names the profile", async () => {
      const e = await start();
      const stale = fakeJwt({ exp: 1_700_000_000, sub: "me" });
      secrets.add(stale);
      const c = client(e, {
        baseUrl: e.url,
        token: stale,
        tokenSource: "stack config doover:token",
        configPath: path.join(dir, "none"),
      });
      await assert.rejects(c.getApplications(), (err: Error) => {
        assert.equal(
          err.message,
          "Doover API 401 Unauthorized: GET /applications/ — Invalid token. — rejected: the token from stack config " +
            "doover:token. The token from stack config doover:token expired at 2023-11-14T22:13:20.000Z (its JWT " +
            "exp). Tokens from stack config (doover:token), env DOOVER_API_TOKEN or the `token` option are never " +
            "refreshed; a `doover login` profile is (leave doover:token and DOOVER_API_TOKEN unset, pick the profile " +
            "with doover:profile or DOOVER_PROFILE)",
        );
        return true;
      });
      assert.equal(authCalls(e).length, 0);
    });

    it("stack config then DOOVER_API_TOKEN both rejected: the 401 names both and says once that neither is refreshed", async () => {
      const e = await start();
      const c = client(e, {
        baseUrl: e.url,
        token: "stale-one",
        tokenSource: "stack config doover:token",
        env: { DOOVER_API_TOKEN: "stale-two" },
        configPath: path.join(dir, "none"),
      });
      await assert.rejects(c.getApplications(), (err: Error) => {
        assert.match(
          err.message,
          /rejected: the token from stack config doover:token, then the token from env DOOVER_API_TOKEN\. Tokens from/,
        );
        assert.equal(err.message.split("never refreshed").length, 2, err.message);
        assert.ok(!err.message.includes("stale-one") && !err.message.includes("stale-two"));
        return true;
      });
    });

    it("a rejected stack-config token still falls back to env, then to the profile, whose token is refreshed", async () => {
      const e = await start({ tokenTtlSeconds: 3600 });
      writeProfile(e, { TOKEN: "expired", TOKEN_EXPIRES: "1767225600.0" });
      const c = client(e, {
        baseUrl: e.url,
        token: "rotated-away",
        tokenSource: "stack config doover:token",
        env: { DOOVER_API_TOKEN: "also-stale" },
      });
      assert.deepEqual(await c.getApplications(), []);
      assert.match(
        lines.join("\n"),
        /stack config doover:token was rejected \(401\); trying the one from env DOOVER_API_TOKEN/,
      );
      assert.match(
        lines.join("\n"),
        /env DOOVER_API_TOKEN was rejected \(401\); trying the one from profile "default"/,
      );
      assert.equal(authCalls(e).length, 1);
      // a later client of the process goes straight to the profile
      const again = client(e, {
        baseUrl: e.url,
        token: "rotated-away",
        tokenSource: "stack config doover:token",
        env: { DOOVER_API_TOKEN: "also-stale" },
      });
      e.clearLog();
      await again.getApplications();
      assert.deepEqual(
        e.log().map((x) => x.status),
        [200],
      );
    });

    it("a profile without REFRESH_TOKEN whose token expired: said once when the client is made, and in the 401", async () => {
      const e = await start();
      writeProfile(e, { TOKEN: "old-and-expired", TOKEN_EXPIRES: "1767225600.0", REFRESH_TOKEN: "" });
      const c = client(e);
      assert.equal(lines.length, 1);
      assert.match(
        lines[0],
        /expired at 2026-01-01T00:00:00\.000Z and the profile has no REFRESH_TOKEN to refresh it with/,
      );
      await assert.rejects(c.getApplications(), (err: Error) => {
        assert.match(
          err.message,
          /rejected: the token from profile "default" in .*\. The token of profile "default" in .* expired at 2026-01-01T00:00:00\.000Z and the profile has no REFRESH_TOKEN to refresh it with: run `doover login`/,
        );
        return true;
      });
      assert.equal(authCalls(e).length, 0);
    });
  });
});
