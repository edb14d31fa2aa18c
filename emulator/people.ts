// Users, organisation users, pending users (invitations), organisation roles and the agents overview: the
// paths doover-cli 0.7.1 calls for `doover user …`, `doover org users|pending-users|roles …` and `doover agent
// list`. Seeded on first use: the token's own user (member of the organisation with the Admin role), the roles
// Admin and Member, and one group role for the root group.

import { randomUUID } from "node:crypto";
import { type Handler, objectBody, ok, type RequestContext } from "./context";
import { findDeviceType } from "./device-types";
import { basicOrganisation, findOrganisation, presentOrganisation } from "./directory";
import { ApiError, type FieldErrors, notFound, validationError } from "./errors";
import { applyListQuery, boolFilter, idFilter, type ListSpec, referenceFilters, textFilters } from "./filters";
import { ROLE_PERMISSIONS } from "./group-roles";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { OrganisationRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

export interface UserRecord {
  id: string;
  fusionauth_id: string;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  custom_data: unknown;
  last_synced: number | null;
}

export interface RoleRecord {
  id: string;
  organisation_id: string;
  name: string;
  description: string;
  /** every permission flag true (Admin) or only the `*_view` ones (Member) */
  admin: boolean;
}

export interface MembershipRecord {
  organisation_id: string;
  user_id: string;
  role_id: string | null;
}

export interface PendingUserRecord {
  id: string;
  organisation_id: string;
  email: string;
  message: string | null;
  created_ms: number;
}

/** The data this module keeps in the store (created on first use). */
export interface PeopleData {
  me: string;
  users: UserRecord[];
  roles: RoleRecord[];
  memberships: MembershipRecord[];
  pending: PendingUserRecord[];
  group_role: { id: string; name: string };
}

const ROLE_FLAGS = [
  "billing_manager",
  "applications_manage",
  "applications_view",
  "device_types_manage",
  "device_types_view",
  "user_permissions_manage",
  "users_manage",
  "users_view",
  "users_invite",
  "reports_create",
  "integrations_manage",
  "theme_manage",
  "domains_manage",
  "conatiner_registry_profile_manage", // sic: the spec's spelling
  "conatiner_registry_profile_view",
  "access_site",
];

/** The module's data, seeded the first time it is needed (and again after a reset). */
export function people(store: Store): PeopleData {
  const data = store.data as typeof store.data & { people?: PeopleData };
  if (data.people) return data.people;
  const org = store.data.organisations[0];
  const me: UserRecord = {
    id: store.ids.next(),
    fusionauth_id: randomUUID(),
    username: "emulated_user",
    email: "user@emulator.doover.local",
    first_name: "Emulated",
    last_name: "User",
    custom_data: null,
    last_synced: null,
  };
  const admin: RoleRecord = {
    id: store.ids.next(),
    organisation_id: org.id,
    name: "Admin",
    description: "Every permission",
    admin: true,
  };
  const member: RoleRecord = {
    id: store.ids.next(),
    organisation_id: org.id,
    name: "Member",
    description: "View only",
    admin: false,
  };
  data.people = {
    me: me.id,
    users: [me],
    roles: [admin, member],
    memberships: [{ organisation_id: org.id, user_id: me.id, role_id: admin.id }],
    pending: [],
    group_role: { id: store.ids.next(), name: "Group admin" },
  };
  return data.people;
}

// ---- presentation

function permissionUser(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    first_name: u.first_name,
    last_name: u.last_name,
    last_activity: null,
  };
}

function presentRole(store: Store, r: RoleRecord) {
  const p = people(store);
  const org = findOrganisation(store, r.organisation_id)!;
  const flags = Object.fromEntries(ROLE_FLAGS.map((f) => [f, r.admin || f.endsWith("_view") || f === "access_site"]));
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    organisation: basicOrganisation(org),
    default_root_group_role: { ...p.group_role },
    archived: false,
    ...flags,
  };
}

function presentGroupRole(store: Store) {
  const p = people(store);
  const org = store.data.organisations[0];
  return {
    ...p.group_role,
    description: "Every group permission",
    organisation: basicOrganisation(org),
    archived: false,
    ...Object.fromEntries(ROLE_PERMISSIONS.map((f) => [f, true])),
  };
}

