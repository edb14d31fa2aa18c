// Status lines of one rollout during `up`, through the provider's shared status lines (provider/progress.ts):
// a wave's start and end, holds, take-overs and rollbacks print at once; between them, the counts of the
// running wave at most every PROGRESS.intervalMs (none for a wave shorter than that).

import { notice, progress, progressDone } from "../progress";

/** A line writer for one rollout (`label` keys its throttle): `always` lines print at once. */
export function progressWriter(label: string): (line: string, always?: boolean) => void {
  const key = `rollout ${label}`;
  return (line, always = false) => {
    if (!always) return progress(key, line);
    progressDone(key); // a milestone: the counts after it wait a full interval again
    notice(line);
  };
}
