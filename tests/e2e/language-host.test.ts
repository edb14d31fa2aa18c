// Our pulumi-language-nodejs host (scripts/pulumi-language-nodejs.js) as the CLI uses it: `pulumi up` of
// a failing program, a TypeScript `main`, `pulumi about` and `pulumi install`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineSandbox, e2eSkipped, REPO_ROOT, type TestStack } from "../support/pulumi";

describe("e2e language host (Pulumi.yaml program through the CLI)", function () {
  this.timeout(120_000);
  let sandbox: EngineSandbox;
  let s: TestStack;
  let projectDir: string;

  before(async function () {
    if (e2eSkipped()) this.skip();
    sandbox = await EngineSandbox.create();
    projectDir = project("js", path.join(__dirname, "fixtures", "failing-program.js"));
    s = await sandbox.stack({ stackName: "dev", projectDir });
  });

  function project(name: string, main: string): string {
    const dir = path.join(sandbox.dir, `project-${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: failing\nruntime: nodejs\nmain: ${main}\n`);
    return dir;
  }
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

  it("a TypeScript main runs from source (Node 22 strips the types)", async () => {
    const ts = path.join(REPO_ROOT, "tests", "e2e", "fixtures", "failing-program.ts");
    const tsStack = await sandbox.stack({ stackName: "ts", projectDir: project("ts", ts) });
    assert.equal((await tsStack.up()).outputs.ok, true);
  });

  it("`pulumi about` names the host and the project's dependencies; `pulumi install` says what to run", async () => {
    const about = await s.cli(["about", "--stack", s.stack.name]);
    assert.match(about, /language\s+nodejs\s+\d+\.\d+\.\d+/);
    assert.match(about, /@pulumi\/pulumi\s+\d+\.\d+\.\d+/, "dependencies read from the repo's package.json");
    const install = await s.cli(["install"]);
    assert.match(install, /npm ci/);
  });
});
