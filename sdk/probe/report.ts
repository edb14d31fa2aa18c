// What `doover-probe` / `client.probe()` hands back: one row per behaviour, what it left behind, an exit code.

/**
 * - `OK`: the server behaves as the package assumes.
 * - `MISMATCH`: it does not; `meaning` says what that does to `pulumi up` and what to do.
 * - `NOTE`: worth knowing, changes nothing the package does (e.g. fields the package ignores).
 * - `SKIPPED`: not checked; `server` says why and how to check it.
 * - `ERROR`: the check could not finish (an unexpected answer); `server` says what happened.
 */
export type Verdict = "OK" | "MISMATCH" | "NOTE" | "SKIPPED" | "ERROR";

/** One behaviour of the API and what the package makes of it. */
export interface ProbeRow {
  /** stable id for machines, e.g. `applications.post-taken-name` */
  id: string;
  /** the behaviour, e.g. `POST /applications/ with a taken name` */
  behaviour: string;
  /** what the server did */
  server: string;
  /** what the package assumes */
  assumes: string;
  verdict: Verdict;
  /** for MISMATCH/NOTE/ERROR: what it means for `pulumi up`, and what to set or use */
  meaning?: string;
  /** a mismatch that can duplicate, lose or overwrite an object (the exit code is 1 either way) */
  safety?: boolean;
  /** the raw observations (statuses, ids, header values, field names), for `--json` */
  observed?: Record<string, unknown>;
}

/** An object the probe made and could not remove. */
export interface Leftover {
  kind: "application" | "app install" | "tunnel";
  id: string;
  name: string;
  /** what state it is in, e.g. `live` (an application the probe could not archive) */
  state: string;
  /** why the clean-up failed */
  reason: string;
  /** how to remove it by hand */
  removeWith: string[];
}

/** An object the probe made and removed (applications cannot be deleted: they are archived). */
export interface Cleaned {
  kind: Leftover["kind"];
  id: string;
  name: string;
  how: "archived" | "deleted" | "already archived" | "already gone";
}

export interface ProbeReport {
  /** the package version that made the report */
  packageVersion: string;
  apiUrl: string;
  /** where the token came from (never the token) */
  credentialSource: string;
  organisationId?: string;
  /** whether throwaway objects were written (`--write`) */
  write: boolean;
  /** the prefix of every object the probe made (`probe_<random>`), when it wrote */
  prefix?: string;
  deviceId?: string;
  rows: ProbeRow[];
  cleaned: Cleaned[];
  leftovers: Leftover[];
  /** see {@link EXIT_CODES} */
  exitCode: number;
  /** a reason the probe stopped early (unreachable API, token refused, interrupted) */
  stopped?: string;
  startedAt: string;
  durationMs: number;
}

/** The exit codes of `doover-probe` (`report.exitCode`). */
export const EXIT_CODES = {
  /** every behaviour is as the package assumes (NOTE and SKIPPED rows allowed) */
  ok: 0,
  /** at least one MISMATCH or ERROR row */
  mismatch: 1,
  /** the API could not be probed: unreachable, not a Doover API, token refused, or interrupted */
  unreachable: 2,
  /** `--write` left objects behind (listed with the command to remove each) */
  leftovers: 3,
  /** bad command line */
  usage: 64,
} as const;

/** Leftovers first (someone must act), then an API that could not be probed, then mismatches. */
export function exitCodeOf(report: Pick<ProbeReport, "rows" | "leftovers" | "stopped">): number {
  if (report.leftovers.length > 0) return EXIT_CODES.leftovers;
  if (report.stopped !== undefined) return EXIT_CODES.unreachable;
  if (report.rows.some((r) => r.verdict === "MISMATCH" || r.verdict === "ERROR")) return EXIT_CODES.mismatch;
  return EXIT_CODES.ok;
}
