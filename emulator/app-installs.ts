// /app_installs/ family: installs of an application on a device (flat, per device and per application
// lists), archive/unarchive, DELETE, and deployments whose status follows the clock:
// QUE for `step_ms`, RUN for `step_ms`, then SUC — or FAI/CAN when a deployment fault says so, and FAI
// when the config does not fit the application's config_schema (as the device would refuse it).

import { createHash } from "node:crypto";
import { validateDeploymentConfig } from "../sdk/deployment-config";
import { checkConfigProfileIds, slimConfigProfile } from "./config-profiles";
import { type Handler, objectBody, ok, type RequestContext } from "./context";
import { basicOrganisation, findDevice, findOrganisation, resolveOrganisation, superBasicDevice } from "./directory";
import { ApiError, type FieldErrors, notFound, validationError } from "./errors";
import {
  applyListQuery,
  boolFilter,
  choiceFilter,
  idFilter,
  type ListSpec,
  referenceFilters,
  textFilters,
} from "./filters";
import { parseLossless } from "./json";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { AppInstallRecord, ApplicationRecord, DeploymentRecord } from "./types";
import { upsertAppInstall } from "./upserts";
import { type BodySchema, validateBody } from "./validation";

/** Deployment status codes, in the spec's `status` filter enum. */
export const DEPLOYMENT_STATUSES = ["QUE", "RUN", "SUC", "FAI", "CAN"] as const;

/** ApplicationInstallationSerializerDetailRequest (Patched*: nothing required). */
export const appInstallRequest: BodySchema = {
  fields: {
    name: { type: "string", minLength: 1, maxLength: 100 },
    display_name: { type: "string", minLength: 1, maxLength: 100 },
    application_id: { type: "id", minLength: 1 },
    device_id: { type: "id", minLength: 1, nullable: true },
    version: { type: "string", nullable: true, maxLength: 20 },
    deployment_config: { type: "any" },
    config_profile_ids: { type: "array", items: { type: "id", minLength: 1 } },
    solution_id: { type: "id", minLength: 1, nullable: true },
  },
  required: ["application_id", "device_id", "display_name"],
};

// ---- presentation

function slimApplication(store: Store, app: ApplicationRecord) {
  const f = app.fields;
  return {
    id: app.id,
    archived: app.archived,
    name: f.name,
    type: f.type,
    display_name: f.display_name,
    description: f.description,
    depends_on: f.depends_on ?? [],
    config_schema: f.config_schema ?? null,
    organisation: basicOrganisation(findOrganisation(store, app.organisation_id)!),
    icon_url: f.icon_url ?? null,
    banner_url: f.banner_url ?? null,
  };
}

function statusOf(d: DeploymentRecord, now: number): DeploymentRecord["outcome"] | "QUE" | "RUN" {
  const elapsed = now - d.created_ms;
  if (elapsed < d.step_ms) return "QUE";
  if (elapsed < 2 * d.step_ms) return "RUN";
  return d.outcome;
}

/** ApplicationDeploymentSerializerDetail of a stored deployment, its status read off the clock. */
export function presentDeployment(store: Store, d: DeploymentRecord) {
  const status = statusOf(d, Date.now());
  const install = store.data.app_installs.find((i) => i.id === d.app_install_id);
  const app = install && store.data.applications.find((a) => a.id === install.application_id);
  const image = (app?.fields.image_name as string | null | undefined) ?? `${String(app?.fields.name ?? "app")}:latest`;
  const lines: string[] = [];
  if (status !== "QUE") lines.push(`Pulling ${image}`, "Writing deployment config");
  if (status === "SUC") lines.push("Container started", "Deployment succeeded");
  if (status === "FAI" || status === "CAN") {
    if (d.log) lines.push(d.log);
    lines.push(status === "FAI" ? "Deployment failed" : "Deployment cancelled");
  }
  return {
    id: d.id,
    app_install: d.app_install_id,
    status,
    created_at: new Date(d.created_ms).toISOString(),
    log_output: lines.length ? lines.join("\n") + "\n" : "",
    deployment_config: d.deployment_config,
    docker_message_id:
      status === "QUE" ? null : createHash("sha256").update(`deployment:${d.id}`).digest("hex").slice(0, 24),
  };
}

function latestDeployment(store: Store, installId: string): DeploymentRecord | undefined {
  let latest: DeploymentRecord | undefined;
  for (const d of store.data.deployments) {
    if (d.app_install_id === installId && (!latest || BigInt(d.id) > BigInt(latest.id))) latest = d;
  }
  return latest;
}

