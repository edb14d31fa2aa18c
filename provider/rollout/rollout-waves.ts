// Waves and thresholds, as pure functions: which devices each wave covers, and when a wave has failed.
//
// Waves are cumulative over the fleet in its order (the program's list order, or device id order for a
// group): `[{devices: 2}, {percent: 30}, {percent: 100}]` over 1,000 devices covers devices 1-2, then 3-300,
// then 301-1,000. A percentage rounds up (30% of 5 devices is 2). A wave that would cover nothing (30% of 3
// devices after a canary of 2) is empty and passes at once. The last wave takes the rest, whatever it says.

import type { FailureThreshold, WaveSpec } from "./rollout-fields";

/** The end index (exclusive) of each wave over `total` devices: non-decreasing, the last one `total`. */
export function waveEnds(waves: readonly WaveSpec[], total: number): number[] {
  const ends: number[] = [];
  let end = 0;
  waves.forEach((w, i) => {
    const want = w.devices !== undefined ? w.devices : Math.ceil(((w.percent ?? 100) * total) / 100 - 1e-9);
    end = i === waves.length - 1 ? total : Math.min(total, Math.max(end, want));
    ends.push(end);
  });
  return ends;
}

/** The devices of each wave, in fleet order. */
export function splitWaves<T>(waves: readonly WaveSpec[], fleet: readonly T[]): T[][] {
  let start = 0;
  return waveEnds(waves, fleet.length).map((end) => {
    const members = fleet.slice(start, end);
    start = end;
    return members;
  });
}

/** Wave sizes as the preview shows them, e.g. "2, 298, 700". */
export function waveSizesText(waves: readonly WaveSpec[], total: number): string {
  let start = 0;
  return waveEnds(waves, total)
    .map((end) => {
      const size = end - start;
      start = end;
      return String(size);
    })
    .join(", ");
}

/** Counts of one wave while it runs. */
export interface WaveCounts {
  /** devices in the wave */
  size: number;
  /** finished successfully (already at the target counts) */
  succeeded: number;
  /** finished unsuccessfully: failed, cancelled or timed out */
  failed: number;
}

/**
 * Whether a wave has crossed its failure threshold. A wave is judged once `minDevices` of its devices have
 * finished (no false stop on 1 failure of the first 2 finished of 50), or once all of it has when it is
 * smaller than that (a canary of 2 with 1 failure does stop). Crossing means failed% > percent.
 */
export function thresholdCrossed(t: FailureThreshold, c: WaveCounts): boolean {
  const finished = c.succeeded + c.failed;
  if (finished === 0 || c.failed === 0) return false;
  if (finished < Math.min(t.minDevices, c.size)) return false;
  return c.failed * 100 > t.percent * finished;
}

/** The rule in words, for messages: "more than 10% of at least 5 finished devices". */
export function thresholdText(t: FailureThreshold): string {
  const share = t.percent === 0 ? "any failure" : `more than ${t.percent}% failed`;
  return `${share} once ${t.minDevices} device${t.minDevices === 1 ? "" : "s"} (or the whole wave, if smaller) finished`;
}
