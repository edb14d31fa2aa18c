// Rolling an install's config out: POST a deployment, then poll it with backoff until it ends
// (SUC/FAI/CAN) or `deployTimeoutSeconds` passes.

import { type Client, FINAL_DEPLOYMENT_STATUSES, type InstallDeploymentData } from "../../sdk";

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

/** Waits for `d` to end, or returns it unfinished when `timeoutSeconds` pass. */
export async function waitForDeployment(
  client: Client,
  d: InstallDeploymentData,
  timeoutSeconds: number,
): Promise<InstallDeploymentData> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delay = POLL.firstMs;
  while (!isFinal(d)) {
    const left = deadline - Date.now();
    if (left <= 0) return d;
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
    delay = Math.min(delay * POLL.factor, POLL.maxMs);
    d = await client.appInstalls.retrieveDeployment(String(d.app_install), String(d.id));
  }
  return d;
}

/** Starts a deployment (one POST, never duplicated after a lost answer) and waits for it. */
export async function deployAndWait(
  client: Client,
  installId: string,
  previousDeploymentId: string | null | undefined,
  timeoutSeconds: number,
): Promise<InstallDeploymentData> {
  const started = await client.appInstalls.createDeployment(installId, { after: previousDeploymentId ?? null });
  return waitForDeployment(
    client,
    { ...started, app_install: String(started.app_install ?? installId) },
    timeoutSeconds,
  );
}