/** ApplicationInstallationSerializerDetail of a stored install. */
export function presentAppInstall(store: Store, i: AppInstallRecord) {
  const app = store.data.applications.find((a) => a.id === i.application_id)!;
  const device = i.device_id ? findDevice(store, i.device_id) : undefined;
  const org = findOrganisation(store, i.organisation_id);
  const latest = latestDeployment(store, i.id);
  const shown = latest ? presentDeployment(store, latest) : null;
  const config = i.fields.deployment_config ?? {};
  const synced =
    shown && shown.status === "SUC" && JSON.stringify(shown.deployment_config) === JSON.stringify(config) ? "OK" : "NO";
  return {
    id: i.id,
    archived: i.archived,
    name: i.fields.name,
    display_name: i.fields.display_name,
    application: slimApplication(store, app),
    organisation: org ? basicOrganisation(org) : null,
    device: device ? superBasicDevice(device) : null,
    version: i.fields.version ?? null,
    managed_by: [],
    deployment_config: config,
    latest_deployment: shown,
    pre_archive_latest_deployment: i.pre_archive_latest_deployment,
    config_profiles: i.config_profile_ids.flatMap((id) => {
      const p = store.data.config_profiles.find((x) => x.id === id);
      return p ? [slimConfigProfile(p)] : [];
    }),
    solution: null,
    solution_id: null,
    template: null,
    synced,
  };
}

// ---- lookups

function findInstall(ctx: RequestContext, id = ctx.params.id): AppInstallRecord {
  const i = ctx.store.data.app_installs.find((x) => x.id === id);
  if (!i) throw notFound();
  return i;
}

/** Names are unique per device (archived installs keep theirs, as archived applications do). */
function assertNameFree(ctx: RequestContext, deviceId: string | null, name: unknown, selfId?: string): void {
  const taken = ctx.store.data.app_installs.find(
    (i) => i.device_id === deviceId && i.fields.name === name && i.id !== selfId,
  );
  if (taken) {
    throw new ApiError(409, {
      detail: `An app install named "${String(name)}" already exists on this device.`,
      error: { name: ["app install with this name already exists on this device."] },
    });
  }
}

/** An application that does not allow many installs can be on a device once (live installs). */
function assertAllowMany(ctx: RequestContext, app: ApplicationRecord, deviceId: string | null): void {
  if (deviceId === null || app.fields.allow_many === true) return;
  if (ctx.store.data.app_installs.some((i) => i.device_id === deviceId && i.application_id === app.id && !i.archived)) {
    throw new ApiError(409, {
      detail: `Application "${String(app.fields.name)}" is already installed on this device and does not allow many installs.`,
    });
  }
}

/** Checks the references of a body; returns the config profile ids to store when they were sent and valid. */
function checkReferences(
  store: Store,
  data: Record<string, unknown>,
  applicationId: string | undefined,
  errors: FieldErrors,
): string[] | undefined {
  const profileIds = checkConfigProfileIds(store, data.config_profile_ids, applicationId, errors);
  if (data.solution_id !== undefined && data.solution_id !== null)
    errors.solution_id = [`Invalid pk "${String(data.solution_id)}" - object does not exist.`];
  if (data.deployment_config !== undefined && data.deployment_config !== null) {
    const c = data.deployment_config;
    if (typeof c !== "object" || Array.isArray(c)) errors.deployment_config = ["Expected a JSON object."];
  }
  return profileIds;
}

// ---- handlers

function latestStatus(store: Store, i: AppInstallRecord): string | undefined {
  const d = latestDeployment(store, i.id);
  return d ? statusOf(d, Date.now()) : undefined;
}

/**
 * The query parameters the spec lists for every install list (flat, per device, per application).
 * `status` is the latest deployment's; the emulator has no solutions or templates, so those match nothing.
 */
export function appInstallListSpec(store: Store): ListSpec<AppInstallRecord> {
  return {
    filters: {
      id: idFilter((i) => i.id),
      archived: boolFilter((i) => i.archived),
      ...referenceFilters("application", (i) => i.application_id),
      ...referenceFilters("device", (i) => i.device_id),
      ...referenceFilters("organisation", (i) => i.organisation_id, { isnull: true }),
      ...referenceFilters("solution", () => null),
      ...referenceFilters("template", () => null),
      ...textFilters("name", (i) => i.fields.name),
      ...textFilters("display_name", (i) => i.fields.display_name),
      ...textFilters("version", (i) => i.fields.version),
      status: choiceFilter((i) => latestStatus(store, i), DEPLOYMENT_STATUSES),
    },
    search: [(i) => i.fields.name, (i) => i.fields.display_name],
    ordering: { id: (i) => BigInt(i.id), name: (i) => i.fields.name, display_name: (i) => i.fields.display_name },
  };
}

