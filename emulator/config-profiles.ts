// /applications/{a}/config_profiles/ family: named deployment configs of one application that app installs
// take on through `config_profile_ids`. List, create, retrieve, PUT, PATCH, DELETE.

import { presentApplication } from "./applications";
import { type Handler, objectBody, ok, type RequestContext } from "./context";
import { basicOrganisation, findOrganisation } from "./directory";
import { type FieldErrors, notFound, validationError } from "./errors";
import { applyListQuery, type ListSpec } from "./filters";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { ApplicationRecord, ConfigProfileRecord } from "./types";
import { type BodySchema, validateBody } from "./validation";

/** ApplicationConfigProfileSerializerDetailRequest (Patched*: nothing required). */
export const configProfileRequest: BodySchema = {
  fields: {
    display_name: { type: "string", minLength: 1, maxLength: 255 },
    description: { type: "string", minLength: 1 },
    deployment_config: { type: "any" },
    application_id: { type: "id", minLength: 1 },
  },
  required: ["application_id", "display_name"],
};

/** The spec lists only search and ordering (and pagination) for the profile list. */
export const configProfileListSpec: ListSpec<ConfigProfileRecord> = {
  filters: {},
  search: [(p) => p.fields.display_name, (p) => p.fields.description],
  ordering: { id: (p) => BigInt(p.id), display_name: (p) => p.fields.display_name },
};

/** ApplicationConfigProfileSerializerDetail (also fits the List serializer). */
export function presentConfigProfile(store: Store, p: ConfigProfileRecord) {
  const app = store.data.applications.find((a) => a.id === p.application_id)!;
  return {
    id: p.id,
    organisation: basicOrganisation(findOrganisation(store, p.organisation_id)!),
    display_name: p.fields.display_name,
    description: p.fields.description ?? "",
    deployment_config: p.fields.deployment_config ?? {},
    application: presentApplication(store, app),
  };
}

/** SlimApplicationConfigProfileSerializerDetail: what an app install shows in `config_profiles`. */
export function slimConfigProfile(p: ConfigProfileRecord) {
  return {
    id: p.id,
    organisation: p.organisation_id,
    display_name: p.fields.display_name,
    description: p.fields.description ?? "",
    application: p.application_id,
    deployment_config: p.fields.deployment_config ?? {},
  };
}

/**
 * Errors for an install's `config_profile_ids`: each must name an existing profile of `applicationId`.
 * Returns the ids, deduplicated in order, when there is nothing to report.
 */
export function checkConfigProfileIds(
  store: Store,
  ids: unknown,
  applicationId: string | undefined,
  errors: FieldErrors,
): string[] | undefined {
  if (!Array.isArray(ids)) return undefined;
  const wanted = [...new Set(ids.map(String))];
  for (const id of wanted) {
    const p = store.data.config_profiles.find((x) => x.id === id);
    if (!p) {
      errors.config_profile_ids = [`Invalid pk "${id}" - object does not exist.`];
      return undefined;
    }
    if (applicationId !== undefined && p.application_id !== applicationId) {
      errors.config_profile_ids = [`Config profile "${id}" belongs to another application.`];
      return undefined;
    }
  }
  return wanted;
}

function parentApplication(ctx: RequestContext): ApplicationRecord {
  const app = ctx.store.data.applications.find((a) => a.id === ctx.params.parent_lookup_application);
  if (!app) throw notFound();
  return app;
}

function findProfile(ctx: RequestContext, app: ApplicationRecord): ConfigProfileRecord {
  const p = ctx.store.data.config_profiles.find((x) => x.id === ctx.params.id && x.application_id === app.id);
  if (!p) throw notFound();
  return p;
}

function checkBody(data: Record<string, unknown>, app: ApplicationRecord, errors: FieldErrors): void {
  if (data.application_id !== undefined && data.application_id !== app.id)
    errors.application_id = [`Must be the application of the path (${app.id}).`];
  const c = data.deployment_config;
  if (c !== undefined && c !== null && (typeof c !== "object" || Array.isArray(c)))
    errors.deployment_config = ["Expected a JSON object."];
}

/** GET /applications/{a}/config_profiles/. */
export const listConfigProfiles: Handler = (ctx) => {
  applyListQuery(ctx, [], configProfileListSpec); // a bad query is a 400 before the parent's 404
  const app = parentApplication(ctx);
  const mine = ctx.store.data.config_profiles.filter((p) => p.application_id === app.id);
  return paginate(ctx, applyListQuery(ctx, mine, configProfileListSpec), (p) => presentConfigProfile(ctx.store, p));
};

/** POST /applications/{a}/config_profiles/. */
export const createConfigProfile: Handler = (ctx) => {
  const app = parentApplication(ctx);
  const { data, errors = {} } = validateBody(objectBody(ctx), configProfileRequest, false);
  checkBody(data, app, errors);
  if (Object.keys(errors).length) throw validationError(errors);
  const { application_id: _a, ...fields } = data;
  const profile: ConfigProfileRecord = {
    id: ctx.store.ids.next(),
    application_id: app.id,
    organisation_id: app.organisation_id,
    fields: { ...fields, deployment_config: fields.deployment_config ?? {} },
  };
  ctx.store.data.config_profiles.push(profile);
  ctx.store.save();
  return ok(presentConfigProfile(ctx.store, profile), 201);
};

export const retrieveConfigProfile: Handler = (ctx) =>
  ok(presentConfigProfile(ctx.store, findProfile(ctx, parentApplication(ctx))));

function update(ctx: RequestContext, partial: boolean) {
  const app = parentApplication(ctx);
  const profile = findProfile(ctx, app);
  const { data, errors = {} } = validateBody(objectBody(ctx), configProfileRequest, partial);
  checkBody(data, app, errors);
  if (Object.keys(errors).length) throw validationError(errors);
  const { application_id: _a, ...fields } = data;
  if (fields.deployment_config === null) fields.deployment_config = {};
  profile.fields = { ...profile.fields, ...fields };
  ctx.store.save();
  return ok(presentConfigProfile(ctx.store, profile));
}

export const putConfigProfile: Handler = (ctx) => update(ctx, false);
export const patchConfigProfile: Handler = (ctx) => update(ctx, true);

/** DELETE: the profile goes, and with it its place in every install that had it (a many-to-many row). */
export const deleteConfigProfile: Handler = (ctx) => {
  const profile = findProfile(ctx, parentApplication(ctx));
  ctx.store.data.config_profiles = ctx.store.data.config_profiles.filter((p) => p !== profile);
  for (const i of ctx.store.data.app_installs)
    i.config_profile_ids = i.config_profile_ids.filter((id) => id !== profile.id);
  ctx.store.save();
  return { status: 204 };
};
