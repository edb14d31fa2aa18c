// Lookup functions for a Pulumi program: find a device by name or id, or a group's devices, at preview and up.
// They read the API with the same settings as the provider (stack config `doover:*` through
// `new pulumi.Config("doover")`, then env, then the ~/.doover/config profile), or, under `pulumi-doover/testing`
// mocks, the fleet the test declared: never the network under mocks.

import * as pulumi from "@pulumi/pulumi";
import { AmbiguousDeviceName, type DeviceData, type GroupNode } from "../../sdk";
import { readSettings, targetForSettings } from "../provider-config";
import { apiFleetReader, type FleetReader } from "./fleet-reader";

const BRAND = "DooverLookupError";

/** A lookup found nothing, or more than one thing: the message names what was asked and what exists. */
export class DooverLookupError extends Error {
  readonly code = BRAND;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = BRAND;
  }

  /** True for a DooverLookupError from any copy of this package. */
  static isInstance(e: unknown): e is DooverLookupError {
    return typeof e === "object" && e !== null && (e as { code?: unknown }).code === BRAND;
  }
}

/** Arguments of {@link getDevice}: exactly one of `id` or `name`. */
export interface GetDeviceArgs {
  /** The device id (digits). */
  id?: string;
  /** The device's exact `name`, else its exact display name (what the portal shows). */
  name?: string;
  /** Find archived devices too (default: live devices only). */
  includeArchived?: boolean;
  /** Look up on the staging API (`doover:stagingApiUrl`, `doover:stagingToken`), as a `staging: true` resource. */
  staging?: boolean;
}

/** Arguments of {@link getDevices}. */
export interface GetDevicesArgs {
  /** A group id, its exact name, or a path of names such as `"pumps/north"` when names repeat. */
  group: string;
  /** Also the devices of every group below it (default false: that group only). */
  includeSubgroups?: boolean;
  /** Archived devices too (default: live devices only). */
  includeArchived?: boolean;
  /** Look up on the staging API, as a `staging: true` resource. */
  staging?: boolean;
}

/** A device as the lookups return it (the device's Fusion secret is never included). */
export interface DooverDevice {
  id: string;
  name: string;
  displayName: string;
  archived: boolean;
  group: { id: string; name: string };
  type: { id: string; name: string };
  organisation: { id: string; name: string };
  notes: string | null;
  faIcon: string | null;
  extraConfig: unknown;
  fixedLocation: { latitude?: number; longitude?: number } | null;
  historySince: string | null;
}

/** What {@link getDevices} returns. */
export interface GetDevicesResult {
  /** The group the lookup resolved, with its path from the organisation's root group. */
  group: { id: string; name: string; path: string };
  includeSubgroups: boolean;
  /** Device ids, in id order (e.g. for `DooverRollout`'s `devices`). */
  ids: string[];
  /** Device names, in the same order. */
  names: string[];
  /** The devices, in id order. */
  devices: DooverDevice[];
}

/** Inputs of the `…Output` variants: every argument may be an Output. */
export type GetDeviceOutputArgs = { [K in keyof GetDeviceArgs]: pulumi.Input<GetDeviceArgs[K]> };
export type GetDevicesOutputArgs = { [K in keyof GetDevicesArgs]: pulumi.Input<GetDevicesArgs[K]> };

/** Under `pulumi.runtime.setMocks`: the object DooverMocks answers lookups with (duck-typed across copies). */
interface FleetMocks {
  dooverFleetReader(): FleetReader;
}

function mockedReader(what: string): FleetReader | undefined {
  let monitor: unknown;
  try {
    monitor = pulumi.runtime.getMonitor();
  } catch {
    return undefined;
  }
  if (typeof monitor !== "object" || monitor === null || !("mocks" in monitor)) return undefined;
  const mocks = (monitor as { mocks?: unknown }).mocks as Partial<FleetMocks> | undefined;
  if (typeof mocks?.dooverFleetReader === "function") return mocks.dooverFleetReader();
  throw new DooverLookupError(
    `${what} runs under pulumi.runtime.setMocks with mocks that are not DooverMocks, and lookups never call the ` +
      "API under mocks: use setDooverMocks(userMocks, { fleet: { groups, devices } }) (or new DooverMocks) from " +
      "pulumi-doover/testing to declare the devices the test sees",
  );
}

