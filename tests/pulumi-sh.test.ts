// scripts/pulumi.sh (`npm run pulumi`) picks the state backend the way the user's own `pulumi` would
// (issue 16 item 11): PULUMI_BACKEND_URL; the program's Pulumi.yaml `backend.url`; the backend they logged in to
// (`npm run pulumi -- login <url>` and a `pulumi login` of their own CLI are the same login, in
// ~/.pulumi/credentials.json); only then the clone's .pulumi-state/, saying that it goes with the clone.
// Real CLI, file backends in a temp dir, `pulumi whoami --verbose` to read the choice.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { e2eSkipped, ensurePulumiCli, REPO_ROOT } from "./support/pulumi";

const SCRIPT = path.join(REPO_ROOT, "scripts", "pulumi.sh");

describe("scripts/pulumi.sh: which state backend `npm run pulumi` uses", function () {
  this.timeout(120_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    if (e2eSkipped()) this.skip();
    ensurePulumiCli(); // with the real HOME: the cached CLI
  });
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "doover-pulumi-sh-"));
    env = { ...process.env, HOME: home };
    for (const k of Object.keys(env)) if (/^PULUMI_/.test(k)) delete env[k];
    env.XDG_CACHE_HOME = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"); // the CLI's cache
    env.PULUMI_CONFIG_PASSPHRASE = "test";
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile("bash", [SCRIPT, ...args], { cwd: home, env: { ...env, ...extra } }, (e, out, err) =>
        resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
      );
    });
  }
  async function backend(args: string[] = [], extra: NodeJS.ProcessEnv = {}): Promise<{ url: string; err: string }> {
    const r = await run([...args, "whoami", "--verbose"], extra);
    assert.equal(r.code, 0, r.out + r.err);
    return { url: /Backend URL: (\S+)/.exec(r.out)?.[1] ?? "", err: r.err };
  }
  const dir = (name: string) => {
    const d = path.join(home, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  it("with nothing chosen: the clone's .pulumi-state/, and a note that it goes with the clone", async () => {
    const { url, err } = await backend();
    assert.equal(url, `file://${path.join(REPO_ROOT, ".pulumi-state")}`);
    assert.match(err, /stacks are kept in \S+\.pulumi-state: deleting this clone deletes them/);
    assert.match(err, /docs\/teams\.md/);
  });

  it("PULUMI_BACKEND_URL wins, without the note", async () => {
    const state = dir("env-state");
    const { url, err } = await backend([], { PULUMI_BACKEND_URL: `file://${state}` });
    assert.equal(url, `file://${state}`);
    assert.doesNotMatch(err, /stacks are kept in/);
  });

  it("`npm run pulumi -- login <url>` is honoured by the next commands, like a login of the user's own CLI", async () => {
    const state = dir("logged-in");
    const login = await run(["login", `file://${state}`]);
    assert.equal(login.code, 0, login.out + login.err);
    assert.ok(fs.existsSync(path.join(home, ".pulumi", "credentials.json")), "the user's credentials file");
    const { url, err } = await backend();
    assert.equal(url, `file://${state}`);
    assert.doesNotMatch(err, /stacks are kept in/);
    // A login written by the user's own `pulumi login` (same file) is the same thing.
    const other = dir("own-cli");
    fs.writeFileSync(
      path.join(home, ".pulumi", "credentials.json"),
      JSON.stringify({ current: `file://${other}`, accessTokens: { [`file://${other}`]: "" } }),
    );
    assert.equal((await backend()).url, `file://${other}`);
    await run(["logout"]);
    assert.equal((await backend()).url, `file://${path.join(REPO_ROOT, ".pulumi-state")}`);
  });

  it("a program whose Pulumi.yaml names a backend (`backend: url:`) keeps it", async () => {
    const project = dir("project");
    const state = dir("project-state");
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: p\nruntime: nodejs\nbackend:\n  url: file://${state}\n`);
    assert.equal((await backend(["--cwd", project])).url, `file://${state}`);
  });

  it("a backend you chose gets no demo passphrase: a new stack there needs your own", async () => {
    const project = dir("team-project");
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    const state = `file://${dir("team-state")}`;
    delete env.PULUMI_CONFIG_PASSPHRASE; // (an empty one is a passphrase too)
    const r = await run(["--cwd", project, "stack", "init", "dev", "--non-interactive"], { PULUMI_BACKEND_URL: state });
    assert.notEqual(r.code, 0, "no stack made with the public demo passphrase on a team backend");
    assert.match(r.err + r.out, /passphrase must be set with PULUMI_CONFIG_PASSPHRASE/);
    assert.doesNotMatch(r.err, /demo passphrase/);
  });
});
