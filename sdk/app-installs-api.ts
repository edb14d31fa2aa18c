// /app_installs/ family (wire level): installs of an application on a device, and their deployments.
// Creates use the flat route (the device is `device_id` in the body); lists also exist per device
// (/devices/{d}/app_installs/) and per application (/applications/{a}/installs/).

import type {
  AppInstallData,
  AppInstallListQuery,
  AppInstallRequest,
  InstallDeploymentData,
} from "./app-install-types";
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

const p = (id: string) => `/app_installs/${encodeURIComponent(id)}/`;
const deployments = (id: string) => `${p(id)}deployments/`;

/** Snowflake ids grow with time: compare them as integers (they exceed 2^53). */
function newer(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  try {
    return BigInt(a) > BigInt(b);
  } catch {
    return a !== b;
  }
}

/**
 * How a create of `sent` tells an upsert from a new install: the status (201 or not), ids the caller knew
 * before, and what a new install cannot have (a deployment; config profiles it was not given).
 */
export function installUpsertSignals(sent: object, known?: (id: string) => boolean): UpsertSignals<AppInstallData> {
  return {
    id: (i) => String(i.id),
    known,
    predates: (i) =>
      predatesBy(i as unknown as Record<string, unknown>, sent as Record<string, unknown>, {
        has: {
          latest_deployment: "a deployment",
          ...("config_profile_ids" in sent ? {} : { config_profiles: "config profiles" }),
        },
      }),
  };
}

/** The `/app_installs/` family and its deployments (`client.appInstalls`). */
export class AppInstallsApi {
  constructor(private readonly rest: RestClient) {}

  /** Every page of `GET /app_installs/` with the given filters. */
  list(query: AppInstallListQuery = {}): Promise<AppInstallData[]> {
    const { perPage, ...filters } = query;
    return listAll<AppInstallData>(this.rest, "/app_installs/", { ...filters }, perPage);
  }

  /** Every install on one device (`GET /devices/{d}/app_installs/`). */
  listForDevice(deviceId: string, query: Omit<AppInstallListQuery, "device"> = {}): Promise<AppInstallData[]> {
    const { perPage, ...filters } = query;
    const path = `/devices/${encodeURIComponent(deviceId)}/app_installs/`;
    return listAll<AppInstallData>(this.rest, path, { ...filters }, perPage);
  }

  /** Every install of one application (`GET /applications/{a}/installs/`). */
  listForApplication(
    applicationId: string,
    query: Omit<AppInstallListQuery, "application"> = {},
  ): Promise<AppInstallData[]> {
    const { perPage, ...filters } = query;
    const path = `/applications/${encodeURIComponent(applicationId)}/installs/`;
    return listAll<AppInstallData>(this.rest, path, { ...filters }, perPage);
  }

  /** One install (archived ones too). */
  retrieve(id: string): Promise<AppInstallData> {
    return this.rest.request({ method: "GET", path: p(id) });
  }

  /** Exactly one POST, no lookup, no retry of an ambiguous failure (the provider's create path decides). */
  post(body: AppInstallRequest): Promise<AppInstallData> {
    return this.rest.request<AppInstallData>({ method: "POST", path: "/app_installs/", body });
  }

  /** Exactly one POST, like {@link post}, with the answer's HTTP status (201 for a new install). */
  async postAnswer(body: AppInstallRequest): Promise<CreateAnswer<AppInstallData>> {
    let status = 0;
    const object = await this.rest.request<AppInstallData>({
      method: "POST",
      path: "/app_installs/",
      body,
      onStatus: (s) => {
        status = s;
      },
    });
    return new CreateAnswer(object, status);
  }

  /**
   * Looks the name up on the device first (one GET) and POSTs only when it is free. Names are unique per
   * device (the API answers 409), so a 409 or an ambiguous failure is resolved by looking the name up on
   * the device before anything is re-sent; an install found there of the same application, live, is this
   * call's (after an ambiguous failure) — anything else comes back as `existing` (with `upsert` when the
   * POST was answered by updating an install that already existed). Without a name (the server then uses
   * the application's) there is no safe lookup: the POST is sent once.
   */
  createOrFind(
    body: AppInstallRequest,
    opts: CreateOnceOptions<AppInstallData> = {},
  ): Promise<CreateOutcome<AppInstallData>> {
    if (body.name === undefined || body.device_id === null) return this.post(body).then((created) => ({ created }));
    const { name, device_id: deviceId } = body;
    return createOnce(
      this.rest,
      () => this.postAnswer(body),
      () => this.findByName(deviceId, name),
      {
        isOurs: (found) => !found.archived && String(found.application?.id) === String(body.application_id),
        lookupFirst: true,
        upsert: installUpsertSignals(body),
        ...opts,
      },
    );
  }

