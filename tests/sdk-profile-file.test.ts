// The pieces of the profile refresh that need no server: when a token is due, how TOKEN_EXPIRES is written,
// how a refreshed token goes back into ~/.doover/config (doover-cli's format, everything else kept, atomic),
// and the cross-process lock file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LockTimeout, withFileLock } from "../sdk/file-lock";
import { parseDooverConfig, setProfileValues, writeProfileValues } from "../sdk/profile-file";
import {
  EXPIRY_BUFFER_MS,
  formatTokenExpires,
  jwtExpiryMs,
  parseTokenExpires,
  refreshBufferMs,
  tokenNeedsRefresh,
} from "../sdk/token-expiry";
import { fakeJwt, profileBlock } from "./support/doover-profile";

describe("sdk: profile refresh — expiry rules, write-back format, lock", () => {
  describe("when a token is due (pydoover's token_needs_refresh)", () => {
    const now = 1_800_000_000_000;
    it("missing: always; no expiry known: never; otherwise within 30 s of the expiry", () => {
      assert.equal(tokenNeedsRefresh(undefined, undefined, { now }), true);
      assert.equal(tokenNeedsRefresh("", now + 3_600_000, { now }), true);
      assert.equal(tokenNeedsRefresh("t", undefined, { now }), false);
      assert.equal(tokenNeedsRefresh("t", now + EXPIRY_BUFFER_MS + 1, { now }), false);
      assert.equal(tokenNeedsRefresh("t", now + EXPIRY_BUFFER_MS, { now }), true);
      assert.equal(tokenNeedsRefresh("t", now - 1, { now }), true);
    });

    it("a token that lives less than a minute is due in its last half, not from the start", () => {
      assert.equal(refreshBufferMs(3_600_000), 30_000);
      assert.equal(refreshBufferMs(2000), 1000);
      assert.equal(refreshBufferMs(undefined), 30_000);
      assert.equal(tokenNeedsRefresh("t", now + 1500, { now, lifetimeMs: 2000 }), false);
      assert.equal(tokenNeedsRefresh("t", now + 900, { now, lifetimeMs: 2000 }), true);
    });

    it("expiry from TOKEN_EXPIRES (pydoover's float or doover-js's ISO), else the JWT exp", () => {
      assert.equal(parseTokenExpires("1767225600.5")!.getTime(), 1_767_225_600_500);
      assert.equal(parseTokenExpires("2026-01-01T00:00:00Z")!.getTime(), 1_767_225_600_000);
      assert.equal(parseTokenExpires(""), undefined);
      assert.equal(jwtExpiryMs(fakeJwt({ exp: 1_767_225_600 })), 1_767_225_600_000);
      assert.equal(jwtExpiryMs(fakeJwt({ sub: "x" })), undefined);
      assert.equal(jwtExpiryMs("not-a-jwt"), undefined);
      assert.equal(jwtExpiryMs("a.%%%.c"), undefined);
    });

    it("TOKEN_EXPIRES is written as Python prints datetime.timestamp()", () => {
      assert.equal(formatTokenExpires(1_767_225_600_000), "1767225600.0");
      assert.equal(formatTokenExpires(1_767_225_600_250), "1767225600.25");
      assert.equal(formatTokenExpires(undefined), "");
    });
  });

  describe("write-back (doover-cli's format)", () => {
    const other = profileBlock("staging", { TOKEN: "other-token", BASE_URL: "https://api.staging.udoover.com" });
    const legacy = "[profile=old]\nUSERNAME=me\nPASSWORD=cHc=\nTOKEN=legacy\n"; // a raw block pydoover keeps as is
    const mine = profileBlock("default", {
      TOKEN: "old-access",
      TOKEN_EXPIRES: "1767225600.0",
      BASE_URL: "https://api.doover.com",
      REFRESH_TOKEN: "old-refresh",
      REFRESH_TOKEN_ID: "rt-1",
      AUTH_SERVER_URL: "https://auth.doover.com",
      AUTH_SERVER_CLIENT_ID: "client",
    });
    // ConfigManager.dump(): blocks joined by a blank line (each block ends with its own newline).
    const file = [other, mine, legacy].join("\n\n");

    it("changes only the values it sets, in their lines; other profiles, raw blocks and bytes stay", () => {
      const out = setProfileValues(file, "default", {
        TOKEN: "new-access",
        TOKEN_EXPIRES: "1767229200.0",
        REFRESH_TOKEN: "new-refresh",
      })!;
      const expected = [
        other,
        mine
          .replace("TOKEN=old-access", "TOKEN=new-access")
          .replace("TOKEN_EXPIRES=1767225600.0", "TOKEN_EXPIRES=1767229200.0")
          .replace("REFRESH_TOKEN=old-refresh", "REFRESH_TOKEN=new-refresh"),
        legacy,
      ].join("\n\n");
      assert.equal(out, expected);
      const parsed = parseDooverConfig(out);
      assert.equal(parsed.get("staging")!.TOKEN, "other-token");
      assert.equal(parsed.get("default")!.REFRESH_TOKEN_ID, "rt-1");
    });

    it("keeps unknown keys and comments; adds a missing key where doover-cli puts it; keeps CRLF", () => {
      const text = "# mine\r\n[profile=default]\r\nIS_DOOVER2=True\r\nTOKEN=a\r\nBASE_URL=https://x\r\nCUSTOM=1\r\n";
      const out = setProfileValues(text, "default", { TOKEN: "b", TOKEN_EXPIRES: "1.0", REFRESH_TOKEN: "r" })!;
      assert.equal(
        out,
        "# mine\r\n[profile=default]\r\nIS_DOOVER2=True\r\nTOKEN=b\r\nTOKEN_EXPIRES=1.0\r\nBASE_URL=https://x\r\n" +
          "REFRESH_TOKEN=r\r\nCUSTOM=1\r\n",
      );
    });

    it("an unknown profile changes nothing; a value with a line break is refused", () => {
      assert.equal(setProfileValues(file, "nope", { TOKEN: "x" }), undefined);
      assert.throws(() => setProfileValues(file, "default", { TOKEN: "x\nBASE_URL=evil" }), /line break/);
    });

    it("replaces the file atomically, keeping its mode, through a symlink; a missing file or profile writes nothing", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-write-"));
      try {
        const real = path.join(dir, "dotfiles-config");
        fs.writeFileSync(real, file, { mode: 0o640 });
        const link = path.join(dir, "config");
        fs.symlinkSync(real, link);
        assert.equal(writeProfileValues(link, "default", { TOKEN: "via-link" }), true);
        assert.ok(fs.lstatSync(link).isSymbolicLink(), "the link stays a link");
        assert.equal(parseDooverConfig(fs.readFileSync(real, "utf8")).get("default")!.TOKEN, "via-link");
        assert.equal(fs.statSync(real).mode & 0o777, 0o640);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["config", "dotfiles-config"], "no temporary file left");
        assert.equal(writeProfileValues(link, "nope", { TOKEN: "x" }), false);
        assert.equal(writeProfileValues(path.join(dir, "missing"), "default", { TOKEN: "x" }), false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("the lock file", () => {
    let dir: string;
    let lock: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-lock-"));
      lock = path.join(dir, "config.lock");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("one holder at a time in a process: 8 concurrent sections never overlap; the lock is gone after", async () => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withFileLock(lock, async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 5));
            inside--;
          }),
        ),
      );
      assert.equal(most, 1);
      assert.equal(fs.existsSync(lock), false);
    });

    it("a lock left by a process that died is taken over at once", async () => {
      // a pid that is not running: a child that has exited
      const { spawnSync } = await import("node:child_process");
      const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
      fs.writeFileSync(lock, JSON.stringify({ pid: dead, host: os.hostname(), since: Date.now(), nonce: "x" }));
      let ran = false;
      await withFileLock(lock, async () => {
        ran = true;
      });
      assert.ok(ran);
    });

    it("a live holder is waited for (said once), and past maxWaitMs it is a LockTimeout naming the file", async () => {
      fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: Date.now(), nonce: "y" }));
      const notices: string[] = [];
      await assert.rejects(
        withFileLock(lock, async () => undefined, {
          maxWaitMs: 300,
          noticeMs: 50,
          onWait: (h) => notices.push(`held by ${h?.pid}`),
        }),
        (e: unknown) => e instanceof LockTimeout && e.message.includes(lock),
      );
      assert.deepEqual(notices, [`held by ${process.pid}`]);
      assert.ok(fs.existsSync(lock), "somebody else's lock is not removed");
    });

    it("a lock older than staleMs is taken over even when its owner looks alive", async () => {
      fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: 0, nonce: "z" }));
      const old = new Date(Date.now() - 120_000);
      fs.utimesSync(lock, old, old);
      let ran = false;
      await withFileLock(
        lock,
        async () => {
          ran = true;
        },
        { staleMs: 60_000, maxWaitMs: 1000 },
      );
      assert.ok(ran);
    });
  });
});
