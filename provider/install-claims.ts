// One install on a device is managed by one resource: a DooverAppInstall, or a DooverRollout that includes the
// device. An install is its name on the device (names are unique per device), so both kinds claim (device,
// install name) at `check` through the per-process registry of check-names.ts: a program that declares both
// fails its preview naming the two resources, instead of each `up` undoing the other's config. Two installs of
// an application that allows many, under different names, do not clash. While the name is not known at check
// (an application given by id, no `name`: it becomes the application's at create), the application id stands
// in for it.

import { claimName } from "./check-names";
import { isUnknown } from "./inputs";

/** A resource that manages installs, as messages name it: `DooverRollout "fleet"`. */
export function installOwner(
  kind: "DooverAppInstall" | "DooverRollout",
  resource: string | undefined,
): string | undefined {
  return resource === undefined ? undefined : `${kind} "${resource}"`;
}

const known = (v: unknown): v is string => typeof v === "string" && v !== "" && !isUnknown(v);

/** The install a claim is about, in messages: `the install "pump_monitor"`. */
export function installWhat(install: { name?: unknown; applicationId?: unknown }): string {
  return known(install.name)
    ? `the install "${install.name}"`
    : `the install of application ${String(install.applicationId)}`;
}

/**
 * Claims the install (its name, or its application's id while the name is unknown) on `deviceId` for `owner`;
 * returns the other resource that claimed it in this deployment, if any.
 */
export function claimInstall(
  owner: string | undefined,
  staging: unknown,
  install: { name?: unknown; applicationId?: unknown },
  deviceId: unknown,
): string | undefined {
  if (owner === undefined || !known(deviceId)) return undefined;
  const api = staging === true ? "staging" : "main";
  const key = known(install.name)
    ? `name:${install.name}`
    : known(install.applicationId)
      ? `app:${install.applicationId}`
      : undefined;
  return key === undefined ? undefined : claimName(`install ${api} ${key}`, deviceId, owner);
}

/** The check failure text for a device claimed twice. */
export function twoOwnersReason(a: string, b: string, deviceIds: readonly string[], what: string): string {
  const devices =
    deviceIds.length === 1
      ? `device ${deviceIds[0]}`
      : `${deviceIds.length} devices (${deviceIds.slice(0, 5).join(", ")}${deviceIds.length > 5 ? ", …" : ""})`;
  return (
    `${a} and ${b} both manage ${what} on ${devices}: each \`up\` would undo the other's config. Keep each ` +
    "device in one of them (to move a device into a rollout, remove its DooverAppInstall and set `adopt: true` on " +
    "the rollout for that `up`)."
  );
}
