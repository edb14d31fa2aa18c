// DooverTunnel provider methods (the code the serialized shim loads at run time).

import { type Client, NotFound, type TunnelData } from "../../sdk";
import { adoptReleased, adoptSet, keepOnDelete, PREVIEW_KEY, tookOverOutput } from "../adopt";
import { previewAdopt } from "../adopt-preview";
import { resourceNameOf } from "../check-names";
import { createOrAdopt, skipDeleteOfAdopted } from "../create-path";
import { changedKeys, mayBeEqual, stableEqual, wirePatch } from "../diff";
import { DooverProviderError, DooverResourceInitError, messageOf } from "../errors";
import { type CheckFailure, isUnknown } from "../inputs";
import { call, type Props, pick, readResult, stripReserved, unlessNotFound, wrap } from "../props";
import { targetFor } from "../provider-config";
import {
  checkTunnel,
  TUNNEL_DIFF_KEYS,
  TUNNEL_FIELDS,
  TUNNEL_INPUT_KEYS,
  TUNNEL_NULLABLE_WIRE,
  TUNNEL_OUTPUT_KEYS,
  TUNNEL_REPLACE_KEYS,
  tunnelComputed,
  tunnelPayload,
} from "./tunnel-fields";

export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const checked = checkTunnel(news);
  // Preview of a new tunnel with `adopt`: say which tunnel `up` would take over (reads only).
  if (news[PREVIEW_KEY] === true && adoptSet(checked.inputs.adopt) && Object.keys(olds).length === 0) {
    if (checked.failures.length === 0) checked.failures.push(...(await previewTunnelAdopt(checked.inputs, news)));
  }
  return checked;
}

async function previewTunnelAdopt(inputs: Props, news: Props): Promise<CheckFailure[]> {
  const deviceId = inputs.deviceId;
  const name = inputs.name;
  return previewAdopt<TunnelData>({
    resourceType: "DooverTunnel",
    kind: "tunnel",
    adopt: inputs.adopt,
    resource: resourceNameOf(news),
    target: () => {
      if (isUnknown(deviceId) || isUnknown(name)) throw new DooverProviderError("its device or name is not known yet");
      const { client } = targetFor(inputs.staging === true);
      const body = tunnelPayload(inputs);
      return {
        label: `tunnel "${String(name)}" on device ${String(deviceId)}`,
        lookup: () => client.tunnels.findByName(String(deviceId), String(name)),
        retrieve: (id) => unlessNotFound(() => client.tunnels.retrieve(id)),
        mismatch: (t) => tunnelMismatch(t, String(deviceId), String(name)),
        describe: (t) => `id ${t.id}, on device ${t.device?.id ?? String(deviceId)}`,
        changes: (t) => Object.keys(tunnelTakeOverPatch(t, body)),
        refuse: (t) =>
          t.protocol !== inputs.protocol
            ? `its protocol is ${t.protocol}, not ${String(inputs.protocol)}, and a tunnel's protocol cannot change`
            : undefined,
      };
    },
  });
}

function tunnelMismatch(t: TunnelData, deviceId: string, name: string): string | undefined {
  if (t.device?.id !== undefined && String(t.device.id) !== deviceId)
    return `is on device ${t.device.id}, not ${deviceId}`;
  return t.name !== name ? `is named "${t.name}", not "${name}"` : undefined;
}

/** The PATCH a take-over of `live` sends (the protocol never changes). */
function tunnelTakeOverPatch(live: TunnelData, body: Props): Props {
  const patch = wirePatch(liveBody(live, body), body, TUNNEL_NULLABLE_WIRE);
  delete patch.protocol;
  return patch;
}

