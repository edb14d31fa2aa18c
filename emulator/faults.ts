// Injected failures: matched by method + path prefix, each used up after `times` hits.

import type { EmulatorFault } from "./types";

interface Armed extends EmulatorFault {
  remaining: number;
}

/** Checks a fault given over HTTP or in-process; returns a message when it is unusable. */
export function faultProblem(f: unknown): string | undefined {
  if (typeof f !== "object" || f === null || Array.isArray(f)) return "a fault must be a JSON object";
  const x = f as Record<string, unknown>;
  if (typeof x.path !== "string" || !x.path.startsWith("/")) return "path must be a string starting with /";
  if (x.method !== undefined && typeof x.method !== "string") return "method must be a string";
  if (
    x.status !== undefined &&
    !(Number.isInteger(x.status) && (x.status as number) >= 100 && (x.status as number) <= 599)
  ) {
    return "status must be an HTTP status code";
  }
  if (x.times !== undefined && !(Number.isInteger(x.times) && (x.times as number) > 0))
    return "times must be a positive integer";
  if (x.retryAfter !== undefined && typeof x.retryAfter !== "string") return "retryAfter must be a string";
  if (x.delayMs !== undefined && !(typeof x.delayMs === "number" && x.delayMs >= 0))
    return "delayMs must be a number >= 0";
  if (x.afterCommit && x.status === undefined && !x.dropConnection) return "afterCommit needs status or dropConnection";
  if (x.deployment !== undefined) return deploymentProblem(x.deployment);
  return undefined;
}

function deploymentProblem(d: unknown): string | undefined {
  if (typeof d !== "object" || d === null || Array.isArray(d)) return "deployment must be an object";
  const x = d as Record<string, unknown>;
  if (x.status !== undefined && !["SUC", "FAI", "CAN", "RUN"].includes(x.status as string))
    return "deployment.status must be SUC, FAI, CAN or RUN (never finishes)";
  if (x.log !== undefined && typeof x.log !== "string") return "deployment.log must be a string";
  if (x.stepMs !== undefined && !(typeof x.stepMs === "number" && x.stepMs >= 0))
    return "deployment.stepMs must be a number >= 0";
  return undefined;
}

export class Faults {
  private armed: Armed[] = [];

  add(f: EmulatorFault): void {
    const problem = faultProblem(f);
    if (problem) throw new Error(`Invalid emulator fault: ${problem}`);
    this.armed.push({ ...f, remaining: f.times ?? 1 });
  }

  /** The first armed fault for this request, counted as used (deployment faults excepted). */
  take(method: string, path: string): EmulatorFault | undefined {
    const i = this.armed.findIndex(
      (f) => !f.deployment && (!f.method || f.method.toUpperCase() === method) && path.startsWith(f.path),
    );
    if (i < 0) return undefined;
    const f = this.armed[i];
    if (--f.remaining <= 0) this.armed.splice(i, 1);
    const { remaining: _r, ...fault } = f;
    return fault;
  }

  /** The first armed deployment fault for a deployment create at `path`, counted as used. */
  takeDeployment(path: string): EmulatorFault["deployment"] | undefined {
    const i = this.armed.findIndex((f) => f.deployment && path.startsWith(f.path));
    if (i < 0) return undefined;
    const f = this.armed[i];
    if (--f.remaining <= 0) this.armed.splice(i, 1);
    return f.deployment;
  }

  pending(): EmulatorFault[] {
    return this.armed.map(({ remaining, ...f }) => ({
      ...f,
      times: remaining,
    }));
  }

  clear(): void {
    this.armed = [];
  }
}
