// "No link to nowhere": every link in README.md, CONTRIBUTING.md and docs/*.md resolves — a relative link to a
// file of the repository (and, with a #fragment, to one of its headings) — and every absolute URL is one this
// project knows to exist. package.json names no guessed repository or homepage (tests/package.test.ts).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./support/pulumi";

/** Absolute URLs the docs may name (known to exist; nothing guessed). */
const KNOWN_URLS = new Set([
  "https://doover.com",
  "https://www.pulumi.com",
  "https://api.doover.com",
  "https://api.staging.udoover.com",
  "https://auth.doover.com",
  "https://auth.staging.udoover.com",
  "https://keepachangelog.com/en/1.1.0/",
  "https://semver.org/spec/v2.0.0.html",
]);

function docFiles(): string[] {
  const docs = fs.existsSync(path.join(REPO_ROOT, "docs"))
    ? fs
        .readdirSync(path.join(REPO_ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`)
    : [];
  return ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...docs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    out.add(
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    );
  }
  return out;
}

/** Links outside code: `[text](target)`, `[label]: target` and bare `<https://…>`. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const out = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  out.push(...[...prose.matchAll(/<(https?:\/\/[^>]+)>/g)].map((m) => m[1]));
  // Reference definitions, `[label]: target` on a line of their own (Keep a Changelog's compare links).
  out.push(...[...prose.matchAll(/^\[[^\]\n]+\]:\s+(\S+)/gm)].map((m) => m[1]));
  return out;
}

describe("docs: links", () => {
  for (const file of docFiles()) {
    it(`${file}: every link resolves`, () => {
      const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      const broken: string[] = [];
      for (const link of links(text)) {
        if (/^https?:/.test(link)) {
          if (!KNOWN_URLS.has(link)) broken.push(`${link} (not a URL known to exist)`);
          continue;
        }
        const [target, fragment] = link.split("#");
        const resolved =
          target === "" ? path.join(REPO_ROOT, file) : path.resolve(REPO_ROOT, path.dirname(file), target);
        if (!fs.existsSync(resolved)) {
          broken.push(`${link} (no such file)`);
          continue;
        }
        if (fragment && !anchors(fs.readFileSync(resolved, "utf8")).has(fragment)) {
          broken.push(`${link} (no heading #${fragment})`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it("README stays a front page (a few hundred lines; topics live in docs/)", () => {
    const lines = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").split("\n").length;
    assert.ok(lines <= 400, `README.md has ${lines} lines`);
  });
});
