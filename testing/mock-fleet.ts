// The devices and groups a mocked test declares (`setDooverMocks(…, { fleet })`), answered to the lookup
// functions (`getDevice`, `getDevices`) in the API's own shapes, so the lookups run the same rules as against
// the API.

import type { FleetReader } from "../provider/lookup/fleet-reader";
import { AmbiguousDeviceName, buildGroupTree, type DeviceData, type GroupData } from "../sdk";
import { snowflake } from "./mock-ids";

/** A group of the mocked fleet; groups without `parent` sit under the organisation's root group. */
export interface DooverMockGroup {
  name: string;
  /** default: a stable 18-digit id derived from the name */
  id?: string;
  /** name (unique among the declared groups) or id of the parent group */
  parent?: string;
  archived?: boolean;
}

/** A device of the mocked fleet; devices without `group` sit in the organisation's root group. */
export interface DooverMockDevice {
  name: string;
  /** default: a stable 18-digit id derived from the name */
  id?: string;
  /** default: the name */
  displayName?: string;
  /** name (unique among the declared groups) or id of the device's group */
  group?: string;
  archived?: boolean;
  /** device type name (default "Doovit") */
  type?: string;
  notes?: string | null;
  extraConfig?: unknown;
  fixedLocation?: { latitude?: number; longitude?: number } | null;
}

/** The fleet a mocked test sees. */
export interface DooverMockFleet {
  groups?: DooverMockGroup[];
  devices?: DooverMockDevice[];
}

function problem(message: string): Error {
  return new Error(`DooverMocks fleet: ${message}`);
}

/** Builds the API-shaped fleet; throws naming the entry when a reference does not resolve. */
export function mockFleetReader(fleet: DooverMockFleet, org: { id: string; name: string }): FleetReader {
  const basicOrg = { id: org.id, name: org.name, archived: false };
  const root: GroupData = {
    id: snowflake(`group/root/${org.id}`),
    name: org.name,
    organisation: { id: org.id, name: org.name },
    archived: false,
    parent: null,
  };
  const declared = fleet.groups ?? [];
  const groups: GroupData[] = [root];
  const seen = new Map<string, number>();
  const stableId = (kind: string, name: string) => {
    const n = (seen.get(`${kind}/${name}`) ?? 0) + 1;
    seen.set(`${kind}/${name}`, n);
    return snowflake(`${kind}/${name}${n > 1 ? `#${n}` : ""}`);
  };
  const ids = declared.map((g) => g.id ?? stableId("group", g.name));
  const resolveGroup = (ref: string | undefined, what: string): GroupData => {
    if (ref === undefined) return root;
    const byId = groups.find((g) => g.id === ref) ?? (ref === root.id ? root : undefined);
    if (byId) return byId;
    const byName = declared.map((g, i) => ({ g, i })).filter(({ g }) => g.name === ref);
    if (byName.length > 1)
      throw problem(`${what} names group "${ref}", which ${byName.length} groups are called; use its id`);
    if (byName.length === 1) return groups[byName[0].i + 1];
    throw problem(
      `${what} names group "${ref}", which is not declared (groups: ${declared.map((g) => g.name).join(", ") || "none"})`,
    );
  };
  declared.forEach((g, i) => {
    if (!g.name) throw problem(`groups[${i}] needs a name`);
    groups.push({
      id: ids[i],
      name: g.name,
      organisation: { id: org.id, name: org.name },
      archived: g.archived === true,
      parent: null, // set below, once every group exists
    });
  });
  declared.forEach((g, i) => {
    const parent = resolveGroup(g.parent, `group "${g.name}"`);
    if (parent.id === ids[i]) throw problem(`group "${g.name}" cannot be its own parent`);
    groups[i + 1].parent = { id: parent.id, name: parent.name };
  });
  const tree = buildGroupTree(groups);
  for (const g of tree) {
    if (g.path.split("/").length > groups.length) throw problem(`group "${g.name}" is its own ancestor`);
  }
  const devices: DeviceData[] = (fleet.devices ?? []).map((d, i) => {
    if (!d.name) throw problem(`devices[${i}] needs a name`);
    const g = resolveGroup(d.group, `device "${d.name}"`);
    const typeName = d.type ?? "Doovit";
    return {
      id: d.id ?? stableId("device", d.name),
      archived: d.archived === true,
      name: d.name,
      display_name: d.displayName ?? d.name,
      type: {
        id: snowflake(`device-type/${typeName}`),
        organisation: basicOrg,
        archived: false,
        name: typeName,
        solution: null,
        active_count: 0,
      },
      organisation: basicOrg,
      group: { id: g.id, name: g.name, archived: g.archived, organisation: basicOrg },
      notes: d.notes ?? null,
      fa_icon: null,
      extra_config: d.extraConfig ?? {},
      fusion_entity_id: null,
      fusion_entity_secret: null,
      fixed_location: d.fixedLocation ?? null,
      history_since: null,
    };
  });
  const live = (includeArchived: boolean) => devices.filter((d) => includeArchived || !d.archived);
  return {
    source: `the DooverMocks fleet (${groups.length} group(s), ${devices.length} device(s))`,
    groups: async () => tree,
    devicesInGroup: async (group, opts) => {
      const ids = new Set(opts.includeSubgroups ? group.subtree : [group.id]);
      return live(opts.includeArchived).filter((d) => ids.has(d.group.id));
    },
    device: async (id) => devices.find((d) => d.id === id),
    findDevice: async (name, opts) => {
      for (const key of ["name", "display_name"] as const) {
        const hits = live(opts.includeArchived).filter((d) => d[key] === name);
        if (hits.length === 1) return hits[0];
        if (hits.length > 1) throw new AmbiguousDeviceName(name, hits);
      }
      return undefined;
    },
    allDevices: async () => devices,
  };
}
