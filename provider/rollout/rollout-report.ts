// What an `up` says about a rollout: per-wave results, totals, and the table of failed devices.

import { type DeviceCode, type DeviceRecord, FAILED_CODES } from "./rollout-records";

/** One wave after an `up`. */
export interface WaveResult {
  wave: number;
  devices: number;
  /** at the target after this `up` (already there before it included) */
  succeeded: number;
  /** failed or cancelled deployments */
  failed: number;
  /** deployments still queued or running past deviceTimeoutSeconds */
  timedOut: number;
  /** devices of the wave that already ran the target before this `up` */
  alreadyAtTarget: number;
  status: "passed" | "failed" | "held" | "notStarted";
}

/** The fleet after an `up`. */
export interface Totals {
  devices: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  /** still queued or running (left so by a stop) */
  running: number;
  /** not deployed yet (later waves, held or stopped) */
  pending: number;
  rolledBack: number;
  rollbackFailed: number;
  /** in this `up` */
  deploymentsStarted: number;
  installsCreated: number;
  installsRemoved: number;
}

/** Why one device failed, for the table (kept in memory only). */
export interface FailureDetail {
  device: string;
  installId?: string;
  deploymentId?: string;
  status: string;
  log: string;
}

/** Lines of a device's log the table quotes. */
const TAIL_LINES = 5;
/** Devices the table lists (the rest are counted; `deviceResults` has them all). */
const TABLE_ROWS = 20;

/** The last lines of a deployment log, indented for the table. */
export function shortTail(log: string | null | undefined): string {
  const lines = String(log ?? "")
    .replace(/\s+$/, "")
    .split("\n")
    .filter((l) => l.trim() !== "");
  if (lines.length === 0) return "      (empty log)";
  const tail = lines.slice(-TAIL_LINES).map((l) => `      ${l}`);
  return (lines.length > TAIL_LINES ? ["      …", ...tail] : tail).join("\n");
}

/** The failed devices as a table: device, install, deployment, status, then the end of each log. */
export function failureTable(failures: readonly FailureDetail[]): string {
  const rows = failures.slice(0, TABLE_ROWS);
  const head = ["device", "install", "deployment", "status"];
  const cells = rows.map((f) => [f.device, f.installId ?? "-", f.deploymentId ?? "-", f.status]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `  ${c.map((x, i) => x.padEnd(width[i])).join("  ")}`.trimEnd();
  const out = [line(head)];
  rows.forEach((f, i) => {
    out.push(line(cells[i]));
    out.push(shortTail(f.log));
  });
  if (failures.length > rows.length)
    out.push(`  … and ${failures.length - rows.length} more (the rollout's deviceResults output lists every device)`);
  return out.join("\n");
}

/** Totals from the records (plus this `up`'s counters). */
export function totalsOf(
  records: Map<string, DeviceRecord>,
  counters: Pick<Totals, "deploymentsStarted" | "installsCreated" | "installsRemoved">,
): Totals {
  const count = (codes: DeviceCode[]) => [...records.values()].filter((r) => codes.includes(r.code)).length;
  return {
    devices: records.size,
    succeeded: count(["SUC"]),
    failed: count(FAILED_CODES.filter((c) => c !== "TMO" && c !== "RBF")),
    timedOut: count(["TMO"]),
    running: count(["QUE", "RUN"]),
    pending: count(["PEN"]),
    rolledBack: count(["RBK"]),
    rollbackFailed: count(["RBF"]),
    ...counters,
  };
}
