// Marginal cost per resource from two `cli-ab --json` reports of different N (same --parallel): for each
// phase, (median at the larger N − median at the smaller N) / ΔN for both kinds, and their ratio
// (DooverApplication / no-op). The fixed cost of a run (process starts, module loads) cancels out. Not a test.
//
//   node dist/bench/marginal.js <small.json> <large.json> [--parallel 8]
import * as fs from "node:fs";

type Kind = "doover" | "noop";
interface Report {
  options: { n: number };
  runs: {
    parallel: number;
    results: { label: string; wall: Record<Kind, number[]>; cpu: Record<Kind, number[]> }[];
  }[];
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
  for (let i = 0; i < a.results.length; i++) {
    const label = a.results[i].label.replace(/\d+/, "N");
    const per = (m: "wall" | "cpu", k: Kind) => ((median(b.results[i][m][k]) - median(a.results[i][m][k])) / dn) * 1000;
    const cells = (["wall", "cpu"] as const).flatMap((m) => {
      const d = per(m, "doover");
      const n = per(m, "noop");
      return [d.toFixed(1), n.toFixed(1), (d / n).toFixed(2)];
    });
    console.log(`| ${label} | ${cells.join(" | ")} |`);
  }
}

main();
