// Preview-time checks on the real engine (issue 7 items 4, 5, 11): a Pulumi.yaml program run by the CLI
// through our language host, against the emulator.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Emulator } from "../support/emulator";
import { changes, type EngineSandbox, type TestStack, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken, opsOf, writes } from "./helpers";

describe("e2e check (real Pulumi engine + emulator)", function () {
  this.timeout(240_000);
  const engine = useEngineSandbox({ token: distinctiveToken("check") });
  let sandbox: EngineSandbox;
  let emulator: Emulator;

  before(async () => {
    ({ sandbox, emulator } = engine);
  });

  async function stack(mode: string): Promise<TestStack> {
    const dir = path.join(sandbox.dir, `project-${mode}`);
    fs.mkdirSync(dir);
    const main = path.join(__dirname, "fixtures", "check-program.js");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: check\nruntime: nodejs\nmain: ${main}\n`);
    const s = await sandbox.stack({ stackName: mode, projectDir: dir, api: emulator });
    await s.stack.setAllConfig({ "check:mode": { value: mode }, "check:deviceId": { value: emulator.deviceIds[0] } });
    return s;
  }

  /** stdout + stderr of a `pulumi` command run in the stack's workspace that must fail. */
  function cliFailure(s: TestStack, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        path.join(sandbox.bin, "pulumi"),
        args,
        { cwd: s.stack.workspace.workDir, env: { ...process.env, ...sandbox.envVars }, maxBuffer: 16 << 20 },
        (err, stdout, stderr) =>
          err ? resolve(`${stdout}\n${stderr}`) : reject(new Error(`expected a failure:\n${stdout}`)),
      );
    });
  }

  /** The text of a failed operation (the CLI's stdout and stderr). */
  async function failure(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      return String((e as Error).message);
    }
    return assert.fail("expected the operation to fail");
  }

  it("4. two resources with one API name fail preview, naming both; nothing is sent", async () => {
    const s = await stack("dup");
    emulator.clearLog();
    const out = await failure(s.preview());
    assert.match(
      out,
      /resource 'dup-[ab]': property name value \{e2e_dup_app\} has a problem: DooverApplication "dup-([ab])" and DooverApplication "dup-(?!\1)[ab]" both have the application name "e2e_dup_app"/,
    );
    assert.deepEqual(writes(emulator), [], "preview made no write");
    // `pulumi up` previews first, so it stops before any create. (`--skip-preview`, as the Automation API's
    // up() runs, checks and creates as it goes: the first app may be made before the second is checked.)
    const up = await cliFailure(s, ["up", "--yes", "--non-interactive", "--color", "never", "--stack", "dup"]);
    assert.match(up, /both have the application name "e2e_dup_app"/);
    assert.deepEqual(writes(emulator), [], "up stopped before any create");

    const t = await stack("dup-tunnel");
    const tunnels = await failure(t.preview());
    assert.match(
      tunnels,
      /DooverTunnel "ssh-([ab])" and DooverTunnel "ssh-(?!\1)[ab]" both have the tunnel name "e2e-ssh"/,
    );
    assert.deepEqual(writes(emulator), []);
  });

  it("4. a replace checks the same resource twice: not reported as a duplicate", async () => {
    const s = await stack("ok");
    await s.stack.setConfig("check:protocol", { value: "http" });
    assert.deepEqual(changes(await s.up()), ["create ok-app", "create ok-tunnel"]);
    await s.stack.setConfig("check:protocol", { value: "https" });
    const up = await s.up();
    assert.deepEqual(opsOf(up, "ok-tunnel"), ["delete-replaced", "replace", "create-replacement"]);
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    const state = await s.resources();
    for (const r of Object.values(state))
      assert.ok(!("__dooverResource" in (r.inputs ?? {})), "reserved key not in state");
  });

  it("5. a schema with an unknown keyword and pydoover's dd_permissions format passes, with a warning shown", async () => {
    const s = await stack("schema");
    // The CLI's default display (what `pulumi preview` prints), not the --diff one the other tests use.
    const preview = await s.stack.preview({ color: "never" });
    assert.equal(preview.changeSummary.create, 2, "stack + app");
    assert.match(
      preview.stdout,
      /Diagnostics:\n {2}pulumi-nodejs:dynamic\/doover:Application \(schema-app\):\n {4}warning: configSchema \/notAKeyword: unknown keyword "notAKeyword" is ignored/,
    );
    assert.doesNotMatch(preview.stdout, /warning:.*dd_permissions/);
  });

  it("7, 14, issue 11: bad inputs fail preview with one readable line each: no `{<nil>}`, no Go map dump", async () => {
    const s = await stack("bad-inputs");
    const out = await failure(s.preview());
    assert.match(
      out,
      /resource 'bad-inputs': property imageName value \{\} has a problem: imageName must not be empty/,
    );
    assert.match(
      out,
      /resource 'bad-inputs' has a problem: configSchema \/properties\/a\/type: must be one of "array", .* \(got "no-such-type"\)\n/,
    );
    assert.match(
      out,
      /resource 'bad-inputs' has a problem: stagingConfig\.poll_interval = 5 is not an application field.*accepted keys: id, name,/,
    );
    assert.doesNotMatch(out, /<nil>|map\[/);
  });

  it("11. fromConfig with a missing file: one line naming the path, no stack trace", async () => {
    const s = await stack("missing");
    const out = await failure(s.preview());
    const line = out.split("\n").find((l) => l.includes("DooverApplication.fromConfig"));
    assert.ok(line, out);
    assert.match(line, /cannot read \/.*no-such-folder\/doover_config\.json: no such file/);
    assert.doesNotMatch(out, /^\s+at /m, "no stack frames");
    assert.doesNotMatch(out, /ENOENT/);
  });
});
