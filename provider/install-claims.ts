// One application on one device is managed by one resource: a DooverAppInstall, or a DooverRollout that
// includes the device. Both kinds claim (application, device) at `check` through the per-process registry of
// check-names.ts, so a program that declares both fails its preview naming the two resources, instead of
// each `up` undoing the other's config.

import { claimName } from "./check-names";
import { isUnknown } from "./inputs";

/** A resource that manages installs, as messages name it: `DooverRollout "fleet"`. */
export function installOwner(
  kind: "DooverAppInstall" | "DooverRollout",
  resource: string | undefined,
): string | undefined {
  return resource === undefined ? undefined : `${kind} "${resource}"`;
}

/**
 * Claims the application (by id and by name, whichever are known) on `deviceId` for `owner`; returns the
 * other resource that claimed it in this deployment, if any.
 */
export function claimInstall(
  owner: string | undefined,
  staging: unknown,
  application: { id?: unknown; name?: unknown },
  deviceId: unknown,
): string | undefined {
  if (owner === undefined || typeof deviceId !== "string" || isUnknown(deviceId)) return undefined;
  const api = staging === true ? "staging" : "main";
  let other: string | undefined;
  for (const [kind, v] of [
    ["id", application.id],
    ["name", application.name],
  ] as const) {
    if (typeof v !== "string" || v === "" || isUnknown(v)) continue;
    other ??= claimName(`install ${api} ${kind}:${v}`, deviceId, owner);
  }
  return other;
}

/** The check failure text for a device claimed twice. */
export function twoOwnersReason(a: string, b: string, deviceIds: readonly string[], application: string): string {
  const devices =
    deviceIds.length === 1
      ? `device ${deviceIds[0]}`
      : `${deviceIds.length} devices (${deviceIds.slice(0, 5).join(", ")}${deviceIds.length > 5 ? ", …" : ""})`;
  return (
    `${a} and ${b} both manage application ${application} on ${devices}: each \`up\` would undo the other's ` +
    "config. Keep each device in one of them (to move a device into a rollout, remove its DooverAppInstall and set " +
    "`adopt: true` on the rollout for that `up`)."
  );
}
