// DRF PageNumberPagination: {count, next, previous, results}, absolute links, "Invalid page." → 404.

import type { HandlerResult, RequestContext } from "./context";
import { notFound } from "./errors";

function positiveInt(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

function link(ctx: RequestContext, page: number | undefined): string {
  const q = new URLSearchParams(ctx.query);
  if (page === undefined) q.delete("page");
  else q.set("page", String(page));
  q.sort(); // Django's replace_query_param sorts the query
  const qs = q.toString();
  return `${ctx.baseUrl}${ctx.path}${qs ? `?${qs}` : ""}`;
}

export function paginate<T>(ctx: RequestContext, items: T[], present: (item: T) => unknown): HandlerResult {
  const perPage = positiveInt(ctx.query.get("per_page")) ?? ctx.perPageDefault;
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const raw = ctx.query.get("page");
  const page = raw === null ? 1 : raw === "last" ? pages : positiveInt(raw);
  if (page === undefined || page > pages) throw notFound("Invalid page.");
  const results = items.slice((page - 1) * perPage, page * perPage).map(present);
  return {
    status: 200,
    body: {
      count: items.length,
      next: page < pages ? link(ctx, page + 1) : null,
      previous: page > 1 ? link(ctx, page === 2 ? undefined : page - 1) : null,
      results,
    },
  };
}