/** GET /app_installs/, /devices/{d}/app_installs/ and /applications/{a}/installs/. */
export const listAppInstalls: Handler = (ctx) => {
  const spec = appInstallListSpec(ctx.store);
  applyListQuery(ctx, [], spec); // a bad query is a 400 before the parent's 404, as DRF checks it first here
  let all = ctx.store.data.app_installs;
  const deviceId = ctx.params.parent_lookup_device;
  if (deviceId !== undefined) {
    if (!findDevice(ctx.store, deviceId)) throw notFound();
    all = all.filter((i) => i.device_id === deviceId);
  }
  const appId = ctx.params.parent_lookup_application;
  if (appId !== undefined) {
    if (!ctx.store.data.applications.some((a) => a.id === appId)) throw notFound();
    all = all.filter((i) => i.application_id === appId);
  }
  return paginate(ctx, applyListQuery(ctx, all, spec), (i) => presentAppInstall(ctx.store, i));
};

/** POST /app_installs/. */
export const createAppInstall: Handler = (ctx) => {
  const { data, errors = {} } = validateBody(objectBody(ctx), appInstallRequest, false);
  const app =
    typeof data.application_id === "string"
      ? ctx.store.data.applications.find((a) => a.id === data.application_id)
      : undefined;
  const profileIds = checkReferences(ctx.store, data, app?.id, errors);
  if (typeof data.application_id === "string" && !app)
    errors.application_id = [`Invalid pk "${data.application_id}" - object does not exist.`];
  else if (app?.archived) errors.application_id = ["Cannot install an archived application."];
  const deviceId = typeof data.device_id === "string" ? data.device_id : null;
  const device = deviceId ? findDevice(ctx.store, deviceId) : undefined;
  if (deviceId && !device) errors.device_id = [`Invalid pk "${deviceId}" - object does not exist.`];
  if (Object.keys(errors).length) throw validationError(errors);
  const name = (data.name as string | undefined) ?? (app!.fields.name as string);
  const upserted = upsertAppInstall(ctx, data, name, patchAppInstall); // only with upsertInstalls (upserts.ts)
  if (upserted) return upserted;
  assertNameFree(ctx, deviceId, name);
  assertAllowMany(ctx, app!, deviceId);
  const organisationId = device ? device.organisation_id : resolveOrganisation(ctx, undefined).id;
  const { application_id: _a, device_id: _d, config_profile_ids: _c, ...fields } = data;
  const install: AppInstallRecord = {
    id: ctx.store.ids.next(),
    archived: false,
    application_id: app!.id,
    device_id: deviceId,
    organisation_id: organisationId,
    config_profile_ids: profileIds ?? [],
    pre_archive_latest_deployment: null,
    fields: { ...fields, name, deployment_config: data.deployment_config ?? {} },
  };
  ctx.store.data.app_installs.push(install);
  ctx.store.save();
  return ok(presentAppInstall(ctx.store, install), 201);
};

export const retrieveAppInstall: Handler = (ctx) => ok(presentAppInstall(ctx.store, findInstall(ctx)));

function update(ctx: RequestContext, partial: boolean) {
  const install = findInstall(ctx);
  const { data, errors = {} } = validateBody(objectBody(ctx), appInstallRequest, partial);
  const profileIds = checkReferences(ctx.store, data, install.application_id, errors);
  if (typeof data.application_id === "string" && data.application_id !== install.application_id)
    errors.application_id = ["Application cannot be changed after installation."];
  if ("device_id" in data && data.device_id !== install.device_id)
    errors.device_id = ["Device cannot be changed after installation."];
  if (Object.keys(errors).length) throw validationError(errors);
  if (typeof data.name === "string") assertNameFree(ctx, install.device_id, data.name, install.id);
  const { application_id: _a, device_id: _d, config_profile_ids: _c, ...fields } = data;
  if (fields.deployment_config === null) fields.deployment_config = {};
  install.fields = { ...install.fields, ...fields };
  if (profileIds) install.config_profile_ids = profileIds; // absent: left as is (DRF skips unsent fields)
  ctx.store.save();
  return ok(presentAppInstall(ctx.store, install));
}

export const putAppInstall: Handler = (ctx) => update(ctx, false);
export const patchAppInstall: Handler = (ctx) => update(ctx, true);

