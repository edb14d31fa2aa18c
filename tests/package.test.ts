// What `npm pack` ships and what package.json promises a user: only the code programs run (no tests,
// examples, benchmarks, scripts or source maps), typed entry points with doc comments, @pulumi/pulumi as
// a peer dependency, the metadata registries show. Issue 8 "Package contents and metadata".
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./support/pulumi";
import { packedFiles } from "./support/user-project";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

describe("npm package", function () {
  this.timeout(60_000);
  let files: string[];
  before(() => {
    files = packedFiles();
  });

  it("ships the entry points, their types, README, LICENSE and CHANGELOG", () => {
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "docs/resources.md", // README's links resolve inside the tarball too
      "dist/index.js",
      "dist/index.d.ts",
      "dist/provider/runtime.js",
      "dist/provider/runtime.d.ts",
      "dist/sdk/index.js",
      "dist/sdk/index.d.ts",
      "dist/testing/index.js",
      "dist/testing/index.d.ts",
      "dist/emulator/index.js",
    ]) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
  });

  it("ships no tests, examples, benchmarks, scripts, sources or source maps", () => {
    const unwanted = files.filter(
      (f) =>
        /^dist\/(tests|examples|bench|scripts)\//.test(f) ||
        f.endsWith(".map") ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
        f.endsWith(".tsbuildinfo") ||
        /^(tests|examples|bench|scripts|sdk|provider|emulator|probe|testing)\//.test(f),
    );
    assert.deepEqual(unwanted, []);
    assert.ok(
      files.every((f) => /^(dist\/|docs\/[\w-]+\.md$|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(f)),
      `only dist/ and the top-level docs:\n${files.filter((f) => !f.startsWith("dist/")).join("\n")}`,
    );
  });

  it("every `exports` target (code and types) is in the tarball", () => {
    const targets: string[] = [];
    for (const entry of Object.values(pkg.exports) as (string | Record<string, string>)[]) {
      targets.push(...(typeof entry === "string" ? [entry] : Object.values(entry)));
    }
    targets.push(pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>));
    for (const t of targets) assert.ok(files.includes(t.replace(/^\.\//, "")), `${t} is packed`);
    assert.ok(pkg.exports["./testing"], "pulumi-doover/testing is exported");
  });

  it("declaration files keep the doc comments", () => {
    const dts = fs.readFileSync(path.join(REPO_ROOT, "dist", "provider", "application", "application.d.ts"), "utf8");
    assert.match(dts, /\/\*\*[\s\S]*?\*\/\s*export declare class DooverApplication/);
    const testing = fs.readFileSync(path.join(REPO_ROOT, "dist", "testing", "index.d.ts"), "utf8");
    assert.match(testing, /\/\*\*[\s\S]*?\*\/\s*export declare function setDooverMocks/);
  });

  it("@pulumi/pulumi is a ^3 peer dependency (and a devDependency), never a dependency", () => {
    assert.match(pkg.peerDependencies["@pulumi/pulumi"], /^\^3\.\d+\.\d+$/);
    assert.ok(pkg.devDependencies["@pulumi/pulumi"]);
    assert.equal(pkg.dependencies["@pulumi/pulumi"], undefined);
  });

  it("has the metadata a registry page shows", () => {
    assert.equal(pkg.license, "Apache-2.0");
    assert.match(fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
    // No guessed links: the package names no repository, homepage or issue tracker until one exists.
    for (const k of ["repository", "homepage", "bugs"]) assert.equal(pkg[k], undefined, k);
    for (const k of ["pulumi", "doover", "iot", "infrastructure-as-code"]) assert.ok(pkg.keywords.includes(k), k);
    assert.equal(pkg.engines.node, ">=22");
    const changelog = fs.readFileSync(path.join(REPO_ROOT, "CHANGELOG.md"), "utf8");
    assert.match(changelog, new RegExp(`## \\[${pkg.version.replace(/\./g, "\\.")}\\]`), "an entry for this version");
  });

  it("npm shows its own errors (no loglevel=silent): a mistyped script name says so", () => {
    const r = spawnSync("npm", ["run", "emulatr"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Missing script: "emulatr"/);
  });

  it("`npx doover-emulator --port 0` prints the address JSON as its first stdout line", async () => {
    // Own process group: npx runs the emulator as a child, and both must go at the end.
    const child = spawn("npx", ["doover-emulator", "--port", "0"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = "";
        child.stdout.on("data", (d) => {
          buf += d;
          if (buf.includes("\n")) resolve(buf.slice(0, buf.indexOf("\n")));
        });
        child.on("exit", (code) => reject(new Error(`exited ${code} before printing a line: ${buf}`)));
      });
      const info = JSON.parse(first);
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(info.token && info.organisationId);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, "SIGTERM");
      child.stdout.destroy();
    }
  });
});
