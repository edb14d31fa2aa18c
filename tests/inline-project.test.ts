// inlineProjectSettings: the project settings an Automation API driver passes so the provider host the engine
// starts for Doover resources finds pulumi-doover and @pulumi/pulumi whatever the process's working directory
// (tests/e2e/automation-sites.test.ts runs it as a user does, from a folder without node_modules).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as path from "node:path";
import { inlineProjectSettings } from "../provider/inline-project";
import { REPO_ROOT } from "./support/pulumi";

describe("inlineProjectSettings", () => {
  it("a Node.js project whose main is the folder both packages resolve from (here: this repository)", () => {
    const settings = inlineProjectSettings("fleet");
    assert.deepEqual(settings, { name: "fleet", runtime: "nodejs", main: REPO_ROOT });
    const req = createRequire(path.join(settings.main!, "x.js"));
    assert.ok(req.resolve("@pulumi/pulumi/cmd/dynamic-provider"));
    assert.ok(req.resolve("pulumi-doover/provider-runtime"));
  });

  it("keeps the caller's other settings and lets them override", () => {
    const settings = inlineProjectSettings("fleet", { description: "sites", backend: { url: "file:///tmp/x" } });
    assert.equal(settings.description, "sites");
    assert.deepEqual(settings.backend, { url: "file:///tmp/x" });
    assert.equal(settings.main, REPO_ROOT);
  });
});
