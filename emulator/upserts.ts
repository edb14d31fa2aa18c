// A create whose name is taken: what the live control plane most likely does (an upsert) and what the spec
// says (409), switchable (see docs/live-api.md).
//
// Applications (default): `POST /applications/` upserts on the globally unique name, as doover-cli 0.7.1's
// `app publish` expects ("creating the app if the name is free, updating it if we're allowed to"):
// - name free: a create (the spec's required fields apply), 201;
// - held by a live application of the caller's organisation (X-Doover-Organisation, else the body's
//   `organisation_id`): that application updated with only the fields sent (a partial body is accepted,
//   as doover-cli sends one), same id, answered with `upsertStatus` (default 201: the only status the spec
//   lists for this operation; 200 on request);
// - held by another organisation's application: 403;
// - held by an archived application: 409. doover-cli looks the name up with `archived=False`, so it never
//   expects a publish to land on an archived application; names stay unique (archived ones keep theirs).
// `postConflict: true` (CLI `--post-conflict`) answers 409 for every taken name instead (the spec).
//
// App installs: no client evidence of an upsert (doover-cli's `app-install create` just POSTs), so a taken
// name on the device is 409 in both modes. `upsertInstalls: true` (CLI `--upsert-installs`) makes it update
// the live install of that name (same application) instead: tests use it to prove the package is safe if
// the live API does. Tunnels: names are not unique (a second tunnel of a name is a new tunnel): no change.

import type { HandlerResult, RequestContext } from "./context";
import { findOrganisation } from "./directory";
import { ApiError } from "./errors";
import type { AppInstallRecord, ApplicationRecord } from "./types";

/** One create that updated an existing object (listed by `GET /_emulator/upserts/` and `Emulator.upserts()`). */
export interface UpsertRecord {
  kind: "application" | "app install";
  id: string;
  name: string;
  /** the HTTP status answered */
  status: number;
  /** the fields the create sent (all of them may have changed) */
  fields: string[];
}

/** What a create's answer becomes when it updated an existing object. */
export type UpsertResult = HandlerResult & { upsert: true };

/**
 * `POST /applications/` on a taken name, in upsert mode: the update (via `patch`, the PATCH handler), a 403,
 * or a 409; undefined when the name is free or the emulator answers 409 for taken names (`postConflict`).
 */
export function upsertApplication(
  ctx: RequestContext,
  body: Record<string, unknown>,
  patch: (ctx: RequestContext) => HandlerResult,
): UpsertResult | undefined {
  const store = ctx.store;
  const name = body.name;
  if (store.postConflict || typeof name !== "string") return undefined;
  const app = store.data.applications.find((a) => a.fields.name === name);
  if (!app) return undefined;
  if (app.archived) {
    throw new ApiError(409, {
      detail:
        `An archived application named "${name}" (id ${app.id}) holds the name; unarchive it ` +
        `(POST /applications/${app.id}/unarchive/) to publish to it, or choose another name.`,
      error: { name: ["application with this name already exists."] },
    });
  }
  const caller = callerOrganisation(ctx, body);
  if (caller !== app.organisation_id) {
    throw new ApiError(403, {
      detail:
        `The name "${name}" belongs to an application of another organisation, which this request ` +
        "(organisation " +
        `${caller}) may not change. Application names are global: choose another name.`,
    });
  }
  return applied(ctx, "application", app, body, patch);
}

/**
 * `POST /app_installs/` on a name taken on the device, with `upsertInstalls`: the live install of the same
 * application is updated with the fields sent; undefined otherwise (the create then answers 409).
 */
export function upsertAppInstall(
  ctx: RequestContext,
  body: Record<string, unknown>,
  name: string,
  patch: (ctx: RequestContext) => HandlerResult,
): UpsertResult | undefined {
  const store = ctx.store;
  if (store.postConflict || !store.upsertInstalls) return undefined;
  const deviceId = typeof body.device_id === "string" ? body.device_id : null;
  const install = store.data.app_installs.find(
    (i) =>
      i.device_id === deviceId && i.fields.name === name && !i.archived && i.application_id === body.application_id,
  );
  if (!install) return undefined;
  return applied(ctx, "app install", install, body, patch);
}

function applied(
  ctx: RequestContext,
  kind: UpsertRecord["kind"],
  record: ApplicationRecord | AppInstallRecord,
  body: Record<string, unknown>,
  patch: (ctx: RequestContext) => HandlerResult,
): UpsertResult {
  const result = patch({ ...ctx, params: { ...ctx.params, id: record.id } });
  const status = ctx.store.upsertStatus;
  ctx.store.upserts.push({ kind, id: record.id, name: String(record.fields.name), status, fields: Object.keys(body) });
  return { ...result, status, upsert: true };
}

/** The organisation the request acts for: X-Doover-Organisation, else the body's `organisation_id` (else 401). */
function callerOrganisation(ctx: RequestContext, body: Record<string, unknown>): string {
  const header = ctx.headers["x-doover-organisation"];
  const id = (Array.isArray(header) ? header[0] : header)?.trim() || body.organisation_id;
  if (typeof id !== "string" || id === "") throw new ApiError(401, { detail: "X-Doover-Organisation header missing" });
  if (!findOrganisation(ctx.store, id)) {
    throw new ApiError(403, { detail: "You do not have permission to perform this action." });
  }
  return id;
}
