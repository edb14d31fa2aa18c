// What one device needs, from its live install (one entry of the application's install list), what state
// recorded for it, and the target release. Pure: the preview's plan and `up` use the same rules.
//
// A device already runs the target when its install holds the target release, its latest deployment
// succeeded with the target config, and the API does not call it out of sync — and that deployment is not
// the one state recorded for an older release (a version-only change whose PATCH landed before an
// interrupted `up` could deploy it). A deployment of the target still queued or running (an `up` killed
// mid-wave) is waited for, never started again; one this rollout timed out on is retried.

import type { AppInstallData, InstallDeploymentData } from "../../sdk";
import { stableEqual } from "../diff";
import { type DeviceRecord, type Release, releaseHash, releaseOf } from "./rollout-records";

/** Which fields of an install the program manages (undeclared ones are left as they are). */
export interface Managed {
  version: boolean;
  configProfileIds: boolean;
}

/** What a device needs in this `up`. */
export type DeviceNeed =
  /** no install of the application on the device: create one, then deploy */
  | { kind: "install" }
  /** runs the target: nothing to deploy */
  | { kind: "atTarget"; install: AppInstallData }
  /** a deployment of the target is queued or running: wait for it */
  | { kind: "inFlight"; install: AppInstallData; deployment: InstallDeploymentData }
  /** the install needs the target (PATCH when its fields differ), then a deployment */
  | { kind: "deploy"; install: AppInstallData; patch: boolean; retry: boolean };

/** The release an install holds, as far as the program manages it. */
export function liveRelease(install: AppInstallData, managed: Managed): Release {
  const profiles = (install.config_profiles ?? []).map((p) =>
    String(typeof p === "object" && p !== null ? (p as { id: unknown }).id : p),
  );
  return releaseOf(install.deployment_config ?? {}, install.version ?? null, profiles, managed);
}

function inFlight(d: InstallDeploymentData | null | undefined): d is InstallDeploymentData {
  return d !== null && d !== undefined && (d.status === "QUE" || d.status === "RUN");
}

/** Classifies one device (`install` undefined: none of the application on it). */
export function classify(
  install: AppInstallData | undefined,
  record: DeviceRecord | undefined,
  target: Release,
  managed: Managed,
): DeviceNeed {
  if (!install) return { kind: "install" };
  const targetHash = releaseHash(target);
  const holds = releaseHash(liveRelease(install, managed)) === targetHash;
  const latest = install.latest_deployment;
  // The deployment state recorded for an older release: not a deployment of the target.
  const stale =
    latest !== null &&
    record !== undefined &&
    record.release !== targetHash &&
    record.deploymentId !== undefined &&
    record.deploymentId === String(latest.id);
  const ofTarget =
    holds && latest !== null && !stale && stableEqual(latest.deployment_config ?? {}, target.deploymentConfig);
  if (ofTarget && latest.status === "SUC" && install.synced !== "NO") return { kind: "atTarget", install };
  const timedOutBefore = record?.code === "TMO" && record.deploymentId === String(latest?.id);
  if (ofTarget && inFlight(latest) && !timedOutBefore) return { kind: "inFlight", install, deployment: latest };
  const retry = ofTarget && (latest.status === "FAI" || latest.status === "CAN" || timedOutBefore);
  return { kind: "deploy", install, patch: !holds, retry };
}
