// The `doover-probe` command (issue 19) as a user runs it: credentials from env or a doover-cli profile like the
// provider's, the table or --json on stdout, progress on stderr, and the documented exit codes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useEmulator } from "./support/emulator";
import { objectsNamed } from "./support/probe";
import { REPO_ROOT } from "./support/pulumi";

const CLI = path.join(REPO_ROOT, "dist", "probe", "cli.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function probe(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A clean environment: no DOOVER_* of whoever runs the tests.
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("doover-probe (the command)", function () {
  this.timeout(60_000);
  const emu = useEmulator({ token: "probe-cli-tok" });
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "doover-probe-home-"));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it("is the package's `doover-probe` bin", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(pkg.bin["doover-probe"], "dist/probe/cli.js");
    assert.match(fs.readFileSync(CLI, "utf8"), /^#!\/usr\/bin\/env node/);
  });

  it("read-only with DOOVER_API_TOKEN: the table on stdout, progress on stderr, exit 0", async () => {
    const r = await probe(["--api-url", emu.current.url], {
      HOME: home,
      DOOVER_API_TOKEN: emu.current.token,
      DOOVER_ORGANISATION_ID: emu.current.organisationId,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^BEHAVIOUR\s+WHAT THE SERVER DID\s+WHAT THE PACKAGE ASSUMES\s+VERDICT$/m);
    assert.match(r.stdout, /token from env DOOVER_API_TOKEN; organisation \d+; read-only/);
    assert.match(r.stdout, /Result: .* Exit 0: the API behaves as the package assumes\./);
    assert.match(r.stderr, /doover-probe: probing http:\/\/127\.0\.0\.1:\d+ \(read-only\)/);
    assert.ok(!r.stdout.includes(emu.current.token) && !r.stderr.includes(emu.current.token), "never the token");
  });

  it("--write --device --json with a doover-cli profile: JSON on stdout, everything removed", async () => {
    fs.mkdirSync(path.join(home, ".doover"));
    fs.writeFileSync(
      path.join(home, ".doover", "config"),
      `[profile=probe]\nTOKEN=${emu.current.token}\nBASE_URL=${emu.current.url}\nORGANISATION_ID=${emu.current.organisationId}\n`,
    );
    const device = emu.current.deviceIds[2];
    const r = await probe(["--profile", "probe", "--write", "--device", device, "--json"], { HOME: home });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.exitCode, 0);
    assert.match(report.credentialSource, /^profile "probe" in /);
    assert.equal(report.apiUrl, emu.current.url);
    assert.equal(report.deviceId, device);
    assert.deepEqual(report.leftovers, []);
    assert.equal(report.rows.find((x: any) => x.id === "installs.post-taken-name").observed.outcome, "conflict");
    const left = await objectsNamed(emu.current, report.prefix);
    assert.deepEqual([left.installs, left.tunnels], [[], []]);
    assert.ok(left.apps.every((a) => a.archived));
    assert.match(r.stderr, /made application probe_/);
  });

  it("no token anywhere: exit 2 with where it looked", async () => {
    const r = await probe(["--api-url", emu.current.url], { HOME: home });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No Doover API token found\. Looked in: .*DOOVER_API_TOKEN/);
  });

  it("unreachable API: exit 2 within --retry-budget, with what to check", async () => {
    const r = await probe(["--api-url", "http://127.0.0.1:9", "--retry-budget", "1"], {
      HOME: home,
      DOOVER_API_TOKEN: "x",
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /Exit 2: the API could not be probed \(the API is unreachable\)/);
    assert.match(r.stdout, /--api-url/);
  });

  it("bad options: exit 64 with the usage; --help: exit 0 with the exit codes", async () => {
    for (const args of [["--bogus"], ["--device", "1"], ["--write", "--device", "abc"], ["--retry-budget", "soon"]]) {
      const r = await probe(args, { HOME: home, DOOVER_API_TOKEN: "x" });
      assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /usage: doover-probe/);
    }
    const help = await probe(["--help"], { HOME: home });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit: 0 as assumed, 1 a MISMATCH or ERROR, 2 not probed/);
  });
});
