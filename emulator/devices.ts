// /devices/ family: list (with the spec's filters, group subtrees included), create, read, PUT/PATCH
// (moving a device between groups is a PATCH of `group_id`), archive and unarchive.

import { type Handler, ok, type RequestContext } from "./context";
import { activeCounts, findDeviceType, presentDeviceType } from "./device-types";
import { basicOrganisation, findOrganisation } from "./directory";
import { ApiError, type FieldErrors, notFound, validationError } from "./errors";
import {
  applyListQuery,
  boolFilter,
  type Filter,
  idListFilter,
  type ListSpec,
  referenceFilters,
  textFilters,
} from "./filters";
import { requestObject } from "./form-data";
import { findGroup, subtreeIds } from "./group-tree";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { DeviceRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

/** DeviceSerializerDetailRequest (Patched*: nothing required). */
export const deviceRequest: BodySchema = {
  fields: {
    name: { type: "string", maxLength: 255 },
    display_name: { type: "string", minLength: 1, maxLength: 255 },
    type_id: { type: "id", minLength: 1 },
    group_id: { type: "id", minLength: 1 },
    fa_icon: { type: "string", nullable: true },
    notes: { type: "string", nullable: true },
    extra_config: { type: "any" },
    fixed_location: { type: "any" },
    solution_config: { type: "any" },
    history_since: { type: "string", nullable: true },
  },
  required: ["display_name", "group_id", "type_id"],
};

/** Fields kept as sent and shown back (solution_config is write-only). */
const SHOWN_FIELDS = ["fa_icon", "notes", "extra_config", "fixed_location", "history_since"] as const;

// ---- presentation

/** DeviceSerializerDetail (the list shows the same fields). */
export function presentDevice(store: Store, d: DeviceRecord, counts?: Map<string, number>) {
  const org = basicOrganisation(findOrganisation(store, d.organisation_id)!);
  const group = findGroup(store, d.group_id);
  const type = findDeviceType(store, d.type_id);
  const f = d.fields;
  return {
    id: d.id,
    archived: d.archived,
    name: d.name,
    display_name: d.display_name,
    type: type
      ? presentDeviceType(store, type, counts)
      : { id: d.type_id, organisation: org, archived: false, name: "", solution: null, active_count: 0 },
    organisation: org,
    group: { id: d.group_id, name: group?.name ?? "", archived: group?.archived ?? false, organisation: org },
    fa_icon: f.fa_icon ?? null,
    notes: f.notes ?? null,
    extra_config: f.extra_config ?? {},
    fusion_entity_id: null,
    fusion_entity_secret: null,
    fixed_location: f.fixed_location ?? null,
    history_since: f.history_since ?? null,
  };
}

// ---- list

/**
 * A group filter as django-filter's ModelChoiceFilter runs it: an id that is no group is a 400.
 * `tree`: the group and every group below it.
 */
function groupFilter(store: Store, tree: boolean): Filter<DeviceRecord> {
  return {
    parse: (raw) => {
      const id = raw.trim();
      if (!/^\d+$/.test(id) || !findGroup(store, id))
        return "Select a valid choice. That choice is not one of the available choices.";
      if (!tree) return (d) => d.group_id === id;
      const ids = subtreeIds(store, id);
      return (d) => ids.has(d.group_id);
    },
  };
}

/** Devices with a live install of the application (`application=<id>`). */
function applicationFilter(store: Store): Filter<DeviceRecord> {
  return {
    parse: (raw) => {
      const id = raw.trim();
      const on = new Set(
        store.data.app_installs.filter((i) => i.application_id === id && !i.archived).map((i) => i.device_id),
      );
      return (d) => on.has(d.id);
    },
  };
}

/** Every query parameter the spec lists for GET /devices/. */
export function deviceListSpec(store: Store): ListSpec<DeviceRecord> {
  return {
    filters: {
      id: idListFilter((d) => d.id),
      ...textFilters("name", (d) => d.name),
      ...textFilters("display_name", (d) => d.display_name),
      archived: boolFilter((d) => d.archived),
      ...referenceFilters("organisation", (d) => d.organisation_id),
      group: groupFilter(store, false),
      // doover-cli sends a group id ("Filter by group tree identifier"): that group and all below it.
      group_tree: groupFilter(store, true),
      ...referenceFilters("type", (d) => d.type_id),
      application: applicationFilter(store),
    },
    search: [(d) => d.name, (d) => d.display_name],
    ordering: {
      id: (d) => d.id,
      name: (d) => d.name,
      display_name: (d) => d.display_name,
    },
  };
}

const BOOL_WORD = /^(true|false|True|False)$/;

/**
 * GET /devices/. `group=<id>&group_tree=true` (the boolean reading of group_tree) is answered as
 * `group_tree=<id>`; `group_tree=false` keeps `group` exact.
 */
export const listDevices: Handler = (ctx) => {
  const q = new URLSearchParams(ctx.query);
  const flag = q.getAll("group_tree").at(-1)?.trim();
  if (flag !== undefined && BOOL_WORD.test(flag)) {
    const group = q.getAll("group").at(-1);
    q.delete("group_tree");
    if (/^(true|True)$/.test(flag) && group) {
      q.delete("group");
      q.set("group_tree", group);
    }
  }
  const items = applyListQuery({ ...ctx, query: q }, ctx.store.data.devices, deviceListSpec(ctx.store));
  const counts = activeCounts(ctx.store); // once per page, not once per device
  return paginate(ctx, items, (d) => presentDevice(ctx.store, d, counts));
};

// ---- one device

function deviceOf(ctx: RequestContext): DeviceRecord {
  const d = ctx.store.data.devices.find((x) => x.id === ctx.params.id);
  if (!d) throw notFound("No Device matches the given query.");
  return d;
}

export const retrieveDevice: Handler = (ctx) => ok(presentDevice(ctx.store, deviceOf(ctx)));

function isDateTime(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s) && !Number.isNaN(Date.parse(s))
  );
}

