// A clone tests itself: nothing in the repository reads a folder beside it, and no copy of the Doover
// Control API document is kept here (the suite fetches it from pydoover's sdist on PyPI, see
// scripts/ensure-pydoover-sdist.sh; config tests use tests/fixtures/configs).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./support/configs";

const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", ".pulumi-state", ".pulumi-home", ".demo"]);

/** Every file of the working tree but dependencies and build output, relative to the repository root. */
function repositoryFiles(dir = repoRoot): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const abs = path.join(dir, d.name);
    if (d.isDirectory()) return SKIPPED_DIRS.has(d.name) ? [] : repositoryFiles(abs);
    return d.isFile() ? [path.relative(repoRoot, abs)] : [];
  });
}

describe("repository inputs: a clone with nothing beside it tests itself", () => {
  const files = repositoryFiles();
  const text = (f: string) => fs.readFileSync(path.join(repoRoot, f), "utf8");

  it("no file names a folder next to the repository (the team's shared folder)", () => {
    assert.ok(files.length > 100, `only ${files.length} files found under ${repoRoot}`);
    const sibling = ["..", "shared"].join("/"); // spelled so that this file does not match itself
    const offenders = files.filter((f) => text(f).includes(sibling));
    assert.deepEqual(offenders, []);
  });

  it("no copy of the Doover Control API document is tracked (it comes from PyPI)", () => {
    const marker = ["title:", "Doover Control API"].join(" ");
    const copies = files.filter((f) => /\.(ya?ml|json)$/.test(f) && text(f).includes(marker));
    assert.deepEqual(copies, []);
  });
});
