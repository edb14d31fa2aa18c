// The probe's report as a table for people (`doover-probe`) and as JSON for machines (`--json`).

import type { ProbeReport, ProbeRow } from "./report";

const HEAD = ["BEHAVIOUR", "WHAT THE SERVER DID", "WHAT THE PACKAGE ASSUMES", "VERDICT"];

/** The table, the notes it refers to, what was made and removed, and the result line. */
export function formatReport(report: ProbeReport, width = 120): string {
  const out: string[] = [];
  const mode = report.write ? `--write${report.deviceId ? ` --device ${report.deviceId}` : ""}` : "read-only";
  out.push(
    `doover-probe (pulumi-doover ${report.packageVersion}) against ${report.apiUrl}`,
    `token from ${report.credentialSource}; organisation ${report.organisationId ?? "(none)"}; ${mode}` +
      (report.prefix ? `; throwaway names ${report.prefix}…` : ""),
    "",
  );
  const notes: string[] = [];
  const cells = report.rows.map((r) => {
    let verdict: string = r.verdict;
    if (r.meaning) {
      notes.push(noteFor(r, notes.length + 1));
      verdict += ` [${notes.length}]`;
    }
    return [r.behaviour, r.server, r.assumes, verdict];
  });
  out.push(...table([HEAD, ...cells], width));
  if (notes.length) out.push("", ...notes);
  if (report.cleaned.length) {
    out.push("", "Made and removed:");
    for (const c of report.cleaned) out.push(`  ${c.kind} ${c.name} (id ${c.id}): ${c.how}`);
  }
  if (report.leftovers.length) {
    out.push("", "LEFT BEHIND (could not be removed; remove each by hand):");
    for (const l of report.leftovers) {
      out.push(`  ${l.kind} ${l.name} (id ${l.id}), ${l.state}: ${l.reason}`);
      for (const cmd of l.removeWith) out.push(`      ${cmd}`);
    }
  }
  out.push("", summary(report));
  return out.join("\n") + "\n";
}

/** The report as JSON (what `--json` prints). */
export function formatJson(report: ProbeReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** One line: how many of each verdict, and the exit code with what it means. */
export function summary(report: ProbeReport): string {
  const count = (v: ProbeRow["verdict"]) => report.rows.filter((r) => r.verdict === v).length;
  const mismatches = count("MISMATCH");
  const safety = report.rows.filter((r) => r.verdict === "MISMATCH" && r.safety).length;
  const parts = [
    `${count("OK")} OK`,
    `${mismatches} MISMATCH${safety ? ` (${safety} affecting safety)` : ""}`,
    `${count("ERROR")} ERROR`,
    `${count("NOTE")} NOTE`,
    `${count("SKIPPED")} SKIPPED`,
  ];
  const why =
    report.exitCode === 3
      ? `objects were left behind${report.stopped ? ` (the probe stopped: ${report.stopped})` : ""}`
      : report.exitCode === 2
        ? `the API could not be probed (${report.stopped})`
        : report.exitCode === 1
          ? "the API differs from what the package assumes"
          : "the API behaves as the package assumes";
  return `Result: ${parts.join(", ")}. Exit ${report.exitCode}: ${why}.`;
}

function noteFor(r: ProbeRow, n: number): string {
  const tag = r.verdict === "MISMATCH" && r.safety ? "MISMATCH, SAFETY" : r.verdict;
  return wrap(`[${n}] ${tag} (${r.id}): ${r.meaning}`, 118, "    ").join("\n");
}

/** Columns sized to the width (the verdict column to its content), cells word-wrapped. */
function table(rows: string[][], width: number): string[] {
  const verdictWidth = Math.max(...rows.map((r) => r[3].length));
  const gap = 2;
  const room = Math.max(60, width - verdictWidth - gap * 3);
  const shares = [0.28, 0.4, 0.32];
  const widths = shares.map((s) => Math.max(16, Math.floor(room * s)));
  const lines: string[] = [];
  rows.forEach((row, i) => {
    const wrapped = [...row.slice(0, 3).map((c, j) => wrap(c, widths[j])), [row[3]]];
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let k = 0; k < height; k++) {
      const parts = wrapped.map((w, j) => (j < 3 ? (w[k] ?? "").padEnd(widths[j]) : (w[k] ?? "")));
      lines.push(parts.join(" ".repeat(gap)).trimEnd());
    }
    if (i === 0)
      lines.push(widths.map((w) => "-".repeat(w)).join(" ".repeat(gap)) + " ".repeat(gap) + "-".repeat(verdictWidth));
  });
  return lines;
}

/** Word wrap to `width`; words longer than the width are cut. */
export function wrap(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = "";
      }
      lines.push(w.slice(0, width));
      w = indent + w.slice(width);
    }
    if (!line) line = lines.length && indent ? indent + w : w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = indent + w;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}
