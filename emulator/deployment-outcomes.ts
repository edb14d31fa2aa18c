// Per-device deployment outcomes, switchable at run time (in code, over HTTP, from the CLI): which devices'
// deployments fail, are cancelled, never finish, or take a given time; or fail p% of a fleet, picked by a
// seeded hash so a test run repeats. Consulted by every deployment create (after armed deployment faults).

import { createHash } from "node:crypto";
import { subtreeIds } from "./group-tree";
import type { Store } from "./store";
import type { DeploymentOutcomes, EmulatedDeployment, ResolvedDeploymentOutcomes } from "./types";

const LISTS = ["fail", "cancel", "never", "among"] as const;

/** Checks outcomes given over HTTP, from the CLI or in code; returns a message naming the bad field. */
export function deploymentOutcomesProblem(o: unknown): string | undefined {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return "deployment outcomes must be a JSON object";
  const x = o as Record<string, unknown>;
  const known = new Set([...LISTS, "failPercent", "seed", "afterMs", "log", "whenConfig"]);
  const unknown = Object.keys(x).filter((k) => !known.has(k));
  if (unknown.length) return `unknown field ${unknown.join(", ")} (known: ${[...known].join(", ")})`;
  for (const k of LISTS) {
    const v = x[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === "string" && s !== "")))
      return `${k} must be a list of device ids or names`;
  }
  if (x.failPercent !== undefined && !(typeof x.failPercent === "number" && x.failPercent >= 0 && x.failPercent <= 100))
    return "failPercent must be a number from 0 to 100";
  if (x.seed !== undefined && typeof x.seed !== "string" && typeof x.seed !== "number")
    return "seed must be a string or a number";
  if (x.afterMs !== undefined) {
    const a = x.afterMs;
    if (typeof a !== "object" || a === null || Array.isArray(a)) return "afterMs must be an object { device: ms }";
    for (const [k, v] of Object.entries(a)) {
      if (!(typeof v === "number" && Number.isFinite(v) && v >= 0)) return `afterMs.${k} must be a number of ms >= 0`;
    }
  }
  if (x.log !== undefined && typeof x.log !== "string") return "log must be a string";
  if (x.whenConfig !== undefined && (typeof x.whenConfig !== "object" || x.whenConfig === null))
    return "whenConfig must be an object of top-level deployment_config values";
  return undefined;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The store's outcome switch: `set` replaces, `clear` empties, `forDeployment` shapes one deployment. */
export class DeploymentOutcomeSwitch {
  private current: ResolvedDeploymentOutcomes | undefined;
  /** Given at start (options or CLI flags): what `reset()` comes back to. */
  private initial: DeploymentOutcomes | undefined;

  constructor(private readonly store: Store) {}

  /** Resolves names to ids and picks the failPercent devices; throws on a bad value or an unknown device. */
  set(o: DeploymentOutcomes): ResolvedDeploymentOutcomes {
    const problem = deploymentOutcomesProblem(o);
    if (problem) throw new Error(`Invalid deployment outcomes: ${problem}`);
    const resolve = (refs: string[] | undefined, field: string, groups = false): string[] => {
      const out: string[] = [];
      for (const ref of refs ?? []) {
        const d = this.store.data.devices.find((x) => x.id === ref || x.name === ref);
        if (d) {
          out.push(d.id);
          continue;
        }
        const g = groups ? this.store.data.groups.find((x) => x.id === ref) : undefined;
        if (g) {
          const tree = subtreeIds(this.store, g.id);
          out.push(...this.store.data.devices.filter((x) => tree.has(x.group_id)).map((x) => x.id));
          continue;
        }
        throw new Error(
          `Invalid deployment outcomes: ${field} names "${ref}", which is no device${groups ? " or group id" : ""} ` +
            `(${this.store.data.devices.length} devices, e.g. ${this.store.data.devices
              .slice(0, 3)
              .map((x) => `${x.name} = ${x.id}`)
              .join(", ")})`,
        );
      }
      return [...new Set(out)];
    };
    const seed = String(o.seed ?? "doover");
    const failPercent = o.failPercent ?? 0;
    const among = o.among ? resolve(o.among, "among", true) : this.store.data.devices.map((d) => d.id);
    const count = Math.round((failPercent / 100) * among.length);
    const rank = (id: string) => createHash("sha256").update(`${seed}:${id}`).digest("hex");
    const percentFailing = [...among].sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, count);
    const fail = resolve(o.fail, "fail");
    const afterMs: Record<string, number> = {};
    for (const [ref, ms] of Object.entries(o.afterMs ?? {})) afterMs[resolve([ref], "afterMs")[0]] = ms;
    this.current = {
      fail,
      cancel: resolve(o.cancel, "cancel"),
      never: resolve(o.never, "never"),
      failPercent,
      percentFailing,
      failing: [...new Set([...fail, ...percentFailing])],
      afterMs,
      seed,
      ...(o.log !== undefined ? { log: o.log } : {}),
      ...(o.whenConfig !== undefined ? { whenConfig: o.whenConfig } : {}),
    };
    return this.get()!;
  }

  /** Sets the outcomes given at start (kept for `reset`). */
  setInitial(o: DeploymentOutcomes | undefined): void {
    this.initial = o;
    this.restoreInitial();
  }

  restoreInitial(): void {
    this.current = undefined;
    if (this.initial) this.set(this.initial);
  }

  clear(): void {
    this.current = undefined;
  }

  get(): ResolvedDeploymentOutcomes | undefined {
    return this.current ? (JSON.parse(JSON.stringify(this.current)) as ResolvedDeploymentOutcomes) : undefined;
  }

  /** How a deployment of `config` on `deviceId` ends, or undefined for the default (step clock, SUC). */
  forDeployment(deviceId: string | null, config: unknown): EmulatedDeployment | undefined {
    const c = this.current;
    if (!c || deviceId === null) return undefined;
    if (c.whenConfig) {
      const have = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
      if (!Object.entries(c.whenConfig).every(([k, v]) => k in have && canonical(have[k]) === canonical(v)))
        return undefined;
    }
    const status = c.never.includes(deviceId)
      ? "RUN"
      : c.cancel.includes(deviceId)
        ? "CAN"
        : c.failing.includes(deviceId)
          ? "FAI"
          : undefined;
    const ms = c.afterMs[deviceId];
    if (status === undefined && ms === undefined) return undefined;
    const out: EmulatedDeployment = {};
    if (status) out.status = status;
    if (ms !== undefined) out.stepMs = ms / 2;
    if (status === "FAI" || status === "CAN") {
      const name = this.store.data.devices.find((d) => d.id === deviceId)?.name ?? deviceId;
      out.log = c.log ?? `Emulated ${status === "FAI" ? "failure" : "cancellation"} on device ${name}`;
    }
    return out;
  }
}
