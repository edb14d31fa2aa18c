// Status lines during `up`. The Pulumi CLI shows a provider's stderr lines live on the resource's row and
// again under Diagnostics, so each line starts with `doover: ` and says what is waited for. Lines of one
// rollout come at most every `ROLLOUT_PROGRESS.everyMs` (a wave's start and end always print).
// (One function, so moving to the shared provider/progress.ts is a one-line change.)

/** Throttle of the status lines (tests shorten it). */
export const ROLLOUT_PROGRESS = { everyMs: 3000 };

/** Where lines go (tests capture them). */
export const progressSink: { write: (line: string) => void } = { write: (line) => console.error(line) };

/** A throttled line writer for one rollout. */
export function progressWriter(now: () => number = Date.now): (line: string, always?: boolean) => void {
  let last = -Infinity;
  return (line, always = false) => {
    const t = now();
    if (!always && t - last < ROLLOUT_PROGRESS.everyMs) return;
    last = t;
    progressSink.write(`doover: ${line}`);
  };
}