function presentUser(store: Store, u: UserRecord, org: OrganisationRecord | undefined) {
  const membership = org && people(store).memberships.find((m) => m.user_id === u.id && m.organisation_id === org.id);
  const role = membership?.role_id ? people(store).roles.find((r) => r.id === membership.role_id) : undefined;
  return {
    id: u.id,
    fusionauth_id: u.fusionauth_id,
    username: u.username,
    email: u.email,
    first_name: u.first_name,
    last_name: u.last_name,
    is_superuser: false,
    organisation_info: membership ? { role: role ? { id: role.id, name: role.name } : null } : null,
    custom_data: u.custom_data,
    last_synced: u.last_synced,
    last_login: null,
  };
}

function presentMembership(store: Store, m: MembershipRecord) {
  const p = people(store);
  const user = p.users.find((u) => u.id === m.user_id)!;
  const role = p.roles.find((r) => r.id === m.role_id) ?? p.roles[p.roles.length - 1];
  return { organisation: m.organisation_id, user: permissionUser(user), role: presentRole(store, role) };
}

function presentPending(store: Store, x: PendingUserRecord) {
  return {
    id: x.id,
    email: x.email,
    organisation: presentOrganisation(findOrganisation(store, x.organisation_id)!),
    created_at: new Date(x.created_ms).toISOString(),
    message: x.message,
    last_invited: new Date(x.created_ms).toISOString(),
  };
}

// ---- lookups

/** The organisation a request acts for: X-Doover-Organisation, else the emulator's organisation. */
function actingOrganisation(ctx: RequestContext): OrganisationRecord {
  const header = ctx.headers["x-doover-organisation"];
  const id = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!id) return ctx.store.data.organisations[0];
  const org = findOrganisation(ctx.store, id);
  if (!org) throw new ApiError(403, { detail: "You do not have permission to perform this action." });
  return org;
}

function findUser(ctx: RequestContext, key: string): UserRecord {
  const u = people(ctx.store).users.find((x) => x.id === key || x.email.toLowerCase() === key.toLowerCase());
  if (!u) throw notFound();
  return u;
}

function findMembership(ctx: RequestContext): MembershipRecord {
  const org = actingOrganisation(ctx);
  const user = findUser(ctx, ctx.params.user ?? ctx.params.parent_lookup_user);
  const m = people(ctx.store).memberships.find((x) => x.user_id === user.id && x.organisation_id === org.id);
  if (!m) throw notFound();
  return m;
}

// ---- list specs (the query parameters the spec lists for each list)

export const userListSpec: ListSpec<UserRecord> = {
  filters: {},
  search: [(u) => u.username, (u) => u.email, (u) => u.first_name, (u) => u.last_name],
  ordering: { id: (u) => BigInt(u.id), username: (u) => u.username, email: (u) => u.email },
};

export const membershipListSpec = (store: Store): ListSpec<MembershipRecord> => {
  const user = (m: MembershipRecord) => people(store).users.find((u) => u.id === m.user_id)!;
  return {
    filters: {},
    search: [(m) => user(m).username, (m) => user(m).email],
    ordering: { user: (m) => user(m).username, email: (m) => user(m).email },
  };
};

export const roleListSpec: ListSpec<RoleRecord> = {
  filters: {
    id: idFilter((r) => r.id),
    ...textFilters("name", (r) => r.name),
    archived: boolFilter(() => false),
    ...referenceFilters("organisation", (r) => r.organisation_id, { isnull: true }),
  },
  search: [(r) => r.name, (r) => r.description],
  ordering: { id: (r) => BigInt(r.id), name: (r) => r.name },
};

export const pendingListSpec: ListSpec<PendingUserRecord> = {
  filters: {},
  search: [(x) => x.email],
  ordering: { created_at: (x) => x.created_ms, email: (x) => x.email },
};

/** Group memberships of a user: the emulator has one group (the root) and one group role. */
export const groupPermissionListSpec: ListSpec<unknown> = {
  filters: {},
  search: [() => ""],
  ordering: { group: () => 0 },
};

// ---- request bodies