  /**
   * Creates the install: never a duplicate after an ambiguous failure, never a write to an install that
   * holds the name on the device (looked up first). A taken name is the API's Conflict, or an error naming
   * the install found under the name (before the POST, after a lost answer, or answering the POST itself).
   */
  async create(body: AppInstallRequest): Promise<AppInstallData> {
    const outcome = await this.createOrFind(body, { nameConflicts: false });
    if (outcome.created) return outcome.created;
    const how = outcome.upsert
      ? `; the API updated it in place instead of creating one (${outcome.upsert.reasons.join("; ")}), so the ` +
        `fields sent (${Object.keys(body).join(", ")}) may have changed on it`
      : "";
    throw new Conflict(
      `Doover API 409 Conflict: POST /app_installs/ — app install "${body.name}" on device ${body.device_id} ` +
        `already exists (id ${outcome.existing!.id})${how}`,
      { status: 409, method: "POST", url: this.rest.url("/app_installs/"), body: undefined },
    );
  }

  /** PUT: full replacement. */
  update(id: string, body: AppInstallRequest): Promise<AppInstallData> {
    return this.rest.request({ method: "PUT", path: p(id), body });
  }

  /** Changes the given fields (application and device are fixed at creation). */
  patch(id: string, body: Partial<AppInstallRequest>): Promise<AppInstallData> {
    return this.rest.request({ method: "PATCH", path: p(id), body });
  }

  /** A 404 answering a repeated DELETE means the first one landed. */
  async delete(id: string): Promise<void> {
    await this.rest.request({ method: "DELETE", path: p(id), okOnRepeat: [404] });
  }

  /**
   * `POST /app_installs/{id}/sync_config_profiles/` with the whole install request (doover-cli's
   * `app-install sync-config-profiles` sends the current install, with `config_profile_ids` replaced when given).
   * Applied like a PUT, so safe to repeat. {@link Client.syncAppInstallConfigProfiles} builds the body for you.
   */
  syncConfigProfiles(id: string, body: AppInstallRequest): Promise<AppInstallData> {
    return this.rest.request({
      method: "POST",
      path: `${p(id)}sync_config_profiles/`,
      body,
      idempotent: true,
    });
  }

  /** Archives the install (it keeps its name on the device); safe to repeat. */
  archive(id: string): Promise<AppInstallData> {
    return this.rest.request({ method: "POST", path: `${p(id)}archive/`, idempotent: true });
  }

  /** Brings an archived install back; safe to repeat. */
  unarchive(id: string): Promise<AppInstallData> {
    return this.rest.request({ method: "POST", path: `${p(id)}unarchive/`, idempotent: true });
  }

  /** The install with exactly this name on the device, live first, then archived. */
  async findByName(deviceId: string, name: string): Promise<AppInstallData | undefined> {
    const all = await this.listForDevice(deviceId, { name });
    const hits = all.filter((i) => i.name === name && String(i.device?.id ?? deviceId) === deviceId);
    return hits.find((i) => !i.archived) ?? hits.find((i) => i.archived);
  }

  // ---- deployments

  /** Every deployment of an install, newest first. */
  listDeployments(installId: string, perPage?: number): Promise<InstallDeploymentData[]> {
    return listAll<InstallDeploymentData>(this.rest, deployments(installId), { ordering: "-created_at" }, perPage);
  }

  /** One deployment of an install (poll it until its status is SUC, FAI or CAN). */
  retrieveDeployment(installId: string, deploymentId: string): Promise<InstallDeploymentData> {
    return this.rest.request({ method: "GET", path: `${deployments(installId)}${encodeURIComponent(deploymentId)}/` });
  }

  /**
   * Starts a deployment of the install's current config (one POST). After an ambiguous failure a
   * deployment newer than `after` (the install's latest before this call) is the one we started.
   */
  async createDeployment(installId: string, opts: { after?: string | null } = {}): Promise<InstallDeploymentData> {
    const after = opts.after ?? undefined;
    const outcome = await createOnce(
      this.rest,
      () => this.rest.request<InstallDeploymentData>({ method: "POST", path: deployments(installId), body: {} }),
      async () => {
        const list = await this.listDeployments(installId);
        return list.filter((d) => newer(String(d.id), after)).sort((a, b) => (newer(a.id, b.id) ? -1 : 1))[0];
      },
      { nameConflicts: false },
    );
    return (outcome.created ?? outcome.existing)!;
  }
}
