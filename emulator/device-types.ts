// /devices/types/ family: device types (list, create, read, PUT/PATCH, archive, unarchive — the spec has no
// DELETE) and their per-organisation access list (`organisation_access/`, whitelist or blacklist).

import { type Handler, ok, type RequestContext } from "./context";
import { basicOrganisation, findOrganisation } from "./directory";
import { ApiError, notFound, validationError } from "./errors";
import {
  applyListQuery,
  boolFilter,
  choiceFilter,
  idFilter,
  type ListSpec,
  numberFilters,
  referenceFilters,
  textFilters,
} from "./filters";
import { requestObject } from "./form-data";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { DeviceTypeAccessRecord, DeviceTypeRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

export const INSTALL_TYPES = ["NONE", "COPY_COMMAND", "INSTALL_PACKAGE", "BOTH"] as const;

/** DeviceTypeSerializerDetailRequest (Patched*: nothing required); `installer` is a file (see applyInstaller). */
export const deviceTypeRequest: BodySchema = {
  fields: {
    name: { type: "string", minLength: 1, maxLength: 255 },
    config: { type: "any" },
    config_schema: { type: "any" },
    device_extra_config_schema: { type: "any" },
    installer_info: { type: "string", minLength: 1 },
    install_type: { type: "string", enum: INSTALL_TYPES },
    copy_command: { type: "string", minLength: 1 },
    description: { type: "string", minLength: 1 },
    logo_url: { type: "string", nullable: true, maxLength: 500 },
    extra_info: { type: "string", nullable: true },
    stars: { type: "integer", minimum: -2147483648, maximum: 2147483647 },
    default_icon: { type: "string", nullable: true, maxLength: 100 },
    solution_id: { type: "id", nullable: true },
    hooks: { type: "string", maxLength: 255 },
  },
  required: ["name"],
};

/** What a type shows for a field it was never given. */
const DEFAULTS: Record<string, unknown> = {
  config: {},
  config_schema: {},
  device_extra_config_schema: {},
  installer: null,
  installer_info: "",
  install_type: "NONE",
  copy_command: "",
  description: "",
  logo_url: null,
  extra_info: null,
  stars: 0,
  default_icon: null,
  hooks: "",
};

export function findDeviceType(store: Store, id: string): DeviceTypeRecord | undefined {
  return store.data.device_types.find((t) => t.id === id);
}

/**
 * DeviceTypeSerializerDetail (the list shows the same fields); also the type nested in a device
 * (NestedDeviceTypeSerializer: the same fields, `solution` an id — null here, the emulator has no solutions).
 */
/** Live devices per type, counted once for a whole list page. */
export function activeCounts(store: Store): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of store.data.devices) if (!d.archived) counts.set(d.type_id, (counts.get(d.type_id) ?? 0) + 1);
  return counts;
}

export function presentDeviceType(store: Store, t: DeviceTypeRecord, counts?: Map<string, number>) {
  const org = findOrganisation(store, t.organisation_id);
  const { solution_id: _s, ...fields } = t.fields;
  return {
    id: t.id,
    organisation: org ? basicOrganisation(org) : { id: t.organisation_id, name: "", archived: false },
    archived: t.archived,
    ...DEFAULTS,
    ...fields,
    solution: null,
    active_count: counts
      ? (counts.get(t.id) ?? 0)
      : store.data.devices.filter((d) => d.type_id === t.id && !d.archived).length,
  };
}

/** Every query parameter the spec lists for GET /devices/types/. */
export const deviceTypeListSpec: ListSpec<DeviceTypeRecord> = {
  filters: {
    archived: boolFilter((t) => t.archived),
    id: idFilter((t) => t.id),
    ...textFilters("name", (t) => t.fields.name),
    ...referenceFilters("organisation", (t) => t.organisation_id, { isnull: true }),
    ...numberFilters("stars", (t) => t.fields.stars ?? 0),
  },
  search: [(t) => t.fields.name, (t) => t.fields.description],
  ordering: { id: (t) => t.id, name: (t) => t.fields.name, stars: (t) => t.fields.stars ?? 0 },
};

