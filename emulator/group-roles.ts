// /groups/roles/ (roles: a name and permission switches; CRUD, archive, unarchive) and /groups/{g}/users/
// (who holds which role in a group). The emulator has no user accounts: any user id (digits) stands for a user
// named `user_<id>`, as registry profiles get stand-ins on first reference.

import { type Handler, ok, type RequestContext } from "./context";
import { basicOrganisation, findOrganisation } from "./directory";
import { ApiError, notFound, validationError } from "./errors";
import { applyListQuery, boolFilter, idFilter, type ListSpec, referenceFilters, textFilters } from "./filters";
import { requestObject } from "./form-data";
import { findGroup } from "./group-tree";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { GroupPermissionRecord, GroupRoleRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

/** The permission switches of a role (GroupRoleSerializerDetail), false unless set. */
export const ROLE_PERMISSIONS = [
  "billing_manager",
  "group_move",
  "group_edit",
  "group_view",
  "group_users_manage",
  "group_users_view",
  "device_create",
  "device_configure",
  "device_tunnels",
  "device_private_view",
  "device_control",
  "device_history",
  "device_view",
  "alarms_manage",
  "alarms_view",
  "turn_client_connect",
  "dashboard_create",
  "dashboard_edit",
  "dashboard_control",
  "dashboard_view",
] as const;

const roleRequest: BodySchema = {
  fields: {
    name: { type: "string", minLength: 1, maxLength: 255 },
    description: { type: "string" },
    ...Object.fromEntries(ROLE_PERMISSIONS.map((p) => [p, { type: "boolean" as const }])),
  },
  required: ["name"],
};

export function presentRole(store: Store, r: GroupRoleRecord) {
  const org = r.organisation_id ? findOrganisation(store, r.organisation_id) : undefined;
  return {
    id: r.id,
    name: r.fields.name,
    description: r.fields.description ?? "",
    organisation: org ? basicOrganisation(org) : null,
    archived: r.archived,
    ...Object.fromEntries(ROLE_PERMISSIONS.map((p) => [p, r.fields[p] === true])),
  };
}

/** Every query parameter the spec lists for GET /groups/roles/. */
export const roleListSpec: ListSpec<GroupRoleRecord> = {
  filters: {
    archived: boolFilter((r) => r.archived),
    id: idFilter((r) => r.id),
    ...textFilters("name", (r) => r.fields.name),
    ...referenceFilters("organisation", (r) => r.organisation_id, { isnull: true }),
  },
  search: [(r) => r.fields.name, (r) => r.fields.description],
  ordering: { id: (r) => r.id, name: (r) => r.fields.name },
};

export const listRoles: Handler = (ctx) =>
  paginate(ctx, applyListQuery(ctx, ctx.store.data.group_roles, roleListSpec), (r) => presentRole(ctx.store, r));

function roleOf(ctx: RequestContext, id = ctx.params.id): GroupRoleRecord {
  const r = ctx.store.data.group_roles.find((x) => x.id === id);
  if (!r) throw notFound("No GroupRole matches the given query.");
  return r;
}

export const retrieveRole: Handler = (ctx) => ok(presentRole(ctx.store, roleOf(ctx)));

export const createRole: Handler = (ctx) => {
  const { data, errors } = validateBody(requestObject(ctx, roleRequest), roleRequest, false);
  if (errors) throw validationError(errors);
  const header = ctx.headers["x-doover-organisation"];
  const orgId = (Array.isArray(header) ? header[0] : header)?.trim() || ctx.store.organisationId;
  if (!findOrganisation(ctx.store, orgId))
    throw new ApiError(403, { detail: "You do not have permission to perform this action." });
  const r: GroupRoleRecord = { id: ctx.store.ids.next(), organisation_id: orgId, archived: false, fields: data };
  ctx.store.data.group_roles.push(r);
  ctx.store.save();
  return ok(presentRole(ctx.store, r), 201);
};

function updateRole(partial: boolean): Handler {
  return (ctx) => {
    const r = roleOf(ctx);
    const { data, errors } = validateBody(requestObject(ctx, roleRequest), roleRequest, partial);
    if (errors) throw validationError(errors);
    r.fields = { ...r.fields, ...data };
    ctx.store.save();
    return ok(presentRole(ctx.store, r));
  };
}

export const putRole = updateRole(false);
export const patchRole = updateRole(true);

/** A role still held by someone cannot go (as a protected foreign key would refuse). */
export const deleteRole: Handler = (ctx) => {
  const r = roleOf(ctx);
  const held = ctx.store.data.group_permissions.filter((p) => p.role_id === r.id).length;
  if (held) {
    const msg = `Role "${String(r.fields.name)}" is held by ${held} group member(s); change their role first.`;
    throw new ApiError(400, { detail: msg, error: { non_field_errors: [msg] } });
  }
  ctx.store.data.group_roles = ctx.store.data.group_roles.filter((x) => x !== r);
  ctx.store.save();
  return { status: 204 };
};

function setRoleArchived(archived: boolean): Handler {
  return (ctx) => {
    const r = roleOf(ctx);
    r.archived = archived;
    ctx.store.save();
    return ok(presentRole(ctx.store, r));
  };
}

export const archiveRole = setRoleArchived(true);
export const unarchiveRole = setRoleArchived(false);

// ---- group members

const memberRequest: BodySchema = {
  fields: { user_id: { type: "id", minLength: 1 }, role_id: { type: "id", minLength: 1 } },
  required: ["role_id", "user_id"],
};

/** PermissionUserSerializerDetail of a stand-in user. */
function user(id: string) {
  return {
    id,
    username: `user_${id}`,
    email: `user_${id}@emulator.invalid`,
    first_name: "",
    last_name: "",
    last_activity: null,
  };
}

function presentMember(store: Store, p: GroupPermissionRecord) {
  const g = findGroup(store, p.group_id)!;
  return {
    group: { id: g.id, name: g.name },
    user: user(p.user_id),
    role: presentRole(store, store.data.group_roles.find((r) => r.id === p.role_id)!),
  };
}

function groupOfPath(ctx: RequestContext) {
  const g = findGroup(ctx.store, ctx.params.parent_lookup_group);
  if (!g) throw notFound("No Group matches the given query.");
  return g;
}

/** The spec lists only search and ordering for a group's members. */
export const memberListSpec: ListSpec<GroupPermissionRecord> = {
  filters: {},
  search: [(p) => `user_${p.user_id}`],
  ordering: { user: (p) => p.user_id, role: (p) => p.role_id },
};

export const listMembers: Handler = (ctx) => {
  applyListQuery(ctx, [], memberListSpec);
  const g = groupOfPath(ctx);
  const mine = ctx.store.data.group_permissions.filter((p) => p.group_id === g.id);
  return paginate(ctx, applyListQuery(ctx, mine, memberListSpec), (p) => presentMember(ctx.store, p));
};

function checkMember(ctx: RequestContext, data: Record<string, unknown>): void {
  const errors: Record<string, string[]> = {};
  if (typeof data.user_id === "string" && !/^\d+$/.test(data.user_id))
    errors.user_id = [`Invalid pk "${data.user_id}" - object does not exist.`];
  if (typeof data.role_id === "string" && !ctx.store.data.group_roles.some((r) => r.id === data.role_id))
    errors.role_id = [`Invalid pk "${data.role_id}" - object does not exist.`];
  if (Object.keys(errors).length) throw validationError(errors);
}

export const addMember: Handler = (ctx) => {
  const g = groupOfPath(ctx);
  const { data, errors } = validateBody(requestObject(ctx, memberRequest), memberRequest, false);
  if (errors) throw validationError(errors);
  checkMember(ctx, data);
  if (ctx.store.data.group_permissions.some((p) => p.group_id === g.id && p.user_id === data.user_id))
    throw validationError({ non_field_errors: ["The fields group, user must make a unique set."] });
  const p: GroupPermissionRecord = { group_id: g.id, user_id: data.user_id as string, role_id: data.role_id as string };
  ctx.store.data.group_permissions.push(p);
  ctx.store.save();
  return ok(presentMember(ctx.store, p), 201);
};

function memberOf(ctx: RequestContext): GroupPermissionRecord {
  const g = groupOfPath(ctx);
  const p = ctx.store.data.group_permissions.find((x) => x.group_id === g.id && x.user_id === ctx.params.user);
  if (!p) throw notFound("No GroupPermission matches the given query.");
  return p;
}

export const retrieveMember: Handler = (ctx) => ok(presentMember(ctx.store, memberOf(ctx)));

function updateMember(partial: boolean): Handler {
  return (ctx) => {
    const p = memberOf(ctx);
    const { data, errors } = validateBody(requestObject(ctx, memberRequest), memberRequest, partial);
    if (errors) throw validationError(errors);
    checkMember(ctx, data);
    if ("user_id" in data && data.user_id !== p.user_id)
      throw validationError({ user_id: ["The user cannot change."] });
    if (typeof data.role_id === "string") p.role_id = data.role_id;
    ctx.store.save();
    return ok(presentMember(ctx.store, p));
  };
}

export const putMember = updateMember(false);
export const patchMember = updateMember(true);

export const removeMember: Handler = (ctx) => {
  const p = memberOf(ctx);
  ctx.store.data.group_permissions = ctx.store.data.group_permissions.filter((x) => x !== p);
  ctx.store.save();
  return { status: 204 };
};
