import type { Query, RestClient } from "./rest-client";
import type { Page } from "./types";

const MAX_PAGES = 10_000;

/** Walk `page=1..` until `next` is null (like doover-cli); we do not follow `next` URLs blindly. */
export async function listAll<T>(rest: RestClient, path: string, query: Query, perPage = 100): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await rest.request<Page<T> | T[]>({
      method: "GET",
      path,
      query: { ...query, page, per_page: perPage },
    });
    // Tolerate an unpaginated list answer.
    if (Array.isArray(body)) return out.concat(body);
    const results = body?.results ?? [];
    out.push(...results);
    if (!body?.next || results.length === 0 || (typeof body.count === "number" && out.length >= body.count)) break;
  }
  return out;
}