/** The mocks' fleet, or the API with the provider's settings read from the program's stack config. */
function readerFor(what: string, staging: boolean | undefined): FleetReader {
  const mocked = mockedReader(what);
  if (mocked) return mocked;
  const config = new pulumi.Config("doover");
  const settings = readSettings({ config: { get: (key) => config.get(key.replace(/^doover:/, "")) } });
  return apiFleetReader(targetForSettings(settings, staging).client);
}

function toDevice(d: DeviceData): DooverDevice {
  return {
    id: String(d.id),
    name: d.name ?? "",
    displayName: d.display_name,
    archived: d.archived,
    group: { id: String(d.group?.id ?? ""), name: d.group?.name ?? "" },
    type: { id: String(d.type?.id ?? ""), name: d.type?.name ?? "" },
    organisation: { id: String(d.organisation?.id ?? ""), name: d.organisation?.name ?? "" },
    notes: d.notes ?? null,
    faIcon: d.fa_icon ?? null,
    extraConfig: d.extra_config ?? {},
    fixedLocation: d.fixed_location ?? null,
    historySince: d.history_since ?? null,
  };
}

const byId = (a: { id: string }, b: { id: string }) => {
  const [x, y] = [BigInt(/^\d+$/.test(a.id) ? a.id : 0), BigInt(/^\d+$/.test(b.id) ? b.id : 0)];
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Up to `n` candidates closest to `wanted` (containment first, then edit distance). */
function closest<T>(wanted: string, items: T[], labels: (t: T) => string[], n = 5): T[] {
  const w = wanted.toLowerCase();
  const score = (t: T) =>
    Math.min(
      ...labels(t).map((l) => {
        const x = l.toLowerCase();
        return x.includes(w) || w.includes(x) ? 0 : distance(w, x);
      }),
    );
  return items
    .map((t) => ({ t, s: score(t) }))
    .sort((a, b) => a.s - b.s)
    .slice(0, n)
    .map((x) => x.t);
}

const deviceLabel = (d: DeviceData) =>
  `${d.name ?? d.display_name} (${d.display_name !== d.name ? `"${d.display_name}", ` : ""}id ${d.id}${d.archived ? ", archived" : ""})`;

/**
 * One device by `id` or by `name` (exact name, else exact display name). Rejects with a
 * {@link DooverLookupError} naming what was asked and what exists when there is no such device, when the name
 * matches several (names are not unique: use the id), or when it is archived (unless `includeArchived`).
 *
 * ```ts
 * const pump = await getDevice({ name: "pump_house_7" });
 * new DooverAppInstall("monitor", { applicationId: app.applicationId, deviceId: pump.id });
 * ```
 */
export async function getDevice(args: GetDeviceArgs): Promise<DooverDevice> {
  const hasId = args.id !== undefined && args.id !== null && args.id !== "";
  const hasName = args.name !== undefined && args.name !== null && args.name !== "";
  if (hasId === hasName) {
    throw new DooverLookupError(
      `getDevice needs exactly one of \`id\` or \`name\` (got ${hasId ? "both" : "neither"})`,
    );
  }
  const includeArchived = args.includeArchived === true;
  const reader = readerFor("getDevice", args.staging);
  if (hasId) {
    const id = String(args.id).trim();
    if (!/^\d+$/.test(id))
      throw new DooverLookupError(
        `getDevice: id must be a device id (digits), not "${args.id}"; to find a device by name, pass \`name\``,
      );
    const d = await reader.device(id);
    if (!d) throw new DooverLookupError(`getDevice: no device with id ${id} in ${reader.source}`);
    if (d.archived && !includeArchived) {
      throw new DooverLookupError(
        `getDevice: device ${id} (${d.name ?? d.display_name}) is archived; pass includeArchived: true to use it anyway`,
      );
    }
    return toDevice(d);
  }
  const name = String(args.name);
  let found: DeviceData | undefined;
  try {
    found = await reader.findDevice(name, { includeArchived });
  } catch (e) {
    if (!AmbiguousDeviceName.isInstance(e)) throw e;
    throw new DooverLookupError(
      `getDevice: ${(e as Error).message.replace(/Use the device id instead\.$/, "")}Pass \`id\` instead.`,
      {
        cause: e,
      },
    );
  }
  if (found) return toDevice(found);
  const all = await reader.allDevices();
  const candidates = all.filter((d) => includeArchived || !d.archived);
  const archivedHit = includeArchived
    ? undefined
    : all.find((d) => d.archived && (d.name === name || d.display_name === name));
  const hint = archivedHit
    ? `; device ${archivedHit.id} of that name is archived (pass includeArchived: true)`
    : candidates.length === 0
      ? "; it has no devices"
      : `; ${candidates.length} device(s), closest: ${closest(name, candidates, (d) => [d.name ?? "", d.display_name])
          .map(deviceLabel)
          .join(", ")}`;
  throw new DooverLookupError(`getDevice: no device named "${name}" (name or display name) in ${reader.source}${hint}`);
}

/** The group `ref` names: an id, an exact name, or a path of names (`"pumps/north"`). */
function resolveGroup(ref: string, groups: GroupNode[], source: string): GroupNode {
  const wanted = ref.trim();
  const list = (gs: GroupNode[]) => gs.map((g) => `${g.path} (id ${g.id}${g.archived ? ", archived" : ""})`).join(", ");
  if (/^\d+$/.test(wanted)) {
    const g = groups.find((x) => String(x.id) === wanted);
    if (g) return g;
    throw new DooverLookupError(
      `getDevices: no group with id ${wanted} in ${source}; ${groups.length} group(s): ${list(groups.slice(0, 20))}${groups.length > 20 ? ", …" : ""}`,
    );
  }
  let hits = groups.filter((g) => g.name === wanted);
  if (hits.length === 0 && wanted.includes("/")) {
    const segments = wanted.split("/").filter(Boolean);
    hits = groups.filter((g) => {
      const tail = g.path.split("/").slice(-segments.length);
      return tail.length === segments.length && tail.every((s, i) => s === segments[i]);
    });
  }
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) {
    throw new DooverLookupError(
      `getDevices: ${hits.length} groups are named "${wanted}": ${list(hits)}; pass the group id, or a path of ` +
        `names such as "${hits[0].path.split("/").slice(-2).join("/")}"`,
    );
  }
  throw new DooverLookupError(
    `getDevices: no group named "${wanted}" in ${source}; ${groups.length} group(s)` +
      (groups.length ? `, closest: ${list(closest(wanted, groups, (g) => [g.name, g.path]))}` : ""),
  );
}

