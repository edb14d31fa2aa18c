// /applications/ family: list, create, retrieve, PUT, PATCH, archive, unarchive. No DELETE (archive instead).

import { slimConfigProfile } from "./config-profiles";
import { type Handler, ok, type RequestContext } from "./context";
import {
  basicOrganisation,
  findOrganisation,
  presentRegistry,
  resolveOrganisation,
  resolveRegistry,
} from "./directory";
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
import { describeUpload, requestObject, requiredFile, type UploadedFile } from "./form-data";
import { paginate } from "./pagination";
import { APPLICATION_TYPES, APPLICATION_VISIBILITIES, applicationRequest } from "./schemas";
import type { Store } from "./store";
import type { ApplicationRecord } from "./types";
import { upsertApplication } from "./upserts";
import { validateBody } from "./validation";

// Server-side defaults for optional fields the client did not send.
const DEFAULTS: Record<string, unknown> = {
  long_description: "",
  allow_many: false,
  config_schema: null,
  ui_schema: null,
  tag_schema: null,
  notification_schema: null,
  stars: 0,
  deployment_data: null,
  image_name: null,
  lambda_arn: null,
  lambda_config: null,
  icon_url: null,
  banner_url: null,
  repository_url: null,
};

export function presentApplication(store: Store, app: ApplicationRecord) {
  const f = { ...DEFAULTS, ...app.fields };
  const org = findOrganisation(store, app.organisation_id)!;
  const registry = app.container_registry_profile_id
    ? store.data.registries.find((r) => r.id === app.container_registry_profile_id)
    : undefined;
  return {
    id: app.id,
    archived: app.archived,
    name: f.name,
    display_name: f.display_name,
    description: f.description,
    long_description: f.long_description,
    type: f.type,
    visibility: f.visibility,
    allow_many: f.allow_many,
    config_schema: f.config_schema,
    ui_schema: f.ui_schema,
    tag_schema: f.tag_schema,
    notification_schema: f.notification_schema,
    depends_on: f.depends_on,
    organisation: basicOrganisation(org),
    approx_installs: approxInstalls(store, app),
    stars: f.stars,
    container_registry_profile: registry ? presentRegistry(registry) : null,
    deployment_data: f.deployment_data,
    image_name: f.image_name,
    lambda_arn: f.lambda_arn,
    lambda_config: f.lambda_config,
    config_profiles: store.data.config_profiles.filter((p) => p.application_id === app.id).map(slimConfigProfile),
    icon_url: f.icon_url,
    banner_url: f.banner_url,
    repository_url: f.repository_url,
  };
}

function findApplication(ctx: RequestContext): ApplicationRecord {
  const app = ctx.store.data.applications.find((a) => a.id === ctx.params.id);
  if (!app) throw notFound();
  return app;
}

function registryId(ctx: RequestContext, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const id = String(value);
  if (!resolveRegistry(ctx.store, id)) {
    const msg = `Invalid pk "${id}" - object does not exist.`;
    throw validationError({ container_registry_profile_id: [msg] });
  }
  return id;
}

/** Names are globally unique; archived applications keep theirs. */
function assertNameFree(ctx: RequestContext, name: unknown, selfId?: string): void {
  if (typeof name !== "string") return;
  if (ctx.store.data.applications.some((a) => a.fields.name === name && a.id !== selfId)) {
    throw new ApiError(409, {
      detail: `An application named "${name}" already exists.`,
      error: { name: ["application with this name already exists."] },
    });
  }
}

/** Validated data minus the two write-only ids (the record keeps those itself). */
function writableFields(data: Record<string, unknown>): Record<string, unknown> {
  const { organisation_id: _o, container_registry_profile_id: _c, ...rest } = data;
  return rest;
}

/** Live (not archived) installs of the application: exact here, "approximate" on the real service. */
function approxInstalls(store: Store, app: ApplicationRecord): number {
  let n = 0;
  for (const i of store.data.app_installs) if (i.application_id === app.id && !i.archived) n++;
  return n;
}

/** Every query parameter the spec lists for GET /applications/ (checked by tests/emulator-filters.test.ts). */
export function applicationListSpec(store: Store): ListSpec<ApplicationRecord> {
  const field = (name: string) => (a: ApplicationRecord) => ({ ...DEFAULTS, ...a.fields })[name];
  return {
    filters: {
      id: idFilter((a) => a.id),
      ...textFilters("name", field("name")),
      ...textFilters("display_name", field("display_name")),
      ...textFilters("description", field("description")),
      type: choiceFilter(field("type"), APPLICATION_TYPES),
      visibility: choiceFilter(field("visibility"), APPLICATION_VISIBILITIES),
      archived: boolFilter((a) => a.archived),
      allow_many: boolFilter(field("allow_many")),
      ...numberFilters("stars", field("stars")),
      ...numberFilters("approx_installs", (a) => approxInstalls(store, a)),
      ...referenceFilters("organisation", (a) => a.organisation_id, {
        isnull: true,
      }),
      ...referenceFilters("container_registry_profile", (a) => a.container_registry_profile_id),
    },
    search: [field("name"), field("display_name"), field("description")],
    ordering: {
      id: (a) => a.id,
      name: field("name"),
      display_name: field("display_name"),
      description: field("description"),
      type: field("type"),
      visibility: field("visibility"),
      archived: (a) => a.archived,
      allow_many: field("allow_many"),
      stars: field("stars"),
      approx_installs: (a) => approxInstalls(store, a),
    },
  };
}

