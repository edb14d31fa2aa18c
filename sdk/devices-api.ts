// /devices/ family (wire level): devices of an organisation, each in one group. Lists filter by group
// (one group, or a group and all below it), name, search, archived, type and installed application.

import { type CreateOnceOptions, createOnce } from "./create-once";
import { BadRequest, DooverException } from "./errors";
import type { GroupsApi } from "./groups-api";
import { listAll } from "./paginate";
import type { RestClient } from "./rest-client";

/** `NestedDeviceTypeSerializerDetail`: a device's type, without its solution's detail. */
export interface DeviceTypeRefData {
  id: string;
  organisation: { id: string; name: string; archived: boolean };
  archived: boolean;
  name: string;
  config?: unknown;
  config_schema?: unknown;
  device_extra_config_schema?: unknown;
  installer?: string | null;
  installer_info?: string;
  install_type?: "NONE" | "COPY_COMMAND" | "INSTALL_PACKAGE" | "BOTH";
  copy_command?: string;
  description?: string;
  logo_url?: string | null;
  extra_info?: string | null;
  stars?: number;
  default_icon?: string | null;
  /** the solution's id, if the type belongs to one */
  solution: string | null;
  active_count: number;
  hooks?: string;
}

/** `DeviceSerializerDetail` (and `DeviceSerializerList`, the same fields). */
export interface DeviceData {
  id: string;
  archived: boolean;
  name?: string;
  display_name: string;
  type: DeviceTypeRefData;
  organisation: { id: string; name: string; archived: boolean };
  /** `SlimGroupSerializer`: the group the device is in */
  group: { id: string; name: string; archived: boolean; organisation: { id: string; name: string; archived: boolean } };
  fa_icon?: string | null;
  notes?: string | null;
  extra_config?: unknown;
  fusion_entity_id: string | null;
  /** a credential of the device's Fusion entity: never log or export it */
  fusion_entity_secret: string | null;
  fixed_location?: { latitude?: number; longitude?: number } | null;
  history_since?: string | null;
}

/** `DeviceSerializerDetailRequest`; PATCH takes any subset (`group_id` moves the device). */
export type DeviceRequest = {
  display_name: string;
  type_id: string;
  group_id: string;
  name?: string;
  fa_icon?: string | null;
  notes?: string | null;
  extra_config?: unknown;
  fixed_location?: { latitude?: number; longitude?: number } | null;
  /** write-only */
  solution_config?: unknown;
  history_since?: string | null;
};

/** Filters of `GET /devices/` (camelCase; sent as the spec's snake_case names). */
export interface DeviceListQuery {
  /** devices in exactly this group */
  group?: string;
  /** devices in this group and every group below it (the API's `group_tree`, a group id as doover-cli sends it) */
  groupTree?: string;
  name?: string;
  nameContains?: string;
  nameIcontains?: string;
  displayName?: string;
  displayNameContains?: string;
  displayNameIcontains?: string;
  /** every term in the name or display name */
  search?: string;
  archived?: boolean;
  organisation?: string;
  /** device type id */
  type?: string;
  /** devices that have this application installed */
  application?: string;
  /** any of these device ids */
  id?: string[];
  ordering?: string;
  perPage?: number;
}

const WIRE: Record<string, string> = {
  groupTree: "group_tree",
  nameContains: "name__contains",
  nameIcontains: "name__icontains",
  displayName: "display_name",
  displayNameContains: "display_name__contains",
  displayNameIcontains: "display_name__icontains",
};

const p = (id: string) => `/devices/${encodeURIComponent(id)}/`;

/** Several devices answer to one name (names are not unique); the message lists them. */
export class AmbiguousDeviceName extends DooverException {
  static readonly code: string = "AmbiguousDeviceName";
  constructor(
    readonly lookup: string,
    readonly matches: DeviceData[],
  ) {
    super(
      `${matches.length} devices are named "${lookup}": ` +
        matches
          .map((d) => `${d.display_name} (name ${d.name ?? "-"}, id ${d.id}, group ${d.group?.name ?? "?"})`)
          .join("; ") +
        ". Use the device id instead.",
    );
  }
}

/** The `/devices/` family (`client.devices`). */
export class DevicesApi {
  constructor(
    private readonly rest: RestClient,
    private readonly groups?: GroupsApi,
  ) {}

  /** Every page of `GET /devices/` with the given filters. */
  list(query: DeviceListQuery = {}): Promise<DeviceData[]> {
    const { perPage, id, ...filters } = query;
    const wire: Record<string, string | boolean | undefined> = {};
    for (const [k, v] of Object.entries(filters)) wire[WIRE[k] ?? k] = v;
    if (id !== undefined) wire.id = id.join(",");
    return listAll<DeviceData>(this.rest, "/devices/", wire, perPage);
  }

