// Issue 7 item 12: refresh/destroy run the provider text stored in state, which loads pulumi-doover from the
// program's folder. Without the package there (a fresh clone before `npm install`), the error must say so and
// what to run, not "Cannot find module 'pulumi-doover/provider-runtime'".
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { useUserProject } from "../support/user-project";

const PROGRAM = `import { DooverApplication } from "pulumi-doover";
new DooverApplication("kept-app", { name: "missing_pkg_app", displayName: "Kept", type: "processor", description: "d" });
`;

describe("e2e refresh/destroy without pulumi-doover installed (user project)", function () {
  this.timeout(600_000);
  const ctx = useUserProject({ program: PROGRAM, stack: "dev", emulator: { token: "missing-package-token-7f3a" } });

  it("says to run npm install in the program's folder", async () => {
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    fs.rmSync(path.join(ctx.project.dir, "node_modules", "pulumi-doover"), { recursive: true, force: true });
    for (const op of [() => ctx.project.refresh(), () => ctx.project.destroy()]) {
      const r = await op();
      assert.notEqual(r.code, 0, r.output);
      assert.ok(r.output.includes(`Run \`npm install\` in ${ctx.project.dir}`), r.output);
      assert.match(r.output, /need the pulumi-doover package there/);
    }
    assert.equal(Object.keys(await ctx.project.resources()).length, 1, "state untouched");
  });
});