export const listApplications: Handler = (ctx) => {
  const items = applyListQuery(ctx, ctx.store.data.applications, applicationListSpec(ctx.store));
  return paginate(ctx, items, (a) => presentApplication(ctx.store, a));
};

export const createApplication: Handler = (ctx) => {
  const body = requestObject(ctx, applicationRequest);
  const upserted = upsertApplication(ctx, body, patchApplication); // a taken name (see upserts.ts)
  if (upserted) return upserted;
  const { data, errors } = validateBody(body, applicationRequest, false);
  if (errors) throw validationError(errors);
  const org = resolveOrganisation(ctx, data.organisation_id);
  const crp = registryId(ctx, data.container_registry_profile_id);
  assertNameFree(ctx, data.name);
  const app: ApplicationRecord = {
    id: ctx.store.ids.next(),
    archived: false,
    organisation_id: org.id,
    container_registry_profile_id: crp,
    fields: writableFields(data),
  };
  ctx.store.data.applications.push(app);
  ctx.store.save();
  return ok(presentApplication(ctx.store, app), 201);
};

export const retrieveApplication: Handler = (ctx) => ok(presentApplication(ctx.store, findApplication(ctx)));

function update(ctx: RequestContext, partial: boolean) {
  const app = findApplication(ctx);
  const { data, errors } = validateBody(requestObject(ctx, applicationRequest), applicationRequest, partial);
  if (errors) throw validationError(errors);
  let orgId = app.organisation_id;
  if (typeof data.organisation_id === "string") orgId = resolveOrganisation(ctx, data.organisation_id).id;
  const crp =
    "container_registry_profile_id" in data
      ? registryId(ctx, data.container_registry_profile_id)
      : app.container_registry_profile_id;
  assertNameFree(ctx, data.name, app.id);
  app.organisation_id = orgId;
  app.container_registry_profile_id = crp;
  // Like DRF, PUT differs from PATCH only in requiring the required fields: omitted optional ones stay.
  app.fields = { ...app.fields, ...writableFields(data) };
  // doover-cli's artwork upload: icon/banner files on a multipart PATCH. The spec has no
  // such fields (DRF would ignore them); kept as upload records, the response is unchanged.
  for (const kind of ARTWORK) {
    const file = ctx.form?.files.get(kind)?.at(-1);
    if (file) keepUpload(app, kind, file);
  }
  ctx.store.save();
  return ok(presentApplication(ctx.store, app));
}

const ARTWORK = ["icon", "banner"] as const;

function keepUpload(app: ApplicationRecord, kind: string, file: UploadedFile): void {
  app.uploads = { ...app.uploads, [kind]: describeUpload(file) };
}

/** Only these types run a processor package (doover-cli's PACKAGE_APP_TYPES). */
const PACKAGE_TYPES = new Set(["PRO", "REP", "INT"]);

function upload(kind: "processor_source" | "widget", check?: (app: ApplicationRecord) => void): Handler {
  return (ctx) => {
    const app = findApplication(ctx);
    if (!ctx.form)
      throw new ApiError(415, {
        detail: `Unsupported media type "${ctx.headers["content-type"] ?? ""}" in request.`,
      });
    const file = requiredFile(ctx, "file");
    check?.(app);
    keepUpload(app, kind, file);
    ctx.store.save();
    return { status: 200 }; // the spec: "No response body"
  };
}

/** PUT /applications/{id}/processor_source/: multipart `file` (the processor's package.zip). */
export const putProcessorSource = upload("processor_source", (app) => {
  const type = String(app.fields.type);
  if (!PACKAGE_TYPES.has(type)) {
    const msg = `A ${type} application has no processor source; only ${[...PACKAGE_TYPES].join(", ")} applications take one.`;
    throw new ApiError(400, { detail: msg, error: { file: [msg] } });
  }
});

/** PUT /applications/{id}/widget/: multipart `file` (the built widget bundle). */
export const putWidget = upload("widget");

export const putApplication: Handler = (ctx) => update(ctx, false);
export const patchApplication: Handler = (ctx) => update(ctx, true);

function setArchived(archived: boolean): Handler {
  return (ctx) => {
    const app = findApplication(ctx);
    app.archived = archived;
    ctx.store.save();
    return ok(presentApplication(ctx.store, app));
  };
}

export const archiveApplication = setArchived(true);
export const unarchiveApplication = setArchived(false);
