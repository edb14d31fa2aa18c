// /devices/{d}/solution_installs/: solutions (bundles of app installs) are not part of the emulator's data,
// so a device has none: the list answers an empty page (its filters checked as the spec lists them), and
// `…/{id}/deploy/` and `…/{id}/sync/` answer 404 like any solution install that does not exist.

import type { Handler } from "./context";
import { notFound } from "./errors";
import { applyListQuery, choiceFilter, idFilter, type ListSpec, referenceFilters, textFilters } from "./filters";
import { paginate } from "./pagination";

const STATUSES = ["CAN", "FAI", "QUE", "RUN", "SUC"] as const;

/** Every query parameter the spec lists for GET /devices/{d}/solution_installs/ (nothing to match). */
export const solutionInstallListSpec: ListSpec<unknown> = {
  filters: {
    ...referenceFilters("device", () => null),
    ...textFilters("display_name", () => ""),
    id: idFilter(() => null),
    ...referenceFilters("organisation", () => null, { isnull: true }),
    ...referenceFilters("solution", () => null),
    status: choiceFilter(() => null, STATUSES),
  },
  search: [],
  ordering: { id: () => null, display_name: () => null, deployed_at: () => null, status: () => null },
};

export const listSolutionInstalls: Handler = (ctx) => {
  const items = applyListQuery(ctx, [] as unknown[], solutionInstallListSpec);
  if (!ctx.store.data.devices.some((d) => d.id === ctx.params.parent_lookup_device)) throw notFound();
  return paginate(ctx, items, (x) => x);
};
