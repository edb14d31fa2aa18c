// /applications/ family (wire level, used by the provider).

import { createOnce } from "./create-once";
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

export { isAmbiguousFailure } from "./create-once";

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
   * One POST. On an ambiguous failure the application may exist already, so look it up
   * by name (names are globally unique) and adopt it; only re-send when it is absent.
   */
  create(body: ApplicationRequest): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return createOnce(
      this.rest,
      () => this.rest.request<ApplicationData>({ method: "POST", path: "/applications/", body, organisationId }),
      async () => {
        const found = await this.findByName(body.name);
        const sameOrg = !body.organisation_id || !found?.organisation || found.organisation.id === body.organisation_id;
        return found && sameOrg ? found : undefined;
      },
      { conflictMeansLanded: true },
    );
  }

  patch(id: string, body: Partial<ApplicationRequest>): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return this.rest.request({ method: "PATCH", path: p(id), body, organisationId });
  }

  /** PUT: full replacement. */
  update(id: string, body: ApplicationRequest): Promise<ApplicationData> {
    const organisationId = body.organisation_id ?? undefined;
    return this.rest.request({ method: "PUT", path: p(id), body, organisationId });
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
