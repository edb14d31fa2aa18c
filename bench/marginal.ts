// Marginal cost per resource from two `cli-ab --json` reports of different N (same --parallel): for each
// phase, (median at the larger N − median at the smaller N) / ΔN for both kinds, and their ratio
// (DooverApplication / no-op). The fixed cost of a run (process starts, module loads) cancels out. Not a test.
// With the bare-GET baseline in the reports (refresh), the refresh ratio is also given against the no-op plus one
// bare GET per resource; with `--rss` reports, the provider host's peak RSS per added resource (KB).
//
//   node dist/bench/marginal.js <small.json> <large.json> [--parallel 8]
import * as fs from "node:fs";

type Kind = "doover" | "noop";
interface PhaseReport {
  label: string;
  wall: Record<Kind, number[]>;
  cpu: Record<Kind, number[]>;
  rss?: Record<Kind, number[]>;
  bareGet?: { wall: number[]; cpu: number[] };
}
interface Report {
  options: { n: number };
  runs: { parallel: number; results: PhaseReport[] }[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const [smallFile, largeFile] = process.argv.slice(2);
  const pi = process.argv.indexOf("--parallel");
  const parallel = pi > 0 ? Number(process.argv[pi + 1]) : 8;
  const small = JSON.parse(fs.readFileSync(smallFile, "utf8")) as Report;
  const large = JSON.parse(fs.readFileSync(largeFile, "utf8")) as Report;
  const dn = large.options.n - small.options.n;
  const run = (r: Report) => r.runs.find((x) => x.parallel === parallel);
  const a = run(small);
  const b = run(large);
  if (!a || !b || dn <= 0) throw new Error("need two reports with the same --parallel and growing N");
  console.log(`marginal cost per resource, N ${small.options.n} → ${large.options.n}, --parallel ${parallel} (ms)`);
  console.log(
    "| phase | wall doover | wall no-op | ratio | cpu doover | cpu no-op | ratio |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const lines: string[] = [];
  for (const ra of a.results) {
    const rb = b.results.find((x) => x.label.replace(/\d+/g, "N") === ra.label.replace(/\d+/g, "N"));
    if (!rb) continue;
    const label = ra.label.replace(/\d+/, "N");
    const per = (m: "wall" | "cpu", k: Kind) => ((median(rb[m][k]) - median(ra[m][k])) / dn) * 1000;
    const cells = (["wall", "cpu"] as const).flatMap((m) => {
      const d = per(m, "doover");
      const n = per(m, "noop");
      return [d.toFixed(2), n.toFixed(2), (d / n).toFixed(2)];
    });
    console.log(`| ${label} | ${cells.join(" | ")} |`);
    if (ra.bareGet?.wall.length && rb.bareGet?.wall.length) {
      const bare = (m: "wall" | "cpu") => ((median(rb.bareGet![m]) - median(ra.bareGet![m])) / dn) * 1000;
      const vs = (m: "wall" | "cpu") => (per(m, "doover") / (per(m, "noop") + bare(m))).toFixed(2);
      lines.push(
        `${label}: one bare keep-alive GET costs ${bare("wall").toFixed(2)} ms wall, ${bare("cpu").toFixed(2)} ms CPU per ` +
          `resource; doover ÷ (no-op + bare GET) = ${vs("wall")} wall, ${vs("cpu")} CPU`,
      );
    }
    if (ra.rss?.doover.length && rb.rss?.doover.length) {
      const kb = (k: Kind) => (median(rb.rss![k]) - median(ra.rss![k])) / dn;
      lines.push(
        `${label}: provider host peak RSS per added resource: doover ${kb("doover").toFixed(1)} KB, no-op ${kb("noop").toFixed(1)} KB`,
      );
    }
  }
  for (const l of lines) console.log(l);
}

main();