/**
 * POST /app_installs/{id}/sync_config_profiles/ (also under /applications/{a}/installs/{id}/): the whole install
 * request, as doover-cli's `app-install sync-config-profiles` sends it (the current install plus, optionally,
 * new `config_profile_ids`), validated and applied like a PUT; 200 with the install. The spec publishes no more
 * than that (and doover-cli's `app-install update --config-profile-id` changes profiles with a PATCH instead).
 */
export const syncConfigProfiles: Handler = (ctx) => {
  const appId = ctx.params.parent_lookup_application;
  if (appId !== undefined && findInstall(ctx).application_id !== appId) throw notFound();
  return update(ctx, false);
};

/** DELETE /app_installs/{id}/: the install and its deployments. */
export const deleteAppInstall: Handler = (ctx) => {
  const install = findInstall(ctx);
  ctx.store.data.app_installs = ctx.store.data.app_installs.filter((i) => i !== install);
  ctx.store.data.deployments = ctx.store.data.deployments.filter((d) => d.app_install_id !== install.id);
  ctx.store.save();
  return { status: 204 };
};

function setArchived(archived: boolean): Handler {
  return (ctx) => {
    const install = findInstall(ctx);
    if (archived && !install.archived)
      install.pre_archive_latest_deployment = latestDeployment(ctx.store, install.id)?.id ?? null;
    if (!archived && install.archived) {
      // Coming back must not make a second live install of an app that does not allow many.
      const app = ctx.store.data.applications.find((a) => a.id === install.application_id)!;
      assertAllowMany(ctx, app, install.device_id);
    }
    install.archived = archived;
    ctx.store.save();
    return ok(presentAppInstall(ctx.store, install));
  };
}

export const archiveAppInstall = setArchived(true);
export const unarchiveAppInstall = setArchived(false);

// ---- deployments

function installOfPath(ctx: RequestContext): AppInstallRecord {
  return findInstall(ctx, ctx.params.parent_lookup_app_install);
}

/** The spec lists only search and ordering for deployments. */
export const deploymentListSpec: ListSpec<DeploymentRecord> = {
  filters: {},
  search: [(d) => statusOf(d, Date.now())],
  ordering: {
    id: (d) => BigInt(d.id),
    created_at: (d) => d.created_ms,
    status: (d) => statusOf(d, Date.now()),
  },
};

export const listDeployments: Handler = (ctx) => {
  applyListQuery(ctx, [], deploymentListSpec);
  const install = installOfPath(ctx);
  const mine = ctx.store.data.deployments
    .filter((d) => d.app_install_id === install.id)
    .sort((a, b) => (BigInt(a.id) > BigInt(b.id) ? -1 : 1)); // newest first unless ordering says otherwise
  const items = applyListQuery(ctx, mine, deploymentListSpec);
  return paginate(ctx, items, (d) => presentDeployment(ctx.store, d));
};

/** POST /app_installs/{id}/deployments/: a deployment of the current config (a deployment fault shapes it). */
export const createDeployment: Handler = (ctx) => {
  const install = installOfPath(ctx);
  if (install.archived) {
    throw new ApiError(400, {
      detail: "Cannot deploy an archived app install.",
      error: { non_field_errors: ["Cannot deploy an archived app install."] },
    });
  }
  const app = ctx.store.data.applications.find((a) => a.id === install.application_id)!;
  const config = install.fields.deployment_config ?? {};
  // An armed deployment fault first, then the per-device outcomes (deployment-outcomes.ts).
  const fault =
    ctx.faults?.takeDeployment(ctx.path) ?? ctx.store.deploymentOutcomes.forDeployment(install.device_id, config);
  let outcome: DeploymentRecord["outcome"] = fault?.status ?? "SUC";
  let log = fault?.log ?? "";
  if (outcome === "SUC") {
    const { problems } = validateDeploymentConfig(app.fields.config_schema, config);
    if (problems.length) {
      outcome = "FAI";
      log = problems.map((p) => `config ${p.pointer || "(root)"}: ${p.message}`).join("\n");
    }
  }
  const d: DeploymentRecord = {
    id: ctx.store.ids.next(),
    app_install_id: install.id,
    created_ms: Date.now(),
    step_ms: fault?.stepMs ?? ctx.store.deploymentStepMs,
    outcome,
    log,
    deployment_config: parseLossless(JSON.stringify(config)),
  };
  ctx.store.data.deployments.push(d);
  ctx.store.save();
  return ok(presentDeployment(ctx.store, d), 201);
};

export const retrieveDeployment: Handler = (ctx) => {
  const install = installOfPath(ctx);
  const d = ctx.store.data.deployments.find((x) => x.id === ctx.params.id && x.app_install_id === install.id);
  if (!d) throw notFound();
  return ok(presentDeployment(ctx.store, d));
};
