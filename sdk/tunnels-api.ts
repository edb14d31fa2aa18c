// Tunnels (wire level). Creates and lists use the device-scoped route; reads and
// changes of one tunnel use the flat /tunnels/{id}/ route (as doover-cli does).

import { type CreateOnceOptions, type CreateOutcome, createOnce } from "./create-once";
import { listAll } from "./paginate";
import type { RestClient } from "./rest-client";
import type { TunnelData, TunnelRequest } from "./types";

const dev = (deviceId: string) => `/devices/${encodeURIComponent(deviceId)}/tunnels/`;
const p = (id: string) => `/tunnels/${encodeURIComponent(id)}/`;

export class TunnelsApi {
  constructor(private readonly rest: RestClient) {}

  list(deviceId: string, perPage?: number): Promise<TunnelData[]> {
    return listAll<TunnelData>(this.rest, dev(deviceId), {}, perPage);
  }

  retrieve(id: string): Promise<TunnelData> {
    return this.rest.request({ method: "GET", path: p(id) });
  }

  /** Exactly one POST, no lookup, no retry of an ambiguous failure (the create path decides). */
  post(deviceId: string, body: TunnelRequest): Promise<TunnelData> {
    return this.rest.request<TunnelData>({ method: "POST", path: dev(deviceId), body });
  }

  /**
   * One POST; after an ambiguous failure, a tunnel of that name on the device is taken as the one
   * this call made before anything is re-sent. The API does not reject a second tunnel with the
   * same name, so callers that must not duplicate one look the name up first (the provider does).
   */
  async create(deviceId: string, body: TunnelRequest): Promise<TunnelData> {
    const outcome = await this.createOrFind(deviceId, body);
    return (outcome.created ?? outcome.existing)!;
  }

  /** `create` that reports whether the tunnel was made here (`created`) or found (`existing`). */
  createOrFind(
    deviceId: string,
    body: TunnelRequest,
    opts: CreateOnceOptions<TunnelData> = {},
  ): Promise<CreateOutcome<TunnelData>> {
    return createOnce(
      this.rest,
      () => this.post(deviceId, body),
      () => this.findByName(deviceId, body.name),
      {
        nameConflicts: false,
        ...opts,
      },
    );
  }

  patch(id: string, body: Partial<TunnelRequest>): Promise<TunnelData> {
    return this.rest.request({ method: "PATCH", path: p(id), body });
  }

  /** A 404 answering a repeated DELETE means the first one landed. */
  async delete(id: string): Promise<void> {
    await this.rest.request({ method: "DELETE", path: p(id), okOnRepeat: [404] });
  }

  activate(id: string): Promise<TunnelData> {
    return this.rest.request({ method: "POST", path: `${p(id)}activate/`, body: {}, idempotent: true });
  }

  deactivate(id: string): Promise<TunnelData> {
    return this.rest.request({ method: "POST", path: `${p(id)}deactivate/`, body: {}, idempotent: true });
  }

  async findByName(deviceId: string, name: string): Promise<TunnelData | undefined> {
    return (await this.list(deviceId)).find((t) => t.name === name);
  }
}