export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const changed = changedKeys({ ...olds, staging: olds.staging ?? false }, news, TUNNEL_DIFF_KEYS);
  if (adoptReleased(olds, news)) changed.push("adopt"); // the stack owns it from now on: state says so
  const replaces = changed.filter((k) => TUNNEL_REPLACE_KEYS.includes(k));
  // Same name on the same device: the old tunnel goes first so names stay unique per device.
  const sameSpot =
    mayBeEqual(olds.name, news.name) &&
    mayBeEqual(olds.deviceId, news.deviceId) &&
    mayBeEqual(olds.staging ?? false, news.staging);
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && sameSpot };
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const { client, adoptExisting } = targetFor(inputs.staging === true);
  const deviceId = String(inputs.deviceId);
  const name = String(inputs.name);
  const body = tunnelPayload(inputs);
  // The API accepts a second tunnel with the same name on a device, so there is no 409 to rely
  // on: one lookup before the POST keeps "never a duplicate" (create-path.ts, nameConflicts false).
  let live: TunnelData;
  let tookOver = false;
  try {
    ({ live, tookOver } = await createOrAdopt<TunnelData>({
      kind: "tunnel",
      resourceType: "DooverTunnel",
      label: `tunnel "${name}" on device ${deviceId}`,
      rest: client.rest,
      nameConflicts: false,
      post: () => client.tunnels.post(deviceId, body as never),
      sent: body,
      find: () => client.tunnels.findByName(deviceId, name),
      retrieve: (id) => unlessNotFound(() => client.tunnels.retrieve(id)),
      mismatch: (t) => tunnelMismatch(t, deviceId, name),
      id: (t) => String(t.id),
      vet: async (existing) => {
        if (existing.protocol !== inputs.protocol) {
          throw new DooverProviderError(
            `cannot adopt tunnel ${existing.id}: its protocol is ${existing.protocol}, not ${String(inputs.protocol)}, ` +
              "and the protocol of a tunnel cannot be changed",
          );
        }
        return "take";
      },
      takeOver: async (existing) => {
        const patch = tunnelTakeOverPatch(existing, body);
        if (Object.keys(patch).length === 0) return existing;
        return call(`updating tunnel ${existing.id}`, () => client.tunnels.patch(String(existing.id), patch));
      },
      adopt: (inputs.adopt as boolean | string | undefined) ?? false,
      adoptExisting,
    }));
  } catch (e) {
    throw wrap(`creating tunnel "${name}" on device ${deviceId}`, e);
  }
  try {
    live = await setActive(client, live, inputs.active as boolean | undefined);
  } catch (e) {
    const id = String(live.id);
    throw new DooverResourceInitError(`tunnel "${name}" (${id}) created, but ${messageOf(e)}`, id, {
      ...outputs(inputs, live),
      ...(tookOver ? { tookOver: true } : {}),
    });
  }
  return { id: String(live.id), outs: { ...outputs(inputs, live), ...tookOverOutput(inputs, tookOver) } };
}

export async function read(id: string, props: Props): Promise<{ id: string; props?: Props; inputs?: Props }> {
  const { client } = targetFor(props.staging === true);
  let live: TunnelData;
  try {
    live = await client.tunnels.retrieve(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return { id: "" };
    throw wrap(`reading tunnel "${String(props.name)}" (${id})`, e);
  }
  const next = stripReserved(props);
  for (const f of TUNNEL_FIELDS) {
    if (props[f.input] === undefined || !(f.wire in live)) continue; // e.g. a write-only password
    const value = live[f.wire] ?? null;
    if (!stableEqual(value, props[f.input])) next[f.input] = value;
  }
  if (live.device?.id !== undefined && props.deviceId !== undefined) next.deviceId = String(live.device.id);
  if (props.active !== undefined) next.active = live.is_active === true;
  Object.assign(next, tunnelComputed(live));
  return readResult(String(live.id), props, next, TUNNEL_INPUT_KEYS);
}

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const { client } = targetFor(news.staging === true);
  const patch = wirePatch(tunnelPayload(olds), tunnelPayload(news), TUNNEL_NULLABLE_WIRE);
  delete patch.protocol; // replace-only
  let live: TunnelData | undefined;
  if (Object.keys(patch).length > 0) {
    live = await call(`updating tunnel "${String(news.name)}" (${id})`, () => client.tunnels.patch(id, patch));
  }
  const wasActive = (olds.isActive ?? olds.active) as boolean | undefined;
  const active = news.active as boolean | undefined;
  if (active !== undefined && (live ? live.is_active !== active : wasActive !== active)) {
    live = await call(`${active ? "activating" : "deactivating"} tunnel "${String(news.name)}" (${id})`, () =>
      active ? client.tunnels.activate(id) : client.tunnels.deactivate(id),
    );
  }
  const kept = olds.tookOver === undefined ? {} : { tookOver: olds.tookOver };
  if (!live) return { outs: { ...stripReserved(news), ...pick(olds, TUNNEL_OUTPUT_KEYS), ...kept } };
  return { outs: { ...outputs(news, live), ...kept } };
}

export async function del(id: string, props: Props): Promise<void> {
  const label = `tunnel "${String(props.name)}"`;
  const keep = keepOnDelete(props, "tunnel", label, id);
  if (keep) return void console.error(keep);
  const { client } = targetFor(props.staging === true);
  if (skipDeleteOfAdopted(client.baseUrl, "tunnel", id, label)) return;
  try {
    await client.tunnels.delete(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return;
    throw wrap(`deleting tunnel "${String(props.name)}" (${id})`, e);
  }
}

async function setActive(client: Client, live: TunnelData, active: boolean | undefined): Promise<TunnelData> {
  if (active === undefined || live.is_active === active) return live;
  const id = String(live.id);
  return active ? client.tunnels.activate(id) : client.tunnels.deactivate(id);
}

function liveBody(live: TunnelData, like: Props): Props {
  const out: Props = {};
  for (const f of TUNNEL_FIELDS) if (f.wire in like && f.wire in live) out[f.wire] = live[f.wire];
  return out;
}

function outputs(inputs: Props, live: TunnelData): Props {
  return { ...stripReserved(inputs), ...tunnelComputed(live) };
}
