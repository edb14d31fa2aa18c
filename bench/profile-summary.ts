// Summarises the V8 CPU profiles `cli-ab --profile` writes: per process (by its main script), the
// sampled busy time, and the heaviest files/functions by self time. Not a test.
//
//   node dist/bench/profile-summary.js <dir> [--top 15] [--by file|function]
import * as fs from "node:fs";
import * as path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)"]);

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".cpuprofile") ? [p] : [];
  });
}

/** Which process a profile came from: the most telling script in it. */
function processKind(p: Profile): string {
  const urls = new Set(p.nodes.map((n) => n.callFrame.url));
  const has = (s: string) => [...urls].some((u) => u.includes(s));
  if (has("dynamic-provider")) return "provider host";
  if (has("/cmd/run/")) return "program";
  return "other node";
}

function shortUrl(url: string): string {
  const m = url.match(/node_modules\/(@[^/]+\/[^/]+|[^/]+)\/(.*)$/);
  if (m) return `${m[1]}/${m[2]}`;
  return url.replace(/^file:\/\//, "").replace(/^.*\/(dist|lib)\//, "$1/") || "(native)";
}

function main(): void {
  const args = process.argv.slice(2);
  const dir = args[0];
  const top = Number(args[args.indexOf("--top") + 1]) || 15;
  const by = args.includes("--by") ? args[args.indexOf("--by") + 1] : "file";
  const perKind = new Map<string, { busy: number; gc: number; count: number; self: Map<string, number> }>();
  for (const file of walk(dir)) {
    const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const key = `${path.basename(path.dirname(file))} ${processKind(p)}`;
    const k = perKind.get(key) ?? { busy: 0, gc: 0, count: 0, self: new Map() };
    k.count++;
    for (let i = 0; i < p.samples.length; i++) {
      const n = byId.get(p.samples[i]);
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      if (!n) continue;
      const fn = n.callFrame.functionName || "(anonymous)";
      if (fn === "(garbage collector)") k.gc += dt;
      if (IDLE.has(fn) && fn !== "(garbage collector)") continue;
      k.busy += dt;
      const label =
        by === "function" ? `${fn} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber}` : shortUrl(n.callFrame.url);
      k.self.set(label, (k.self.get(label) ?? 0) + dt);
    }
    perKind.set(key, k);
  }
  for (const [key, k] of [...perKind].sort()) {
    console.log(`\n${key}: ${k.count} process(es), busy ${k.busy.toFixed(0)} ms (gc ${k.gc.toFixed(0)} ms)`);
    for (const [label, ms] of [...k.self].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${label}`);
  }
}

main();
