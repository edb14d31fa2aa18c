// /groups/ family: the device group tree. Every group but an organisation's root group has a parent
// (`parent_id` is required on create); moving a group is a PATCH of `parent_id` (never under itself).

import { type Handler, ok, type RequestContext } from "./context";
import { ApiError, type FieldErrors, notFound, validationError } from "./errors";
import { applyListQuery, boolFilter, type ListSpec, referenceFilters, textFilters } from "./filters";
import { requestObject } from "./form-data";
import { childGroups, findGroup, subtreeIds } from "./group-tree";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { GroupRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

/** GroupSerializerDetailRequest (Patched*: nothing required). */
export const groupRequest: BodySchema = {
  fields: {
    name: { type: "string", minLength: 1, maxLength: 255 },
    parent_id: { type: "id", minLength: 1 },
  },
  required: ["name", "parent_id"],
};

function simpleOrganisation(store: Store, id: string) {
  const org = store.data.organisations.find((o) => o.id === id);
  return { id, name: org?.name ?? "" };
}

const idName = (g: GroupRecord) => ({ id: g.id, name: g.name });

/** GroupSerializerList. */
export function presentGroupSummary(store: Store, g: GroupRecord) {
  const parent = g.parent_id === null ? undefined : findGroup(store, g.parent_id);
  return {
    id: g.id,
    name: g.name,
    organisation: simpleOrganisation(store, g.organisation_id),
    archived: g.archived,
    parent: parent ? idName(parent) : null,
  };
}

/** GroupSerializerDetail: the summary plus direct children (the caller's permissions are not emulated). */
export function presentGroup(store: Store, g: GroupRecord) {
  return {
    ...presentGroupSummary(store, g),
    children: childGroups(store, g.id).map(idName),
    my_permissions: {},
  };
}

/** Every query parameter the spec lists for GET /groups/. */
export const groupListSpec: ListSpec<GroupRecord> = {
  filters: {
    archived: boolFilter((g) => g.archived),
    ...textFilters("name", (g) => g.name),
    ...referenceFilters("organisation", (g) => g.organisation_id),
    permission: { unsupported: "per-user group permissions are not part of the emulator's data" },
    root_group: boolFilter((g) => g.parent_id === null),
  },
  search: [(g) => g.name],
  ordering: { id: (g) => g.id, name: (g) => g.name },
};

export const listGroups: Handler = (ctx) =>
  paginate(ctx, applyListQuery(ctx, ctx.store.data.groups, groupListSpec), (g) => presentGroupSummary(ctx.store, g));

function groupOf(ctx: RequestContext): GroupRecord {
  const g = findGroup(ctx.store, ctx.params.id);
  if (!g) throw notFound("No Group matches the given query.");
  return g;
}

export const retrieveGroup: Handler = (ctx) => ok(presentGroup(ctx.store, groupOf(ctx)));

/** The parent a body names, checked: it exists and (for a move) is not the group itself or below it. */
function checkParent(
  ctx: RequestContext,
  data: Record<string, unknown>,
  errors: FieldErrors,
  self?: GroupRecord,
): GroupRecord | undefined {
  if (typeof data.parent_id !== "string") return undefined;
  const parent = findGroup(ctx.store, data.parent_id);
  if (!parent || (self && parent.organisation_id !== self.organisation_id)) {
    errors.parent_id = [`Invalid pk "${data.parent_id}" - object does not exist.`];
    return undefined;
  }
  if (self?.parent_id === null) {
    errors.parent_id = ["The organisation's root group cannot have a parent."];
    return undefined;
  }
  if (self && subtreeIds(ctx.store, self.id).has(parent.id)) {
    errors.parent_id = ["A group cannot be moved under itself or one of its subgroups."];
    return undefined;
  }
  return parent;
}

/** POST /groups/: a group under `parent_id` (its organisation is the parent's). */
export const createGroup: Handler = (ctx) => {
  const { data, errors = {} } = validateBody(requestObject(ctx, groupRequest), groupRequest, false);
  const parent = checkParent(ctx, data, errors);
  if (Object.keys(errors).length) throw validationError(errors);
  const g: GroupRecord = {
    id: ctx.store.ids.next(),
    name: data.name as string,
    organisation_id: parent!.organisation_id,
    parent_id: parent!.id,
    archived: false,
  };
  ctx.store.data.groups.push(g);
  ctx.store.save();
  return ok(presentGroup(ctx.store, g), 201);
};

function update(partial: boolean): Handler {
  return (ctx) => {
    const g = groupOf(ctx);
    const body = requestObject(ctx, groupRequest);
    // The root group has no parent to send: a PUT of its name alone is a full update.
    const schema = g.parent_id === null ? { ...groupRequest, required: ["name"] } : groupRequest;
    const { data, errors = {} } = validateBody(body, schema, partial);
    const parent = checkParent(ctx, data, errors, g);
    if (Object.keys(errors).length) throw validationError(errors);
    if (typeof data.name === "string") {
      g.name = data.name;
      const org = ctx.store.data.organisations.find((o) => o.root_group.id === g.id);
      if (org) org.root_group.name = g.name;
    }
    if (parent) g.parent_id = parent.id;
    ctx.store.save();
    return ok(presentGroup(ctx.store, g));
  };
}

export const putGroup = update(false);
export const patchGroup = update(true);

/** DELETE /groups/{id}/: only an empty group (no devices, no subgroups); never the root group. */
export const deleteGroup: Handler = (ctx) => {
  const g = groupOf(ctx);
  if (g.parent_id === null) throw rootGroupError("deleted");
  const devices = ctx.store.data.devices.filter((d) => d.group_id === g.id).length;
  const children = childGroups(ctx.store, g.id).length;
  if (devices || children) {
    const msg =
      `Group "${g.name}" still holds ${devices} device(s) and ${children} subgroup(s); ` + "move or delete them first.";
    throw new ApiError(400, { detail: msg, error: { non_field_errors: [msg] } });
  }
  ctx.store.data.groups = ctx.store.data.groups.filter((x) => x !== g);
  ctx.store.data.group_permissions = ctx.store.data.group_permissions.filter((p) => p.group_id !== g.id);
  ctx.store.save();
  return { status: 204 };
};

function rootGroupError(what: string): ApiError {
  const msg = `The organisation's root group cannot be ${what}.`;
  return new ApiError(400, { detail: msg, error: { non_field_errors: [msg] } });
}

function setArchived(archived: boolean): Handler {
  return (ctx) => {
    const g = groupOf(ctx);
    if (g.parent_id === null && archived) throw rootGroupError("archived");
    g.archived = archived;
    ctx.store.save();
    return ok(presentGroup(ctx.store, g));
  };
}

export const archiveGroup = setArchived(true);
export const unarchiveGroup = setArchived(false);
