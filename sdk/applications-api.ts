// /applications/ family (wire level, used by the provider).

import {
  CreateAnswer,
  type CreateOnceOptions,
  type CreateOutcome,
  createOnce,
  predatesBy,
  type UpsertSignals,
} from "./create-once";
import { Conflict } from "./errors";
import { listAll } from "./paginate";
import type { RestClient } from "./rest-client";
import type { ApplicationData, ApplicationRequest } from "./types";

export interface ApplicationListQuery {
  name?: string;
  archived?: boolean;
  organisation?: string;
  type?: string;
  visibility?: string;
  perPage?: number;
}

const p = (id: string) => `/applications/${encodeURIComponent(id)}/`;

export { type CreateOutcome, isAmbiguousFailure } from "./create-once";

export class ApplicationsApi {
  constructor(private readonly rest: RestClient) {}

  list(query: ApplicationListQuery = {}): Promise<ApplicationData[]> {
    const { perPage, ...filters } = query;
    return listAll<ApplicationData>(this.rest, "/applications/", { ...filters }, perPage);
  }

  retrieve(id: string): Promise<ApplicationData> {
    return this.rest.request({ method: "GET", path: p(id) });
  }

  /**
   * Exactly one POST, no lookup, no retry of an ambiguous failure (the create path decides). With
   * `deployment_data` in the body, the answer comes back without it (see {@link withoutEcho}).
   */
  post(body: ApplicationRequest): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return this.rest.request<ApplicationData>({
      method: "POST",
      path: "/applications/",
      body,
      organisationId,
      ...withoutEcho(body),
    });
  }

  /**
   * Exactly one POST, like {@link post}, with the answer's HTTP status: 201 for a new application; the live
   * control plane may instead update the application that holds the name (an upsert) and answer otherwise.
   */
  async postAnswer(body: ApplicationRequest): Promise<CreateAnswer<ApplicationData>> {
    let status = 0;
    const organisationId = body.organisation_id ?? undefined;
    const object = await this.rest.request<ApplicationData>({
      method: "POST",
      path: "/applications/",
      body,
      organisationId,
      onStatus: (s) => {
        status = s;
      },
      ...withoutEcho(body),
    });
    return new CreateAnswer(object, status);
  }

  /**
   * Looks the name up first (one GET) and POSTs only when it is free; a 409 or an ambiguous failure is
   * resolved by looking the name up again (names are global; see create-once.ts). `existing` when the name
   * was taken: found before the POST (nothing was sent), or, with `upsert`, the POST was answered with an
   * application that already existed (the server updated it with the fields sent).
   */
  createOrFind(
    body: ApplicationRequest,
    opts: CreateOnceOptions<ApplicationData> = {},
  ): Promise<CreateOutcome<ApplicationData>> {
    return createOnce(
      this.rest,
      () => this.postAnswer(body),
      () => this.findByName(body.name),
      {
        isOurs: (found) =>
          !body.organisation_id || !found.organisation || found.organisation.id === body.organisation_id,
        lookupFirst: () => this.lookupName(body.name),
        upsert: applicationUpsertSignals(body),
        ...opts,
      },
    );
  }

  /**
   * Creates the application: never a duplicate after an ambiguous failure, never a write to an application
   * that holds the name (looked up first). A taken name throws Conflict, saying so when the server
   * answered the POST by updating the existing application.
   */
  async create(body: ApplicationRequest): Promise<ApplicationData> {
    const outcome = await this.createOrFind(body);
    if (outcome.created) return outcome.created;
    const { existing, upsert } = outcome;
    const why = upsert
      ? ` — the API updated it in place instead of creating one (${upsert.reasons.join("; ")}); the fields sent ` +
        `(${Object.keys(body).join(", ")}) may have changed on it`
      : existing.archived
        ? " (archived; unarchive it to use it again)"
        : "";
    throw new Conflict(
      `Doover API 409 Conflict: POST /applications/ — the name "${body.name}" is taken by application ${existing.id}${why}`,
      { status: 409, method: "POST", url: this.rest.url("/applications/"), body: undefined },
    );
  }

  /** PATCH; with `deployment_data` in the body, the answer comes back without it (see {@link withoutEcho}). */
  patch(id: string, body: Partial<ApplicationRequest>): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return this.rest.request({ method: "PATCH", path: p(id), body, organisationId, ...withoutEcho(body) });
  }

  /** PUT: full replacement; with `deployment_data` in the body, the answer comes back without it. */
  update(id: string, body: ApplicationRequest): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return this.rest.request({ method: "PUT", path: p(id), body, organisationId, ...withoutEcho(body) });
  }

  archive(id: string): Promise<ApplicationData> {
    return this.rest.request({ method: "POST", path: `${p(id)}archive/`, idempotent: true });
  }

  unarchive(id: string): Promise<ApplicationData> {
    return this.rest.request({ method: "POST", path: `${p(id)}unarchive/`, idempotent: true });
  }

  /**
   * One GET `?name=` with no other filter: the application with exactly this name, if the list shows it
   * (live ones always; archived ones too where the API lists them unfiltered, as DRF and the emulator do).
   * What a create looks up before its POST.
   */
  async lookupName(name: string): Promise<ApplicationData | undefined> {
    return (await this.list({ name })).find((a) => a.name === name);
  }

  /** Exact name match, archived or not (a second GET with `archived=true` when the first finds none). */
  async findByName(name: string): Promise<ApplicationData | undefined> {
    const live = await this.list({ name });
    const hit = live.find((a) => a.name === name);
    if (hit) return hit;
    const archived = await this.list({ name, archived: true });
    return archived.find((a) => a.name === name);
  }
}

/** Application fields a brand-new application holds empty unless the create sent them. */
const UNSENT_EMPTY = [
  "long_description",
  "config_schema",
  "ui_schema",
  "tag_schema",
  "notification_schema",
  "container_registry_profile",
  "image_name",
  "lambda_config",
  "icon_url",
  "banner_url",
  "repository_url",
  "deployment_data",
];

/**
 * How a create of `sent` tells an upsert from a new application: the status (201 or not), ids the caller
 * knew before, and what a new application cannot have (installs, config profiles, stars, fields set that
 * the create did not send).
 */
export function applicationUpsertSignals(
  sent: object,
  known?: (id: string) => boolean,
): UpsertSignals<ApplicationData> {
  return {
    id: (a) => String(a.id),
    known,
    predates: (a) =>
      predatesBy(a as unknown as Record<string, unknown>, sent as Record<string, unknown>, {
        has: { approx_installs: "installs", config_profiles: "config profiles", stars: "stars" },
        unsent: UNSENT_EMPTY,
      }),
  };
}

/**
 * The API echoes `deployment_data` (the whole base64 zip) in its answer to a write that sent it; the caller
 * already has it (and its hash), so the answer is read without it: the object then has no `deployment_data`
 * key. `retrieve`/`list` keep it (refresh computes drift from it).
 */
function withoutEcho(body: object): { omitResponseFields?: readonly string[] } {
  return (body as { deployment_data?: unknown }).deployment_data === undefined
    ? {}
    : { omitResponseFields: ["deployment_data"] };
}
