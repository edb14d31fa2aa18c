// /applications/ family (wire level, used by the provider).

import { type CreateOnceOptions, type CreateOutcome, createOnce } from "./create-once";
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
   * POST first; a 409 or an ambiguous failure is resolved by looking the name up (names are
   * global; see create-once.ts). `existing` when the name was taken by another application.
   */
  createOrFind(
    body: ApplicationRequest,
    opts: CreateOnceOptions<ApplicationData> = {},
  ): Promise<CreateOutcome<ApplicationData>> {
    return createOnce(
      this.rest,
      () => this.post(body),
      () => this.findByName(body.name),
      {
        isOurs: (found) =>
          !body.organisation_id || !found.organisation || found.organisation.id === body.organisation_id,
        ...opts,
      },
    );
  }

  /** One POST (never a duplicate after an ambiguous failure); a taken name throws Conflict. */
  async create(body: ApplicationRequest): Promise<ApplicationData> {
    const outcome = await this.createOrFind(body);
    if (outcome.created) return outcome.created;
    throw new Conflict(
      `Doover API 409 Conflict: POST /applications/ — the name "${body.name}" is taken by application ${outcome.existing.id}` +
        (outcome.existing.archived ? " (archived; unarchive it to use it again)" : ""),
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

  /** Exact name match, archived or not. */
  async findByName(name: string): Promise<ApplicationData | undefined> {
    const live = await this.list({ name });
    const hit = live.find((a) => a.name === name);
    if (hit) return hit;
    const archived = await this.list({ name, archived: true });
    return archived.find((a) => a.name === name);
  }
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
