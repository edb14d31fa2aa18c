// What a provider host loads when it starts: every `pulumi` command starts one, so code it never runs stays
// out of its start (the probe: ~7 ms of module loading in each provider host).

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const DIST = path.join(__dirname, "..");

/** The dist/ modules a fresh Node process holds after requiring `modules`, relative to dist/. */
function loadedAfter(modules: string[]): string[] {
  const code =
    `for (const m of ${JSON.stringify(modules.map((m) => path.join(DIST, m)))}) require(m);` +
    `process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const loaded = JSON.parse(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })) as string[];
  return loaded.filter((f) => f.startsWith(DIST + path.sep)).map((f) => path.relative(DIST, f));
}

describe("provider host start", () => {
  it("the runtime and an application's provider code load no probe code", () => {
    const loaded = loadedAfter(["provider/runtime.js", "provider/application/application-provider.js"]);
    assert.ok(loaded.includes("sdk/client.js"), "the SDK client is loaded (the check is looking at the right files)");
    assert.deepEqual(
      loaded.filter((f) => /^sdk\/probe\/(probe|read-checks|write-checks|field-checks|throwaways)\.js$/.test(f)),
      [],
    );
  });
});
