// Our pulumi-language-nodejs host (scripts/pulumi-language-nodejs.js) as the CLI uses it: `pulumi up` of
// a failing program, `pulumi about` and `pulumi install`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { e2eSkipped, EngineSandbox, type TestStack } from "../support/pulumi";

describe("e2e language host (Pulumi.yaml program through the CLI)", function () {
  this.timeout(120_000);
  let sandbox: EngineSandbox;
  let s: TestStack;
  let projectDir: string;

  before(async function () {
    if (e2eSkipped()) this.skip();
    sandbox = await EngineSandbox.create();
    projectDir = path.join(sandbox.dir, "failing-project");
    fs.mkdirSync(projectDir);
    const main = path.join(__dirname, "fixtures", "failing-program.js");
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), `name: failing\nruntime: nodejs\nmain: ${main}\n`);
    s = await sandbox.stack({ stackName: "dev", projectDir });
  });
  after(async () => sandbox?.dispose());

  it("runs a program and returns its outputs", async () => {
    const up = await s.up();
    assert.equal(up.outputs.ok, true);
  });

  it("a program that throws fails the update with its message and changes nothing", async () => {
    await s.stack.setConfig("mode", { value: "throw" });
    await assert.rejects(s.up(), /the program failed on purpose/);
    assert.deepEqual((await s.stack.outputs()).ok?.value, true, "earlier outputs kept");
  });

  it("a program that exits non-zero fails the update with its exit code", async () => {
    await s.stack.setConfig("mode", { value: "exit" });
    await assert.rejects(s.preview(), /Program exited with non-zero exit code: 3/);
  });

  it("`pulumi about` names the host and the project's dependencies; `pulumi install` says what to run", async () => {
    const about = await s.cli(["about", "--stack", s.stack.name]);
    assert.match(about, /language\s+nodejs\s+\d+\.\d+\.\d+/);
    assert.match(about, /@pulumi\/pulumi\s+\d+\.\d+\.\d+/, "dependencies read from the repo's package.json");
    const install = await s.cli(["install"]);
    assert.match(install, /npm ci/);
  });
});