/**
 * The devices of a group (by id, name or `"parent/child"` path), or of the group and every group below it with
 * `includeSubgroups`; live devices only unless `includeArchived`. Resolved at preview and at up, so a device
 * that joins the group shows on the next run. Rejects with a {@link DooverLookupError} naming the group and the
 * groups that exist when the name matches none or several.
 *
 * ```ts
 * const pumps = await getDevices({ group: "pumps", includeSubgroups: true });
 * export const pumpIds = pumps.ids;
 * ```
 */
export async function getDevices(args: GetDevicesArgs): Promise<GetDevicesResult> {
  if (typeof args?.group !== "string" || args.group.trim() === "")
    throw new DooverLookupError('getDevices needs `group`: a group id, name, or path such as "pumps/north"');
  const reader = readerFor("getDevices", args.staging);
  const group = resolveGroup(args.group, await reader.groups(), reader.source);
  const includeSubgroups = args.includeSubgroups === true;
  const devices = (
    await reader.devicesInGroup(group, { includeSubgroups, includeArchived: args.includeArchived === true })
  )
    .map(toDevice)
    .sort(byId);
  return {
    group: { id: String(group.id), name: group.name, path: group.path },
    includeSubgroups,
    ids: devices.map((d) => d.id),
    names: devices.map((d) => d.name),
    devices,
  };
}

/** {@link getDevice} taking Outputs (e.g. a name from another resource), giving an Output. */
export function getDeviceOutput(args: GetDeviceOutputArgs): pulumi.Output<DooverDevice> {
  return pulumi.output(args).apply((a) => getDevice(a as GetDeviceArgs));
}

/** {@link getDevices} taking Outputs, giving an Output. */
export function getDevicesOutput(args: GetDevicesOutputArgs): pulumi.Output<GetDevicesResult> {
  return pulumi.output(args).apply((a) => getDevices(a as GetDevicesArgs));
}
