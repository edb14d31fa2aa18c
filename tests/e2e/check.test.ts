// Preview-time checks on the real engine (issue 7 items 4, 5, 11): a Pulumi.yaml program run by the CLI
// through our language host, against the emulator.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startTestEmulator, type Emulator } from "../support/emulator";
import { changes, e2eSkipped, EngineSandbox, type TestStack } from "../support/pulumi";
import { distinctiveToken, opsOf, writes } from "./helpers";

describe("e2e check (real Pulumi engine + emulator)", function () {
  this.timeout(240_000);
  let sandbox: EngineSandbox;
  let emulator: Emulator;

  before(async function () {
    if (e2eSkipped()) this.skip();
    emulator = await startTestEmulator({ token: distinctiveToken("check") });
    sandbox = await EngineSandbox.create();
  });
  after(async () => {
    await sandbox?.dispose();
    await emulator?.close();
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
    assert.match(out, /DooverApplication "dup-[ab]" and DooverApplication "dup-[ab]" both have the application name "e2e_dup_app"/);
    assert.match(out, /DooverTunnel "ssh-[ab]" and DooverTunnel "ssh-[ab]" both have the tunnel name "e2e-ssh"/);
    assert.deepEqual(writes(emulator), [], "preview made no write");
    const up = await failure(s.up());
    assert.match(up, /both have the application name "e2e_dup_app"/);
    assert.deepEqual(writes(emulator), [], "up stopped before any create");
  });

  it("4. a replace checks the same resource twice: not reported as a duplicate", async () => {
    const s = await stack("ok");
    await s.stack.setConfig("check:protocol", { value: "http" });
    assert.deepEqual(changes(await s.up()), ["create ok-app", "create ok-tunnel"]);
    await s.stack.setConfig("check:protocol", { value: "https" });
    const up = await s.up();
    assert.deepEqual(opsOf(up, "ok-tunnel"), ["delete-replaced", "replace", "create-replacement"]);
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("5. a schema with an unknown keyword and pydoover's dd_permissions format passes, with a warning shown", async () => {
    const s = await stack("schema");
    const preview = await s.preview();
    assert.deepEqual(changes(preview), ["create schema-app"]);
    assert.match(preview.stdout, /warning: configSchema \/notAKeyword: unknown keyword "notAKeyword" is ignored/);
    assert.doesNotMatch(preview.stdout, /dd_permissions/);
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