/** Checks references and the fields the table cannot; returns the group and type ids to store. */
function checkDeviceBody(
  ctx: RequestContext,
  data: Record<string, unknown>,
  errors: FieldErrors,
  organisationId: string | undefined,
): void {
  if (typeof data.group_id === "string") {
    const g = findGroup(ctx.store, data.group_id);
    if (!g || (organisationId !== undefined && g.organisation_id !== organisationId))
      errors.group_id = [`Invalid pk "${data.group_id}" - object does not exist.`];
  }
  if (typeof data.type_id === "string" && !findDeviceType(ctx.store, data.type_id))
    errors.type_id = [`Invalid pk "${data.type_id}" - object does not exist.`];
  const loc = data.fixed_location;
  if (loc !== undefined && loc !== null) {
    const o = loc as Record<string, unknown>;
    const num = (v: unknown) => v === undefined || (typeof v === "number" && Number.isFinite(v));
    if (typeof loc !== "object" || Array.isArray(loc) || !num(o.latitude) || !num(o.longitude))
      errors.fixed_location = ["Expected an object { latitude, longitude } of numbers."];
  }
  if (typeof data.history_since === "string" && !isDateTime(data.history_since))
    errors.history_since = [
      "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    ];
}

function applyFields(d: DeviceRecord, data: Record<string, unknown>): void {
  if (typeof data.name === "string") d.name = data.name;
  if (typeof data.display_name === "string") d.display_name = data.display_name;
  if (typeof data.group_id === "string") d.group_id = data.group_id;
  if (typeof data.type_id === "string") d.type_id = data.type_id;
  for (const k of SHOWN_FIELDS) if (k in data) d.fields[k] = data[k];
}

function deviceNameFrom(display: string): string {
  return (
    display
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "device"
  );
}

/** POST /devices/: a device in a group (its organisation is the group's). */
export const createDevice: Handler = (ctx) => {
  const { data, errors = {} } = validateBody(requestObject(ctx, deviceRequest), deviceRequest, false);
  checkDeviceBody(ctx, data, errors, undefined);
  if (Object.keys(errors).length) throw validationError(errors);
  const group = findGroup(ctx.store, data.group_id as string)!;
  const d: DeviceRecord = {
    id: ctx.store.ids.next(),
    name: (data.name as string | undefined) ?? deviceNameFrom(data.display_name as string),
    display_name: data.display_name as string,
    archived: false,
    organisation_id: group.organisation_id,
    group_id: group.id,
    type_id: data.type_id as string,
    fields: {},
  };
  applyFields(d, data);
  ctx.store.data.devices.push(d);
  ctx.store.save();
  return ok(presentDevice(ctx.store, d), 201);
};

function update(partial: boolean): Handler {
  return (ctx) => {
    const d = deviceOf(ctx);
    const { data, errors = {} } = validateBody(requestObject(ctx, deviceRequest), deviceRequest, partial);
    checkDeviceBody(ctx, data, errors, d.organisation_id);
    if (Object.keys(errors).length) throw validationError(errors);
    applyFields(d, data);
    ctx.store.save();
    return ok(presentDevice(ctx.store, d));
  };
}

export const putDevice = update(false);
export const patchDevice = update(true);

function setArchived(archived: boolean): Handler {
  return (ctx) => {
    const d = deviceOf(ctx);
    d.archived = archived;
    ctx.store.save();
    return ok(presentDevice(ctx.store, d));
  };
}

export const archiveDevice = setArchived(true);
export const unarchiveDevice = setArchived(false);

/** For messages: a device must exist (used by routes that hang off one). */
export function requireDevice(ctx: RequestContext, id: string): DeviceRecord {
  const d = ctx.store.data.devices.find((x) => x.id === id);
  if (!d) throw new ApiError(404, { detail: "No Device matches the given query." });
  return d;
}
