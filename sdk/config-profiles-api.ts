// /applications/{a}/config_profiles/ family (wire level): named deployment configs of one application.
// An app install takes profiles through `config_profile_ids` and shows them in `config_profiles`.

import { listAll } from "./paginate";
import type { RestClient } from "./rest-client";

/** `ApplicationConfigProfileSerializerDetail`: one config profile of an application. */
export interface ConfigProfileData {
  id: string;
  organisation: { id: string; name: string; archived: boolean };
  display_name: string;
  description?: string;
  deployment_config?: unknown;
  /** the whole application (ApplicationSerializerDetail) */
  application: { id: string; name: string; [k: string]: unknown };
}

/** `ApplicationConfigProfileSerializerDetailRequest` (`application_id` must be the path's application). */
export interface ConfigProfileRequest {
  application_id: string;
  display_name: string;
  description?: string;
  deployment_config?: unknown;
}

/** Query of the profile list: the spec lists only search and ordering. */
export interface ConfigProfileListQuery {
  search?: string;
  ordering?: string;
  perPage?: number;
}

const base = (applicationId: string) => `/applications/${encodeURIComponent(applicationId)}/config_profiles/`;
const one = (applicationId: string, id: string) => `${base(applicationId)}${encodeURIComponent(id)}/`;

/** The config profiles of applications (`client.configProfiles`). */
export class ConfigProfilesApi {
  constructor(private readonly rest: RestClient) {}

  /** Every page of one application's profiles. */
  list(applicationId: string, query: ConfigProfileListQuery = {}): Promise<ConfigProfileData[]> {
    const { perPage, ...filters } = query;
    return listAll<ConfigProfileData>(this.rest, base(applicationId), { ...filters }, perPage);
  }

  /** One POST (profiles have no unique name to look up after an ambiguous failure, so it is not retried). */
  create(applicationId: string, body: Omit<ConfigProfileRequest, "application_id">): Promise<ConfigProfileData> {
    return this.rest.request({
      method: "POST",
      path: base(applicationId),
      body: { ...body, application_id: applicationId },
    });
  }

  /** One profile of the application. */
  retrieve(applicationId: string, id: string): Promise<ConfigProfileData> {
    return this.rest.request({ method: "GET", path: one(applicationId, id) });
  }

  /** Changes the given fields. */
  patch(
    applicationId: string,
    id: string,
    body: Partial<Omit<ConfigProfileRequest, "application_id">>,
  ): Promise<ConfigProfileData> {
    return this.rest.request({ method: "PATCH", path: one(applicationId, id), body });
  }

  /** Deletes the profile (installs that had it lose it); a 404 answering a repeated DELETE means it landed. */
  async delete(applicationId: string, id: string): Promise<void> {
    await this.rest.request({ method: "DELETE", path: one(applicationId, id), okOnRepeat: [404] });
  }
}
