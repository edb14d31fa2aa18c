// What a rollout reads from the API: the application's installs (one paged list: the lookup for every device
// and the status of every deployment, each poll tick), the devices of a group, and whether listed devices
// exist. Lists fetch their first page, then the other pages at once (through the shared limiter), so a
// poll tick over 1,000 installs costs 10 GETs but ~2 round trips.

import type { AppInstallData, Client, Page } from "../../sdk";
import type { Query } from "../../sdk/rest-client";
import type { GroupSelector } from "./rollout-fields";

/** Page size of every rollout list: one GET per 100 devices. */
export const PAGE_SIZE = 100;

/** Every page of a list: page 1, then the rest concurrently (count from page 1). */
export async function listPaged<T>(client: Client, path: string, query: Query): Promise<T[]> {
  const get = (page: number) =>
    client.rest.request<Page<T> | T[]>({ method: "GET", path, query: { ...query, page, per_page: PAGE_SIZE } });
  const first = await get(1);
  if (Array.isArray(first)) return first; // an unpaginated answer
  const results = [...(first.results ?? [])];
  if (!first.next || results.length === 0) return results;
  const pages =
    typeof first.count === "number" ? Math.ceil(first.count / Math.max(1, results.length)) : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(pages)) {
    // No count: walk `next` one page at a time.
    for (let page = 2; ; page++) {
      const body = await get(page);
      const more = Array.isArray(body) ? body : (body.results ?? []);
      results.push(...more);
      if (Array.isArray(body) || !body.next || more.length === 0) return results;
    }
  }
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => get(i + 2)));
  for (const body of rest) results.push(...(Array.isArray(body) ? body : (body.results ?? [])));
  return results;
}

/** The live (not archived) installs of an application, oldest first. */
export function listApplicationInstalls(client: Client, applicationId: string): Promise<AppInstallData[]> {
  return listPaged<AppInstallData>(client, "/app_installs/", {
    application: applicationId,
    archived: false,
    ordering: "id",
  });
}

/**
 * The application's install per device id. A device with several (an application that allows many): the one
 * state recorded (`recorded(device)`), else the one named `name`, else the oldest.
 */
export function installsByDevice(
  installs: readonly AppInstallData[],
  name: string,
  recorded: (device: string) => string | undefined = () => undefined,
): Map<string, AppInstallData> {
  const rank = (i: AppInstallData, device: string) => (String(i.id) === recorded(device) ? 2 : i.name === name ? 1 : 0);
  const out = new Map<string, AppInstallData>();
  for (const i of installs) {
    const device = i.device?.id;
    if (device === undefined || device === null) continue;
    const key = String(device);
    const have = out.get(key);
    if (!have || rank(i, key) > rank(have, key)) out.set(key, i);
  }
  return out;
}

/**
 * The ids of a group's live devices (with every subgroup's unless `subgroups: false`), oldest first. Through
 * `client.devices.listInGroup`, which checks the answer against the group tree: a server that ignored the
 * filter must not turn "this group" into the whole organisation's fleet.
 */
export async function resolveGroup(client: Client, selector: GroupSelector): Promise<string[]> {
  const devices = await client.devices.listInGroup(selector.group, { includeSubgroups: selector.subgroups !== false });
  return devices
    .filter((d) => d.archived !== true)
    .map((d) => String(d.id))
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/** The ids among `ids` that name no device this token can see (one GET per 100 ids). */
export async function unknownDevices(client: Client, ids: readonly string[]): Promise<string[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += PAGE_SIZE) chunks.push(ids.slice(i, i + PAGE_SIZE));
  const found = new Set<string>();
  await Promise.all(
    chunks.map(async (chunk) => {
      const page = await client.rest.request<Page<{ id: unknown }>>({
        method: "GET",
        path: "/devices/",
        query: { id: chunk.join(","), per_page: PAGE_SIZE },
      });
      for (const d of page.results ?? []) found.add(String(d.id));
    }),
  );
  return ids.filter((id) => !found.has(id));
}
