// Rolling an install's config out: POST a deployment, then poll it with backoff until it ends
// (SUC/FAI/CAN) or `deployTimeoutSeconds` passes. A deployment that takes more than a few seconds prints
// its status as it moves (QUE → RUN → SUC) on the provider's stderr, which the CLI shows live (progress.ts).

import { type Client, FINAL_DEPLOYMENT_STATUSES, type InstallDeploymentData } from "../../sdk";
import { progress, progressDone } from "../progress";

/** Poll delays: first, growth factor and cap (ms). Tests may shorten them. */
export const POLL = { firstMs: 200, factor: 1.5, maxMs: 5000 };

/** Lines of `log_output` an error quotes (the end of the log says why). */
const LOG_TAIL_LINES = 20;

/** SUC, FAI or CAN: the deployment will not change any more. */
export function isFinal(d: { status: string }): boolean {
  return (FINAL_DEPLOYMENT_STATUSES as readonly string[]).includes(d.status);
}

/** The last lines of a deployment log, for an error message. */
export function logTail(log: string | null | undefined): string {
  const lines = String(log ?? "")
    .replace(/\s+$/, "")
    .split("\n");
  const tail = lines.slice(-LOG_TAIL_LINES).join("\n");
  return tail === "" ? "(empty log)" : lines.length > LOG_TAIL_LINES ? `…\n${tail}` : tail;
}

/**
 * Waits for `d` to end, or returns it unfinished when `timeoutSeconds` pass. `what` names the install in the
 * status lines (e.g. `app install "pump" (123) on device 42`).
 */
export async function waitForDeployment(
  client: Client,
  d: InstallDeploymentData,
  timeoutSeconds: number,
  what = `app install ${String(d.app_install)}`,
): Promise<InstallDeploymentData> {
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  const key = `deployment ${String(d.app_install)} ${String(d.id)}`;
  const elapsed = () => Math.round((Date.now() - started) / 1000);
  let delay = POLL.firstMs;
  try {
    while (!isFinal(d)) {
      progress(
        key,
        `${what}: deployment ${d.id} is ${statusText(d.status)} (${elapsed()} s; waiting up to ${timeoutSeconds} s, ` +
          "deployTimeoutSeconds)",
        d.status,
      );
      const left = deadline - Date.now();
      if (left <= 0) return d;
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      delay = Math.min(delay * POLL.factor, POLL.maxMs);
      d = await client.appInstalls.retrieveDeployment(String(d.app_install), String(d.id));
    }
  } finally {
    progressDone(
      key,
      `${what}: deployment ${d.id} ${isFinal(d) ? "ended" : "is still"} ${statusText(d.status)} after ${elapsed()} s`,
    );
  }
  return d;
}

/** `RUN (running)`: the code the API uses, and what it means. */
function statusText(status: string): string {
  const meaning: Record<string, string> = {
    QUE: "queued",
    RUN: "running",
    SUC: "succeeded",
    FAI: "failed",
    CAN: "cancelled",
  };
  return meaning[status] ? `${status} (${meaning[status]})` : status;
}

/** Starts a deployment (one POST, never duplicated after a lost answer) and waits for it. */
export async function deployAndWait(
  client: Client,
  installId: string,
  previousDeploymentId: string | null | undefined,
  timeoutSeconds: number,
  what?: string,
): Promise<InstallDeploymentData> {
  const started = await client.appInstalls.createDeployment(installId, { after: previousDeploymentId ?? null });
  return waitForDeployment(
    client,
    { ...started, app_install: String(started.app_install ?? installId) },
    timeoutSeconds,
    what,
  );
}
