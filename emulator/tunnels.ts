// Tunnels, device-scoped (/devices/{d}/tunnels/…) and flat (/tunnels/…). Protocol and device are
// fixed at creation; is_active changes only through activate/ deactivate/ (immediate here).

import { createHash } from "node:crypto";
import { type Handler, ok, type RequestContext } from "./context";
import { findDevice, superBasicDevice } from "./directory";
import { type FieldErrors, notFound, validationError } from "./errors";
import { applyListQuery, type ListSpec } from "./filters";
import { requestObject } from "./form-data";
import { paginate } from "./pagination";
import { tunnelRequest } from "./schemas";
import type { Store } from "./store";
import type { DeviceRecord, TunnelRecord } from "./types";
import { validateBody } from "./validation";

const DEFAULTS: Record<string, unknown> = {
  username: null,
  password: null,
  timeout: 15,
  ip_restricted: false,
  disable_tls_verification: false,
  ip_whitelist: [],
  is_favourite: false,
};

function endpointFor(t: TunnelRecord): string {
  const protocol = t.fields.protocol;
  if (protocol === "http" || protocol === "https") return `https://${t.endpoint_id}.tunnels.emulator.doover.local`;
  const port = 20000 + (parseInt(t.endpoint_id.slice(0, 4), 16) % 10000);
  return `${protocol}://${t.endpoint_id}.tunnels.emulator.doover.local:${port}`;
}

export function presentTunnel(store: Store, t: TunnelRecord) {
  const f = { ...DEFAULTS, ...t.fields };
  return {
    id: t.id,
    name: f.name,
    device: superBasicDevice(findDevice(store, t.device_id)!),
    endpoint: endpointFor(t),
    endpoint_id: t.endpoint_id,
    is_active: t.is_active,
    hostname: f.hostname,
    port: f.port,
    protocol: f.protocol,
    username: f.username,
    password: f.password,
    timeout: f.timeout,
    ip_restricted: f.ip_restricted,
    disable_tls_verification: f.disable_tls_verification,
    ip_whitelist: f.ip_whitelist,
    is_favourite: f.is_favourite,
  };
}

/** The device named in the path (device-scoped routes); 404 when unknown. */
function pathDevice(ctx: RequestContext): DeviceRecord | undefined {
  const id = ctx.params.parent_lookup_device;
  if (id === undefined) return undefined;
  const d = findDevice(ctx.store, id);
  if (!d) throw notFound();
  return d;
}

function findTunnel(ctx: RequestContext): TunnelRecord {
  const device = pathDevice(ctx);
  const t = ctx.store.data.tunnels.find((x) => x.id === ctx.params.id && (!device || x.device_id === device.id));
  if (!t) throw notFound();
  return t;
}

function withoutDeviceId(data: Record<string, unknown>): Record<string, unknown> {
  const { device_id: _d, ...rest } = data;
  return rest;
}

const field = (name: string) => (t: TunnelRecord) => ({ ...DEFAULTS, ...t.fields })[name];

/** The spec lists only search and ordering for both tunnel lists (no field filters). */
export const tunnelListSpec: ListSpec<TunnelRecord> = {
  filters: {},
  search: [field("name"), field("hostname")],
  ordering: {
    id: (t) => t.id,
    name: field("name"),
    hostname: field("hostname"),
    port: field("port"),
    protocol: field("protocol"),
    timeout: field("timeout"),
    is_active: (t) => t.is_active,
    is_favourite: field("is_favourite"),
    ip_restricted: field("ip_restricted"),
  },
};

export const listTunnels: Handler = (ctx) => {
  const device = pathDevice(ctx);
  const all = ctx.store.data.tunnels.filter((t) => !device || t.device_id === device.id);
  const items = applyListQuery(ctx, all, tunnelListSpec);
  return paginate(ctx, items, (t) => presentTunnel(ctx.store, t));
};

export const createTunnel: Handler = (ctx) => {
  let device = pathDevice(ctx);
  const { data, errors = {} } = validateBody(requestObject(ctx, tunnelRequest), tunnelRequest, false);
  if (!device) {
    // Flat route: the device comes in the body as write-only `device_id`.
    if (data.device_id === undefined && !errors.device_id) errors.device_id = ["This field is required."];
    else if (typeof data.device_id === "string") {
      device = findDevice(ctx.store, data.device_id);
      if (!device) errors.device_id = [`Invalid pk "${data.device_id}" - object does not exist.`];
    }
  }
  if (Object.keys(errors).length) throw validationError(errors);
  const id = ctx.store.ids.next();
  const t: TunnelRecord = {
    id,
    device_id: device!.id,
    endpoint_id: createHash("sha256").update(`tunnel:${id}`).digest("hex").slice(0, 16),
    is_active: false,
    fields: withoutDeviceId(data),
  };
  ctx.store.data.tunnels.push(t);
  ctx.store.save();
  return ok(presentTunnel(ctx.store, t), 201);
};

export const retrieveTunnel: Handler = (ctx) => ok(presentTunnel(ctx.store, findTunnel(ctx)));

function update(ctx: RequestContext, partial: boolean) {
  const t = findTunnel(ctx);
  const { data, errors = {} } = validateBody(requestObject(ctx, tunnelRequest), tunnelRequest, partial);
  const immutable: FieldErrors = {};
  if (typeof data.protocol === "string" && data.protocol !== t.fields.protocol) {
    immutable.protocol = ["Protocol cannot be changed after creation."];
  }
  if (typeof data.device_id === "string" && data.device_id !== t.device_id) {
    immutable.device_id = ["Device cannot be changed after creation."];
  }
  const all = { ...errors, ...immutable };
  if (Object.keys(all).length) throw validationError(all);
  t.fields = { ...t.fields, ...withoutDeviceId(data) };
  ctx.store.save();
  return ok(presentTunnel(ctx.store, t));
}

export const putTunnel: Handler = (ctx) => update(ctx, false);
export const patchTunnel: Handler = (ctx) => update(ctx, true);

export const deleteTunnel: Handler = (ctx) => {
  const t = findTunnel(ctx);
  ctx.store.data.tunnels = ctx.store.data.tunnels.filter((x) => x !== t);
  ctx.store.save();
  return { status: 204 };
};

function setActive(active: boolean): Handler {
  return (ctx) => {
    const t = findTunnel(ctx);
    t.is_active = active;
    ctx.store.save();
    return ok(presentTunnel(ctx.store, t));
  };
}

export const activateTunnel = setActive(true);
export const deactivateTunnel = setActive(false);
