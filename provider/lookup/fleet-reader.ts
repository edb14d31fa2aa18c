// Where the lookup functions read devices and groups from: the Doover API (through the sdk's device and group
// families) or, under `pulumi-doover/testing` mocks, the fleet a test declared. Both answer the same questions,
// so the lookups' rules (names, paths, archived devices, errors) are the same code either way.

import type { Client, DeviceData, GroupNode } from "../../sdk";
import { unlessNotFound } from "../props";

/** What a lookup needs to know about the fleet. */
export interface FleetReader {
  /** For messages: "the Doover API at https://…" or "the DooverMocks fleet". */
  readonly source: string;
  /** Every visible group, with paths and subtrees. */
  groups(): Promise<GroupNode[]>;
  /** A group's devices (its subtree's with `includeSubgroups`); live ones only unless `includeArchived`. */
  devicesInGroup(
    group: GroupNode,
    opts: { includeSubgroups: boolean; includeArchived: boolean },
  ): Promise<DeviceData[]>;
  /** One device by id, archived or not; undefined when there is none. */
  device(id: string): Promise<DeviceData | undefined>;
  /** By exact name, else exact display name (throws AmbiguousDeviceName on several). */
  findDevice(name: string, opts: { includeArchived: boolean }): Promise<DeviceData | undefined>;
  /** Every device (archived too): only read to suggest names when a lookup finds none. */
  allDevices(): Promise<DeviceData[]>;
}

/** The Doover API through one sdk Client. */
export function apiFleetReader(client: Client): FleetReader {
  return {
    source: `the Doover API at ${client.baseUrl}${client.organisationId ? ` (organisation ${client.organisationId})` : ""}`,
    groups: () => client.groups.tree(),
    devicesInGroup: (group, opts) => client.devices.listInGroup(group.id, { ...opts, subtree: group.subtree }),
    device: (id) => unlessNotFound(() => client.devices.retrieve(id)),
    findDevice: (name, opts) => client.devices.findByName(name, opts),
    allDevices: () => client.devices.list(),
  };
}