  /**
   * The devices of a group, or of a group and every group below it (`includeSubgroups`); live ones only
   * unless `includeArchived`. The answer is checked against the group tree: a server that ignored the
   * `group_tree` filter (or read it another way) must not turn "this group" into "the whole fleet", so
   * devices outside the subtree make it list the subtree's groups one by one (`group=<id>` each) instead.
   */
  async listInGroup(
    groupId: string,
    opts: {
      includeSubgroups?: boolean;
      includeArchived?: boolean;
      /** the ids of the group and every group below it, when the caller already has them (saves a list) */
      subtree?: readonly string[];
    } = {},
  ): Promise<DeviceData[]> {
    const archived = opts.includeArchived ? undefined : false;
    if (!opts.includeSubgroups) {
      const got = await this.list({ group: groupId, archived });
      const outside = got.filter((d) => String(d.group?.id) !== String(groupId));
      if (outside.length) throw outsideGroup(groupId, outside);
      return got;
    }
    if (!opts.subtree && !this.groups)
      throw new DooverException("listInGroup with includeSubgroups needs the groups family");
    const subtree = new Set(opts.subtree ?? (await this.groups!.descendants(groupId)));
    let got: DeviceData[] | undefined;
    try {
      got = await this.list({ groupTree: groupId, archived });
    } catch (e) {
      if (!BadRequest.isInstance(e)) throw e;
    }
    if (got?.every((d) => subtree.has(String(d.group?.id)))) return got;
    this.rest.log(
      `doover: GET /devices/?group_tree=${groupId} ${got ? "answered devices outside the group's subtree" : "was refused"}; ` +
        `listing its ${subtree.size} group(s) one by one`,
    );
    const out: DeviceData[] = [];
    for (const id of subtree) out.push(...(await this.listInGroup(id, { includeArchived: opts.includeArchived })));
    return out;
  }

  /** One device (archived ones too). */
  retrieve(id: string): Promise<DeviceData> {
    return this.rest.request({ method: "GET", path: p(id) });
  }

  /** Exactly one POST, no lookup, no retry of an ambiguous failure. */
  post(body: DeviceRequest): Promise<DeviceData> {
    return this.rest.request<DeviceData>({ method: "POST", path: "/devices/", body });
  }

  /**
   * One POST; after an ambiguous failure, a device with the sent name (or display name) in that group is taken
   * as the one this call made before anything is re-sent. Names are not unique: callers that must not take an
   * existing device look the name up first.
   */
  async create(body: DeviceRequest, opts: CreateOnceOptions<DeviceData> = {}): Promise<DeviceData> {
    const outcome = await createOnce(
      this.rest,
      () => this.post(body),
      async () =>
        (await this.list({ group: body.group_id, displayName: body.display_name })).find(
          (d) => body.name === undefined || d.name === body.name,
        ),
      { nameConflicts: false, ...opts },
    );
    return (outcome.created ?? outcome.existing)!;
  }

  /** PUT: full replacement (display_name, type_id and group_id required). */
  update(id: string, body: DeviceRequest): Promise<DeviceData> {
    return this.rest.request({ method: "PUT", path: p(id), body });
  }

  /** Changes the given fields; `{ group_id }` moves the device to another group. */
  patch(id: string, body: Partial<DeviceRequest>): Promise<DeviceData> {
    return this.rest.request({ method: "PATCH", path: p(id), body });
  }

  /** Archives the device; safe to repeat. */
  archive(id: string): Promise<DeviceData> {
    return this.rest.request({ method: "POST", path: `${p(id)}archive/`, idempotent: true });
  }

  /** Brings an archived device back; safe to repeat. */
  unarchive(id: string): Promise<DeviceData> {
    return this.rest.request({ method: "POST", path: `${p(id)}unarchive/`, idempotent: true });
  }

  /**
   * The device with exactly this `name`, else exactly this `display_name` (what the portal shows), live
   * devices only unless `includeArchived`; undefined when none. Several matches at the first level that has
   * any throw {@link AmbiguousDeviceName} listing them: names are not unique.
   */
  async findByName(name: string, opts: { includeArchived?: boolean } = {}): Promise<DeviceData | undefined> {
    const archived = opts.includeArchived ? undefined : false;
    for (const key of ["name", "displayName"] as const) {
      const hits = (await this.list({ [key]: name, archived })).filter(
        (d) => (key === "name" ? d.name : d.display_name) === name,
      );
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw new AmbiguousDeviceName(name, hits);
    }
    return undefined;
  }
}

function outsideGroup(groupId: string, outside: DeviceData[]): DooverException {
  return new DooverException(
    `GET /devices/?group=${groupId} answered ${outside.length} device(s) of other groups ` +
      `(e.g. ${outside[0].id} in group ${outside[0].group?.id}); the API ignored the group filter, ` +
      "so no device list is returned rather than a wrong one",
  );
}
