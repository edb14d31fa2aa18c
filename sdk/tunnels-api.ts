// Tunnels (wire level). Creates and lists use the device-scoped route; reads and
// changes of one tunnel use the flat /tunnels/{id}/ route (as doover-cli does).

import { createOnce } from "./create-once";
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

  /** One POST; after an ambiguous failure, adopt a tunnel of that name on the device before re-sending. */
  create(deviceId: string, body: TunnelRequest): Promise<TunnelData> {
    return createOnce(
      this.rest,
      () => this.rest.request<TunnelData>({ method: "POST", path: dev(deviceId), body }),
      () => this.findByName(deviceId, body.name),
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
