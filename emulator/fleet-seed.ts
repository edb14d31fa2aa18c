// The seeded fleet: the organisation's root group, one device type, N devices in the root group and any
// nested seed groups with their own devices. Also brings state files written before groups existed up to date.

import type { SnowflakeGenerator } from "./snowflake";
import type {
  DeviceRecord,
  DeviceTypeRecord,
  EmulatorGroupSeed,
  GroupRecord,
  OrganisationRecord,
  StateData,
} from "./types";

/** Default number of devices in the root group (what the emulator always seeded). */
export const DEFAULT_DEVICES = 3;
/** Upper bound on seeded devices: enough for fleet benchmarks, small enough to catch a typo. */
export const MAX_SEED_DEVICES = 100_000;

export interface FleetSeed {
  groups: GroupRecord[];
  device_types: DeviceTypeRecord[];
  device_type_access: [];
  group_roles: [];
  group_permissions: [];
  devices: DeviceRecord[];
  /** seed group name → id */
  groupIds: Record<string, string>;
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "group"
  );
}

/** Checks the seed options; returns a message naming the bad entry. */
export function fleetSeedProblem(devices: unknown, groups: unknown): string | undefined {
  if (devices !== undefined && !(Number.isInteger(devices) && (devices as number) >= 0))
    return `devices must be a whole number >= 0, not ${JSON.stringify(devices)}`;
  if ((devices as number) > MAX_SEED_DEVICES) return `devices must be at most ${MAX_SEED_DEVICES}`;
  if (groups === undefined) return undefined;
  if (!Array.isArray(groups)) return "groups must be a list of { name, parent?, devices? }";
  const seen = new Set<string>();
  let total = (devices as number | undefined) ?? DEFAULT_DEVICES;
  for (const [i, g] of (groups as EmulatorGroupSeed[]).entries()) {
    const at = `groups[${i}]`;
    if (typeof g !== "object" || g === null) return `${at} must be an object`;
    if (typeof g.name !== "string" || g.name.trim() === "") return `${at}.name must be a non-empty string`;
    if (g.name.length > 255) return `${at}.name must be at most 255 characters`;
    if (seen.has(g.name)) return `${at}.name "${g.name}" is declared twice (seed group names must be unique)`;
    if (g.parent !== undefined && !seen.has(g.parent))
      return `${at}.parent "${g.parent}" is not a group declared before it (declared: ${[...seen].join(", ") || "none"})`;
    seen.add(g.name);
    if (g.devices === undefined) continue;
    if (Array.isArray(g.devices)) {
      if (!g.devices.every((d) => typeof d === "string" && d !== ""))
        return `${at}.devices must be a count or a list of device names/ids`;
    } else if (!(Number.isInteger(g.devices) && g.devices >= 0)) {
      return `${at}.devices must be a whole number >= 0 or a list of device names/ids`;
    } else {
      total += g.devices;
    }
  }
  if (total > MAX_SEED_DEVICES) return `the seed holds ${total} devices; at most ${MAX_SEED_DEVICES}`;
  return undefined;
}

/** The root group, a device type, `count` root devices and the seed groups (validated with fleetSeedProblem). */
export function seedFleet(
  ids: SnowflakeGenerator,
  org: OrganisationRecord,
  count = DEFAULT_DEVICES,
  seeds: EmulatorGroupSeed[] = [],
): FleetSeed {
  const problem = fleetSeedProblem(count, seeds);
  if (problem) throw new Error(`Invalid emulator fleet seed: ${problem}`);
  const root: GroupRecord = {
    id: org.root_group.id,
    name: org.root_group.name,
    organisation_id: org.id,
    parent_id: null,
    archived: false,
  };
  const type: DeviceTypeRecord = {
    id: ids.next(),
    organisation_id: org.id,
    archived: false,
    fields: {
      name: "Doovit",
      description: "Doover's own edge controller (emulated).",
      install_type: "BOTH",
      copy_command: "curl -fsSL {installer_url} | sh",
      installer_info: "Run the copy command on the device, or download the installer package.",
    },
  };
  const device = (name: string, display: string, groupId: string): DeviceRecord => ({
    id: ids.next(),
    name,
    display_name: display,
    archived: false,
    organisation_id: org.id,
    group_id: groupId,
    type_id: type.id,
    fields: {},
  });
  const devices: DeviceRecord[] = [];
  for (let n = 1; n <= count; n++) devices.push(device(`emulated_device_${n}`, `Emulated Device ${n}`, root.id));
  const groups: GroupRecord[] = [root];
  const groupIds: Record<string, string> = {};
  const paths = new Map<string, string>(); // seed name → slug path
  for (const seed of seeds) {
    const parentId = seed.parent === undefined ? root.id : groupIds[seed.parent];
    const g: GroupRecord = {
      id: ids.next(),
      name: seed.name,
      organisation_id: org.id,
      parent_id: parentId,
      archived: false,
    };
    groups.push(g);
    groupIds[seed.name] = g.id;
    const path = seed.parent === undefined ? slug(seed.name) : `${paths.get(seed.parent)}_${slug(seed.name)}`;
    paths.set(seed.name, path);
    if (Array.isArray(seed.devices)) {
      for (const ref of seed.devices) {
        const d = devices.find((x) => x.id === ref || x.name === ref);
        if (!d) {
          throw new Error(
            `Invalid emulator fleet seed: group "${seed.name}" lists device "${ref}", which is not a seeded device ` +
              `(${devices.length} seeded: ${devices
                .slice(0, 5)
                .map((x) => x.name)
                .join(", ")}${devices.length > 5 ? ", …" : ""})`,
          );
        }
        d.group_id = g.id;
      }
    } else {
      const title = seed.name.replace(/(^|[\s_-])(\w)/g, (_m, sep: string, c: string) => `${sep}${c.toUpperCase()}`);
      for (let n = 1; n <= (seed.devices ?? 0); n++) devices.push(device(`${path}_device_${n}`, `${title} ${n}`, g.id));
    }
  }
  return {
    groups,
    device_types: [type],
    device_type_access: [],
    group_roles: [],
    group_permissions: [],
    devices,
    groupIds,
  };
}

/**
 * State files written before groups and device types were records: devices carried `group: {id, name}`
 * and `type: {id, name}`. Rebuilds the root groups and device types from them (in place).
 */
export function upgradeFleetState(data: StateData): void {
  data.groups ??= [];
  data.device_types ??= [];
  data.device_type_access ??= [];
  data.group_roles ??= [];
  data.group_permissions ??= [];
  for (const org of data.organisations) {
    if (!data.groups.some((g) => g.id === org.root_group.id)) {
      data.groups.push({
        id: org.root_group.id,
        name: org.root_group.name,
        organisation_id: org.id,
        parent_id: null,
        archived: false,
      });
    }
  }
  for (const d of data.devices as (DeviceRecord & {
    group?: { id: string; name: string };
    type?: { id: string; name: string };
  })[]) {
    if (d.group && d.group_id === undefined) {
      d.group_id = d.group.id;
      if (!data.groups.some((g) => g.id === d.group_id)) {
        data.groups.push({
          id: d.group.id,
          name: d.group.name,
          organisation_id: d.organisation_id,
          parent_id: null,
          archived: false,
        });
      }
    }
    if (d.type && d.type_id === undefined) {
      d.type_id = d.type.id;
      if (!data.device_types.some((t) => t.id === d.type_id)) {
        data.device_types.push({
          id: d.type.id,
          organisation_id: d.organisation_id,
          archived: false,
          fields: { name: d.type.name },
        });
      }
    }
    delete d.group;
    delete d.type;
    d.fields ??= {};
  }
}