const customData: BodySchema = { fields: { custom_data: { type: "any" } }, required: [] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const membershipRequest: BodySchema = {
  fields: {
    user_email: {
      type: "string",
      minLength: 1,
      maxLength: 254,
      pattern: EMAIL,
      patternMessage: "Enter a valid email address.",
    },
    role_id: { type: "id", minLength: 1, nullable: true },
    add_to_group: { type: "any" },
  },
  required: ["role_id", "user_email"],
};

const pendingRequest: BodySchema = {
  fields: {
    email: {
      type: "string",
      minLength: 1,
      maxLength: 254,
      pattern: EMAIL,
      patternMessage: "Enter a valid email address.",
    },
    organisation_id: { type: "id", minLength: 1 },
    message: { type: "string", nullable: true },
  },
  required: ["email", "organisation_id"],
};

function checkRole(ctx: RequestContext, org: OrganisationRecord, roleId: unknown, errors: FieldErrors): void {
  if (roleId === undefined || roleId === null) return;
  if (!people(ctx.store).roles.some((r) => r.id === String(roleId) && r.organisation_id === org.id))
    errors.role_id = [`Invalid pk "${String(roleId)}" - object does not exist.`];
}

function checkGroups(ctx: RequestContext, groups: unknown, errors: FieldErrors): void {
  if (groups === undefined) return;
  const root = ctx.store.data.organisations.map((o) => o.root_group.id);
  const role = people(ctx.store).group_role.id;
  const ok =
    Array.isArray(groups) &&
    groups.every(
      (g) =>
        typeof g === "object" &&
        g !== null &&
        root.includes(String((g as Record<string, unknown>).group_id)) &&
        String((g as Record<string, unknown>).role_id) === role,
    );
  if (!ok) errors.add_to_group = ["Each entry needs an existing group_id and group role_id."];
}

/** The user with this email, made (as if they had signed up) when there is none. */
function userFor(store: Store, email: string): UserRecord {
  const p = people(store);
  const found = p.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
  if (found) return found;
  const local = email.split("@")[0].replace(/[^\w.@+-]/g, "_");
  const made: UserRecord = {
    id: store.ids.next(),
    fusionauth_id: randomUUID(),
    username: local || `user_${p.users.length}`,
    email,
    first_name: "",
    last_name: "",
    custom_data: null,
    last_synced: null,
  };
  p.users.push(made);
  return made;
}

// ---- handlers: /users/

export const listUsers: Handler = (ctx) =>
  paginate(ctx, applyListQuery(ctx, people(ctx.store).users, userListSpec), (u) =>
    presentUser(ctx.store, u, actingOrganisation(ctx)),
  );

export const retrieveUser: Handler = (ctx) =>
  ok(presentUser(ctx.store, findUser(ctx, ctx.params.id), actingOrganisation(ctx)));

/**
 * GET /users/me/: 200 with no body. The spec documents no body for it and pydoover 1.18.3 reads none
 * (`response_kind="none"`: `doover user me` prints nothing), so the emulator sends none either.
 */
export const me: Handler = (ctx) => {
  actingOrganisation(ctx);
  return { status: 200 };
};

function updateUser(sync: boolean): Handler {
  return (ctx) => {
    const user = findUser(ctx, ctx.params.id);
    const { data, errors } = validateBody(objectBody(ctx), customData, true);
    if (errors) throw validationError(errors);
    if ("custom_data" in data) user.custom_data = data.custom_data;
    if (sync) user.last_synced = Math.floor(Date.now() / 1000);
    ctx.store.save();
    return ok(presentUser(ctx.store, user, actingOrganisation(ctx)));
  };
}

export const patchUser = updateUser(false);
/** POST /users/{id}/sync/: stores `custom_data` and marks the user synced (with the identity provider). */
export const syncUser = updateUser(true);

// ---- handlers: /organisations/users/

export const listMemberships: Handler = (ctx) => {
  const org = actingOrganisation(ctx);
  const mine = people(ctx.store).memberships.filter((m) => m.organisation_id === org.id);
  return paginate(ctx, applyListQuery(ctx, mine, membershipListSpec(ctx.store)), (m) =>
    presentMembership(ctx.store, m),
  );
};

export const createMembership: Handler = (ctx) => {
  const org = actingOrganisation(ctx);
  const { data, errors = {} } = validateBody(objectBody(ctx), membershipRequest, false);
  checkRole(ctx, org, data.role_id, errors);
  checkGroups(ctx, data.add_to_group, errors);
  if (Object.keys(errors).length) throw validationError(errors);
  const user = userFor(ctx.store, String(data.user_email));
  const p = people(ctx.store);
  if (p.memberships.some((m) => m.user_id === user.id && m.organisation_id === org.id)) {
    throw new ApiError(409, { detail: `${user.email} is already a user of this organisation.` });
  }
  const m: MembershipRecord = { organisation_id: org.id, user_id: user.id, role_id: (data.role_id as string) ?? null };
  p.memberships.push(m);
  ctx.store.save();
  return ok(presentMembership(ctx.store, m), 201);
};

export const retrieveMembership: Handler = (ctx) => ok(presentMembership(ctx.store, findMembership(ctx)));

export const patchMembership: Handler = (ctx) => {
  const m = findMembership(ctx);
  const org = actingOrganisation(ctx);
  const { data, errors = {} } = validateBody(objectBody(ctx), membershipRequest, true);
  checkRole(ctx, org, data.role_id, errors);
  checkGroups(ctx, data.add_to_group, errors);
  if (typeof data.user_email === "string" && data.user_email !== findUser(ctx, m.user_id).email)
    errors.user_email = ["The user of a membership cannot be changed."];
  if (Object.keys(errors).length) throw validationError(errors);
  if ("role_id" in data) m.role_id = (data.role_id as string | null) ?? null;
  ctx.store.save();
  return ok(presentMembership(ctx.store, m));
};

export const deleteMembership: Handler = (ctx) => {
  const m = findMembership(ctx);
  const p = people(ctx.store);
  if (m.user_id === p.me) throw new ApiError(400, { detail: "You cannot remove yourself from the organisation." });
  p.memberships = p.memberships.filter((x) => x !== m);
  ctx.store.save();
  return { status: 204 };
};

/** GET /organisations/users/{u}/groups/: the root group with the group role (every member has it here). */
export const listUserGroups: Handler = (ctx) => {
  applyListQuery(ctx, [], groupPermissionListSpec); // a bad query is a 400 before the parent's 404
  const m = findMembership(ctx);
  const org = findOrganisation(ctx.store, m.organisation_id)!;
  const user = findUser(ctx, m.user_id);
  const rows = applyListQuery(ctx, [{}], groupPermissionListSpec);
  return paginate(ctx, rows, () => ({
    group: { id: org.root_group.id, name: org.root_group.name },
    user: permissionUser(user),
    role: presentGroupRole(ctx.store),
  }));
};

// ---- handlers: /organisations/pending_users/

function findPending(ctx: RequestContext): PendingUserRecord {
  const org = actingOrganisation(ctx);
  const x = people(ctx.store).pending.find((p) => p.id === ctx.params.id && p.organisation_id === org.id);
  if (!x) throw notFound();
  return x;
}

export const listPending: Handler = (ctx) => {
  const org = actingOrganisation(ctx);
  const mine = people(ctx.store).pending.filter((x) => x.organisation_id === org.id);
  return paginate(ctx, applyListQuery(ctx, mine, pendingListSpec), (x) => presentPending(ctx.store, x));
};

export const createPending: Handler = (ctx) => {
  const { data, errors = {} } = validateBody(objectBody(ctx), pendingRequest, false);
  const org = typeof data.organisation_id === "string" ? findOrganisation(ctx.store, data.organisation_id) : undefined;
  if (typeof data.organisation_id === "string" && !org)
    errors.organisation_id = [`Invalid pk "${data.organisation_id}" - object does not exist.`];
  if (Object.keys(errors).length) throw validationError(errors);
  const x: PendingUserRecord = {
    id: ctx.store.ids.next(),
    organisation_id: org!.id,
    email: String(data.email),
    message: (data.message as string | null | undefined) ?? null,
    created_ms: Date.now(),
  };
  people(ctx.store).pending.push(x);
  ctx.store.save();
  return ok(presentPending(ctx.store, x), 201);
};

export const retrievePending: Handler = (ctx) => ok(presentPending(ctx.store, findPending(ctx)));

export const deletePending: Handler = (ctx) => {
  const x = findPending(ctx);
  const p = people(ctx.store);
  p.pending = p.pending.filter((y) => y !== x);
  ctx.store.save();
  return { status: 204 };
};

/**
 * POST …/approve/ and …/reject/: the invitation is answered and removed; approving makes the person a user of
 * the organisation (Member). doover-cli sends `{}` (the spec's required fields are not sent): the body is ignored.
 */
function answerPending(approve: boolean): Handler {
  return (ctx) => {
    const x = findPending(ctx);
    const p = people(ctx.store);
    const shown = presentPending(ctx.store, x);
    if (approve) {
      const user = userFor(ctx.store, x.email);
      if (!p.memberships.some((m) => m.user_id === user.id && m.organisation_id === x.organisation_id)) {
        const member = p.roles.find((r) => r.organisation_id === x.organisation_id && !r.admin);
        p.memberships.push({ organisation_id: x.organisation_id, user_id: user.id, role_id: member?.id ?? null });
      }
    }
    p.pending = p.pending.filter((y) => y !== x);
    ctx.store.save();
    return ok(shown);
  };
}

export const approvePending = answerPending(true);
export const rejectPending = answerPending(false);

// ---- handlers: /organisations/roles/

export const listRoles: Handler = (ctx) => {
  const org = actingOrganisation(ctx);
  const mine = people(ctx.store).roles.filter((r) => r.organisation_id === org.id);
  return paginate(ctx, applyListQuery(ctx, mine, roleListSpec), (r) => presentRole(ctx.store, r));
};

export const retrieveRole: Handler = (ctx) => {
  const r = people(ctx.store).roles.find((x) => x.id === ctx.params.id);
  if (!r) throw notFound();
  return ok(presentRole(ctx.store, r));
};

// ---- handlers: /agents/

/**
 * GET /agents/: the organisation's devices as agents, its device groups, its users and superusers
 * (none here). `include-archived` (true/false) adds archived devices.
 */
export const listAgents: Handler = (ctx) => {
  const raw = ctx.query.get("include-archived");
  const unknown = [...ctx.query.keys()].filter((k) => k !== "include-archived");
  const errors: FieldErrors = Object.fromEntries(unknown.map((k) => [k, ["Unknown query parameter."]]));
  if (raw !== null && !["true", "false", "True", "False", "1", "0"].includes(raw))
    errors["include-archived"] = ["Must be a valid boolean."];
  if (Object.keys(errors).length) throw validationError(errors);
  const withArchived = raw !== null && ["true", "True", "1"].includes(raw);
  const org = actingOrganisation(ctx);
  const p = people(ctx.store);
  const devices = ctx.store.data.devices.filter((d) => d.organisation_id === org.id && (withArchived || !d.archived));
  const groups = ctx.store.data.groups.filter((g) => g.organisation_id === org.id && (withArchived || !g.archived));
  // GroupSimpleSerializerDetail: each group with its children nested, from the top of what is visible.
  const visible = new Set(groups.map((g) => g.id));
  const simple = (g: (typeof groups)[number]): Record<string, unknown> => ({
    organisation: org.id,
    children: groups.filter((c) => c.parent_id === g.id).map(simple),
    id: g.id,
    name: g.name,
    archived: g.archived,
    shared: false,
  });
  return ok({
    groups: groups.filter((g) => g.parent_id === null || !visible.has(g.parent_id)).map(simple),
    agents: devices.map((d) => ({
      organisation: org.id,
      id: d.id,
      name: d.name,
      display_name: d.display_name,
      group: d.group_id,
      fa_icon: null,
      fixed_location: null,
      archived: d.archived,
      connection_determination: "Offline",
      type: String(findDeviceType(ctx.store, d.type_id)?.fields.name ?? ""),
    })),
    organisation_users: p.memberships
      .filter((m) => m.organisation_id === org.id)
      .map((m) => presentMembership(ctx.store, m)),
    superusers: [],
    sharing: "none",
  });
};