export const listDeviceTypes: Handler = (ctx) => {
  const counts = activeCounts(ctx.store);
  const items = applyListQuery(ctx, ctx.store.data.device_types, deviceTypeListSpec);
  return paginate(ctx, items, (t) => presentDeviceType(ctx.store, t, counts));
};

function typeOf(ctx: RequestContext, id = ctx.params.id): DeviceTypeRecord {
  const t = findDeviceType(ctx.store, id);
  if (!t) throw notFound("No DeviceType matches the given query.");
  return t;
}

export const retrieveDeviceType: Handler = (ctx) => ok(presentDeviceType(ctx.store, typeOf(ctx)));

function checkSolution(data: Record<string, unknown>): void {
  if (data.solution_id !== undefined && data.solution_id !== null)
    throw validationError({ solution_id: [`Invalid pk "${String(data.solution_id)}" - object does not exist.`] });
}

/** The organisation a new object belongs to: the X-Doover-Organisation header, else the seeded one. */
function organisationFor(ctx: RequestContext): string {
  const header = ctx.headers["x-doover-organisation"];
  const id = (Array.isArray(header) ? header[0] : header)?.trim();
  if (id) {
    if (!findOrganisation(ctx.store, id))
      throw new ApiError(403, { detail: "You do not have permission to perform this action." });
    return id;
  }
  return ctx.store.organisationId;
}

/**
 * `installer` is a file (multipart, doover-cli's `device-type upload-installer`): the type then shows a URL
 * naming it (the bytes are not kept; the device installer endpoints keep serving the emulator's script).
 * JSON can only clear it (`null`).
 */
function applyInstaller(ctx: RequestContext, t: DeviceTypeRecord): void {
  const file = ctx.form?.files.get("installer")?.at(-1);
  if (file) {
    if (!file.filename || file.data.length === 0)
      throw validationError({ installer: ["The submitted file is empty."] });
    t.fields.installer = `${ctx.baseUrl}/media/device_types/${t.id}/${encodeURIComponent(file.filename)}`;
    return;
  }
  const body = ctx.form ? undefined : (ctx.body as Record<string, unknown>);
  if (body && "installer" in body) {
    if (body.installer !== null)
      throw validationError({ installer: ["The submitted data was not a file. Check the encoding type on the form."] });
    t.fields.installer = null;
  }
}

export const createDeviceType: Handler = (ctx) => {
  const { data, errors } = validateBody(requestObject(ctx, deviceTypeRequest), deviceTypeRequest, false);
  if (errors) throw validationError(errors);
  checkSolution(data);
  const t: DeviceTypeRecord = {
    id: ctx.store.ids.next(),
    organisation_id: organisationFor(ctx),
    archived: false,
    fields: data,
  };
  applyInstaller(ctx, t);
  ctx.store.data.device_types.push(t);
  ctx.store.save();
  return ok(presentDeviceType(ctx.store, t), 201);
};

function update(partial: boolean): Handler {
  return (ctx) => {
    const t = typeOf(ctx);
    const { data, errors } = validateBody(requestObject(ctx, deviceTypeRequest), deviceTypeRequest, partial);
    if (errors) throw validationError(errors);
    checkSolution(data);
    applyInstaller(ctx, t);
    t.fields = { ...t.fields, ...data };
    ctx.store.save();
    return ok(presentDeviceType(ctx.store, t));
  };
}

export const putDeviceType = update(false);
export const patchDeviceType = update(true);

function setArchived(archived: boolean): Handler {
  return (ctx) => {
    const t = typeOf(ctx);
    t.archived = archived;
    ctx.store.save();
    return ok(presentDeviceType(ctx.store, t));
  };
}

export const archiveDeviceType = setArchived(true);
export const unarchiveDeviceType = setArchived(false);

// ---- organisation access

/** DeviceTypeOrganisationAccessSerializerDetailRequest (`organisation_id` must name an organisation here). */
const accessRequest: BodySchema = {
  fields: {
    device_type_id: { type: "id", minLength: 1 },
    organisation_id: { type: "id", minLength: 1 },
    access: { type: "string", enum: ["WHL", "BLK"] },
  },
  required: ["access", "device_type_id", "organisation_id"],
};

