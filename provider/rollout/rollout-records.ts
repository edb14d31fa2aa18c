// Per-device state of a rollout, packed into one string so a fleet costs little state (and the engine's
// diff of it is one line, not one per device), and the releases (config + version + profiles) it refers to.
//
// `records` output: entries separated by spaces, fields by ":":
//   <deviceId>:<installId>:<status>:<deploymentId>:<release>:<previous>[:a]
// `release` is the hash of the release the device's install holds (deployed, or being deployed), `previous`
// the release a rollback restores ("-": the device had no install, a rollback uninstalls; empty: unknown);
// `a`: the install existed before the rollout and was taken over with `adopt`.
// ~85 bytes per device; the program reads them unpacked through `DooverRollout.deviceResults`.

import { createHash } from "node:crypto";
import { canonical } from "../diff";

/** Status codes in `records`: the deployment statuses plus the rollout's own. */
export type DeviceCode = "SUC" | "FAI" | "CAN" | "QUE" | "RUN" | "TMO" | "PEN" | "RBK" | "RBF";

/** The status a program reads (`deviceResults[id].status`). */
export type DeviceStatus =
  | "SUC"
  | "FAI"
  | "CAN"
  | "QUE"
  | "RUN"
  | "TIMEOUT"
  | "PENDING"
  | "ROLLED_BACK"
  | "ROLLBACK_FAILED";

const STATUS: Record<DeviceCode, DeviceStatus> = {
  SUC: "SUC",
  FAI: "FAI",
  CAN: "CAN",
  QUE: "QUE",
  RUN: "RUN",
  TMO: "TIMEOUT",
  PEN: "PENDING",
  RBK: "ROLLED_BACK",
  RBF: "ROLLBACK_FAILED",
};

/** Codes that are failures of the device's latest attempt. */
export const FAILED_CODES: readonly DeviceCode[] = ["FAI", "CAN", "TMO", "RBF"];

/** What the rollout knows of one device. */
export interface DeviceRecord {
  installId?: string;
  code: DeviceCode;
  deploymentId?: string;
  /** hash of the release the install holds */
  release?: string;
  /** hash of the release a rollback restores; "-" = no install before (a rollback uninstalls) */
  previous?: string;
  /** taken over with `adopt` (it existed before): left in place by a delete while `adopt` is declared */
  adopted?: boolean;
}

/** One device as the program reads it. */
export interface DeviceResult {
  installId: string | null;
  status: DeviceStatus;
  deploymentId: string | null;
  configHash: string | null;
}

/** The `records` output → device id → record (in fleet order). */
export function unpackRecords(packed: unknown): Map<string, DeviceRecord> {
  const out = new Map<string, DeviceRecord>();
  if (typeof packed !== "string" || packed === "") return out;
  for (const entry of packed.split(" ")) {
    const [device, installId, code, deploymentId, release, previous, flags] = entry.split(":");
    if (!device || !(code in STATUS)) continue;
    const r: DeviceRecord = { code: code as DeviceCode };
    if (installId) r.installId = installId;
    if (deploymentId) r.deploymentId = deploymentId;
    if (release) r.release = release;
    if (previous) r.previous = previous;
    if (flags === "a") r.adopted = true;
    out.set(device, r);
  }
  return out;
}

/** Device id → record, packed for state. */
export function packRecords(records: Map<string, DeviceRecord>): string {
  const parts: string[] = [];
  for (const [device, r] of records) {
    parts.push(
      `${device}:${r.installId ?? ""}:${r.code}:${r.deploymentId ?? ""}:${r.release ?? ""}:${r.previous ?? ""}` +
        (r.adopted ? ":a" : ""),
    );
  }
  return parts.join(" ");
}

/** The program's view of the records. */
export function deviceResults(packed: unknown): Record<string, DeviceResult> {
  const out: Record<string, DeviceResult> = {};
  for (const [device, r] of unpackRecords(packed)) {
    out[device] = {
      installId: r.installId ?? null,
      status: STATUS[r.code],
      deploymentId: r.deploymentId ?? null,
      configHash: r.release ?? null,
    };
  }
  return out;
}

/** What a device runs: its config, and version and profiles when the program manages them. */
export interface Release {
  deploymentConfig: Record<string, unknown>;
  version?: string | null;
  configProfileIds?: string[];
}

/** A release from inputs (or a live install's fields), keeping only what is managed. */
export function releaseOf(
  config: unknown,
  version: unknown,
  configProfileIds: unknown,
  managed: { version: boolean; configProfileIds: boolean },
): Release {
  const r: Release = { deploymentConfig: (config ?? {}) as Record<string, unknown> };
  if (managed.version) r.version = (version ?? null) as string | null;
  if (managed.configProfileIds) r.configProfileIds = [...((configProfileIds ?? []) as string[])].map(String).sort();
  return r;
}

/** 12 hex digits of SHA-256 over the canonical release (key order and unset members do not matter). */
export function releaseHash(r: Release): string {
  return createHash("sha256").update(canonical(r)).digest("hex").slice(0, 12);
}

/** The releases that records still refer to (plus `keep`), from `known`. */
export function releasesInUse(
  records: Map<string, DeviceRecord>,
  known: Record<string, Release>,
  keep: string[],
): Record<string, Release> {
  const used = new Set(keep);
  for (const r of records.values()) {
    if (r.release) used.add(r.release);
    if (r.previous && r.previous !== "-") used.add(r.previous);
  }
  const out: Record<string, Release> = {};
  for (const h of [...used].sort()) if (known[h]) out[h] = known[h];
  return out;
}

/**
 * Device ids as stored in inputs (`deviceIds`): one space-separated string, so a 1,000-device fleet is one
 * line in a preview (the engine cuts it at 150 characters), not a thousand.
 */
export function packDeviceIds(ids: readonly string[]): string {
  return ids.join(" ");
}

export function unpackDeviceIds(packed: unknown): string[] {
  if (Array.isArray(packed)) return packed.map(String);
  return typeof packed === "string" && packed.trim() !== "" ? packed.trim().split(/\s+/) : [];
}
