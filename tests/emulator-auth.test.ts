// The emulator's auth server: the refresh grant doover-cli/pydoover send, access tokens that expire after
// `tokenTtlSeconds` (the API then answers 401), rotation, revocation, and the CLI flags.
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { jwtExpiryMs } from "../sdk/token-expiry";
import { type Emulator, startTestEmulator } from "./support/emulator";

async function post(
  emu: { authServerUrl: string },
  params: Record<string, string>,
  init: RequestInit = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const u = new URL(`${emu.authServerUrl}/oauth2/token`);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const res = await fetch(u, { method: "POST", ...init });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

function refreshParams(emu: Emulator, refreshToken = emu.refreshToken): Record<string, string> {
  return { grant_type: "refresh_token", refresh_token: refreshToken, client_id: emu.clientId };
}

async function api(emu: { url: string }, token: string): Promise<{ status: number; body: any; auth: string | null }> {
  const res = await fetch(`${emu.url}/organisations/`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json(), auth: res.headers.get("www-authenticate") };
}

describe("emulator: the auth server (POST /oauth2/token)", function () {
  this.timeout(20_000);
  let emu: Emulator;
  let closed: Emulator | undefined;
  afterEach(async () => {
    if (emu && emu !== closed) await emu.close();
    closed = emu;
  });

  it("issues JWT access tokens the API accepts; by default they never expire and the refresh token is not rotated", async () => {
    emu = await startTestEmulator();
    assert.equal(emu.authServerUrl, emu.url);
    const first = await post(emu, refreshParams(emu));
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body).sort(), ["access_token", "scope", "token_type"]);
    assert.equal(first.body.token_type, "Bearer");
    assert.equal(first.body.access_token.split(".").length, 3);
    assert.equal(jwtExpiryMs(first.body.access_token), undefined);
    assert.equal((await api(emu, first.body.access_token)).status, 200);
    assert.equal((await api(emu, emu.token)).status, 200, "the static token still works");
    const again = await post(emu, refreshParams(emu));
    assert.equal(again.status, 200, "the same refresh token works again");
    const log = emu.log().filter((e) => e.path === "/oauth2/token");
    assert.ok(
      log.every((e) => !e.query.includes(emu.refreshToken)),
      "the log masks tokens",
    );
  });

  it("--token-ttl: a token expires after its TTL (exp in the JWT, expires_in in the answer); the API then answers 401", async () => {
    emu = await startTestEmulator({ tokenTtlSeconds: 1 });
    const before = Date.now();
    const g = await post(emu, refreshParams(emu));
    assert.equal(g.body.expires_in, 1);
    const exp = jwtExpiryMs(g.body.access_token)!;
    assert.ok(exp >= before + 1000 && exp <= Date.now() + 1000, `exp ${exp}`);
    assert.equal((await api(emu, g.body.access_token)).status, 200);
    await new Promise((r) => setTimeout(r, Math.max(0, exp - Date.now()) + 20));
    const late = await api(emu, g.body.access_token);
    assert.equal(late.status, 401);
    assert.deepEqual(late.body, { detail: "Access token expired." });
    assert.match(late.auth!, /error="invalid_token"/);
    assert.deepEqual((await api(emu, "never-issued")).body, { detail: "Invalid token." });
  });

  it("rotation: each grant returns a new refresh token (and id); the spent one answers invalid_grant", async () => {
    emu = await startTestEmulator({ rotateRefreshTokens: true });
    const a = await post(emu, refreshParams(emu));
    assert.equal(typeof a.body.refresh_token, "string");
    assert.notEqual(a.body.refresh_token, emu.refreshToken);
    assert.equal(typeof a.body.refresh_token_id, "string");
    const spent = await post(emu, refreshParams(emu));
    assert.equal(spent.status, 400);
    assert.deepEqual(spent.body, {
      error: "invalid_grant",
      error_description: "The refresh token was already used (refresh tokens are rotated).",
    });
    assert.equal((await post(emu, refreshParams(emu, a.body.refresh_token))).status, 200);
    const summary = (await (await fetch(`${emu.url}/_emulator/auth/`)).json()) as any;
    assert.deepEqual(summary.refreshTokens, { active: 1, used: 2, revoked: 0 });
    assert.equal(summary.refreshes, 2);
  });

  it("revoking (in process or POST /_emulator/auth/revoke) makes the grant fail; reset brings the first token back", async () => {
    emu = await startTestEmulator();
    assert.equal(emu.revokeRefreshTokens(), 1);
    assert.deepEqual((await post(emu, refreshParams(emu))).body, {
      error: "invalid_grant",
      error_description: "The refresh token was revoked.",
    });
    emu.reset();
    assert.equal((await post(emu, refreshParams(emu))).status, 200);
    const res = await fetch(`${emu.url}/_emulator/auth/revoke/`, {
      method: "POST",
      body: JSON.stringify({ refreshToken: emu.refreshToken }),
    });
    assert.deepEqual(await res.json(), { revoked: 1 });
    assert.equal((await post(emu, refreshParams(emu))).status, 400);
  });

  it("answers OAuth errors for a bad grant, a wrong client and a GET; takes a form body too", async () => {
    emu = await startTestEmulator();
    assert.deepEqual(
      await post(emu, { ...refreshParams(emu), client_id: "someone-else" }).then((r) => [r.status, r.body.error]),
      [401, "invalid_client"],
    );
    assert.deepEqual(await post(emu, { client_id: emu.clientId }).then((r) => [r.status, r.body.error]), [
      400,
      "invalid_request",
    ]);
    assert.deepEqual(
      await post(emu, { ...refreshParams(emu), grant_type: "password" }).then((r) => [r.status, r.body.error]),
      [400, "unsupported_grant_type"],
    );
    assert.deepEqual(
      await post(emu, { ...refreshParams(emu), refresh_token: "made-up" }).then((r) => [r.status, r.body.error]),
      [400, "invalid_grant"],
    );
    const get = await fetch(`${emu.url}/oauth2/token`);
    assert.equal(get.status, 405);
    const form = await post(
      emu,
      {},
      {
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(refreshParams(emu)).toString(),
      },
    );
    assert.equal(form.status, 200);
  });

  it("faults apply to it like to any path (an auth server that is down)", async () => {
    emu = await startTestEmulator();
    emu.addFault({ path: "/oauth2/token", status: 503, times: 1 });
    assert.equal((await post(emu, refreshParams(emu))).status, 503);
    assert.equal((await post(emu, refreshParams(emu))).status, 200);
  });

  describe("CLI", () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill("SIGKILL");
      child = undefined;
    });
    const cli = path.resolve(__dirname, "../emulator/cli.js");

    function firstLine(args: string[]): Promise<any> {
      child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      const lines = createInterface({ input: child.stdout! });
      return new Promise((resolve, reject) => {
        lines.once("line", (l) => resolve(JSON.parse(l)));
        child!.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
      });
    }

    it("--token-ttl and --rotate-refresh-tokens; the first line adds authServerUrl, clientId and refreshToken", async () => {
      const info = await firstLine(["--port", "0", "--token-ttl", "2", "--rotate-refresh-tokens"]);
      assert.deepEqual(Object.keys(info).sort(), [
        "authServerUrl",
        "clientId",
        "deviceIds",
        "groupIds",
        "organisationId",
        "refreshToken",
        "rootGroupId",
        "token",
        "url",
      ]);
      assert.equal(info.authServerUrl, info.url);
      const g = await post(info, {
        grant_type: "refresh_token",
        refresh_token: info.refreshToken,
        client_id: info.clientId,
      });
      assert.equal(g.body.expires_in, 2);
      assert.equal(typeof g.body.refresh_token, "string", "rotated");
    });

    it("refuses a TTL that is not a positive number of seconds", async () => {
      await assert.rejects(firstLine(["--port", "0", "--token-ttl", "0"]), /exited with 2/);
    });
  });
});