function presentAccess(store: Store, a: DeviceTypeAccessRecord) {
  return {
    id: a.id,
    organisation: basicOrganisation(findOrganisation(store, a.organisation_id)!),
    access: a.access,
  };
}

/** Every query parameter the spec lists for GET …/organisation_access/. */
export function accessListSpec(store: Store): ListSpec<DeviceTypeAccessRecord> {
  return {
    filters: {
      access: choiceFilter((a) => a.access, ["BLK", "WHL"]),
      ...referenceFilters("device_type", (a) => a.device_type_id),
      id: idFilter((a) => a.id),
      ...referenceFilters("organisation", (a) => a.organisation_id),
    },
    search: [(a) => findOrganisation(store, a.organisation_id)?.name],
    ordering: { id: (a) => a.id, access: (a) => a.access },
  };
}

const accessOfType = (ctx: RequestContext) => {
  const t = typeOf(ctx, ctx.params.parent_lookup_device_type);
  return { t, all: ctx.store.data.device_type_access.filter((a) => a.device_type_id === t.id) };
};

export const listAccess: Handler = (ctx) => {
  const spec = accessListSpec(ctx.store);
  applyListQuery(ctx, [], spec); // a bad query is a 400 before the parent's 404
  return paginate(ctx, applyListQuery(ctx, accessOfType(ctx).all, spec), (a) => presentAccess(ctx.store, a));
};

function checkAccess(ctx: RequestContext, data: Record<string, unknown>, typeId: string, selfId?: string): void {
  const errors: Record<string, string[]> = {};
  if ("device_type_id" in data && data.device_type_id !== typeId)
    errors.device_type_id = ["Must be the device type of the URL."];
  if (typeof data.organisation_id === "string" && !findOrganisation(ctx.store, data.organisation_id))
    errors.organisation_id = [`Invalid pk "${data.organisation_id}" - object does not exist.`];
  if (Object.keys(errors).length) throw validationError(errors);
  const org = data.organisation_id as string | undefined;
  if (
    org &&
    ctx.store.data.device_type_access.some(
      (a) => a.device_type_id === typeId && a.organisation_id === org && a.id !== selfId,
    )
  )
    throw validationError({ non_field_errors: ["The fields device_type, organisation must make a unique set."] });
}

export const createAccess: Handler = (ctx) => {
  const { t } = accessOfType(ctx);
  const { data, errors } = validateBody(requestObject(ctx, accessRequest), accessRequest, false);
  if (errors) throw validationError(errors);
  checkAccess(ctx, data, t.id);
  const a: DeviceTypeAccessRecord = {
    id: ctx.store.ids.next(),
    device_type_id: t.id,
    organisation_id: data.organisation_id as string,
    access: data.access as "WHL" | "BLK",
  };
  ctx.store.data.device_type_access.push(a);
  ctx.store.save();
  return ok(presentAccess(ctx.store, a), 201);
};

function accessOf(ctx: RequestContext): DeviceTypeAccessRecord {
  const a = accessOfType(ctx).all.find((x) => x.id === ctx.params.id);
  if (!a) throw notFound("No DeviceTypeOrganisationAccess matches the given query.");
  return a;
}

export const retrieveAccess: Handler = (ctx) => ok(presentAccess(ctx.store, accessOf(ctx)));

function updateAccess(partial: boolean): Handler {
  return (ctx) => {
    const a = accessOf(ctx);
    const { data, errors } = validateBody(requestObject(ctx, accessRequest), accessRequest, partial);
    if (errors) throw validationError(errors);
    checkAccess(ctx, data, a.device_type_id, a.id);
    if (typeof data.organisation_id === "string") a.organisation_id = data.organisation_id;
    if (typeof data.access === "string") a.access = data.access as "WHL" | "BLK";
    ctx.store.save();
    return ok(presentAccess(ctx.store, a));
  };
}

export const putAccess = updateAccess(false);
export const patchAccess = updateAccess(true);

export const deleteAccess: Handler = (ctx) => {
  const a = accessOf(ctx);
  ctx.store.data.device_type_access = ctx.store.data.device_type_access.filter((x) => x !== a);
  ctx.store.save();
  return { status: 204 };
};
