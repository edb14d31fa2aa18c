// Organisations and registry profiles: seeded read-only data the other families refer to; device lookups
// shared by them (the /devices/ family itself is devices.ts, groups are groups.ts).

import type { Handler, RequestContext } from "./context";
import { ApiError } from "./errors";
import { applyListQuery, boolFilter, idFilter, type ListSpec, textFilters, type Unsupported } from "./filters";
import { paginate } from "./pagination";
import type { Store } from "./store";
import type { DeviceRecord, OrganisationRecord, RegistryRecord } from "./types";

export function basicOrganisation(org: OrganisationRecord) {
  return { id: org.id, name: org.name, archived: org.archived };
}

/** OrganisationSerializerDetail, its optional fields (pydoover 1.18.3's Organisation model) included. */
export function presentOrganisation(org: OrganisationRecord) {
  return {
    ...basicOrganisation(org),
    application_id: org.application_id,
    domains: [],
    root_group: { ...org.root_group },
    test_field_A: 0,
    retention_period: 365,
    legacy_doover_api_key: null, // keys are never shown by the emulator
    llm_api_key: null,
    extra_config: {},
    theme: {
      accent_colour: "#1f6feb",
      brand_logo_colour: "#ffffff",
      navbar_colour: "#0d1117",
      navbar_text_colour: "#ffffff",
      sidebar_colour: "#161b22",
      sidebar_text_colour: "#c9d1d9",
      banner_image: null,
      login_banner: null,
      sidebar_banner_image: null,
      site_logo: null,
    },
  };
}

/** The slim device embedded in tunnels. */
export function superBasicDevice(d: DeviceRecord) {
  return { id: d.id, name: d.name, display_name: d.display_name };
}

export function presentRegistry(r: RegistryRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    archived: r.archived,
  };
}

export function findOrganisation(store: Store, id: string): OrganisationRecord | undefined {
  return store.data.organisations.find((o) => o.id === id);
}

export function findDevice(store: Store, id: string): DeviceRecord | undefined {
  return store.data.devices.find((d) => d.id === id);
}

/**
 * The registry profile with this id. The emulator does not manage registries, so any numeric id
 * (e.g. one copied from a real doover_config.json) gets a stand-in record on first use.
 */
export function resolveRegistry(store: Store, id: string): RegistryRecord | undefined {
  const found = store.data.registries.find((r) => r.id === id);
  if (found || !/^\d+$/.test(id)) return found;
  const made = {
    id,
    name: `Registry ${id}`,
    description: "Created by the emulator on first reference",
    archived: false,
  };
  store.data.registries.push(made);
  return made;
}

/**
 * The organisation a write acts for: `organisation_id` from the body, else the
 * X-Doover-Organisation header, else 401 like the real control plane.
 */
export function resolveOrganisation(ctx: RequestContext, bodyOrgId: unknown): OrganisationRecord {
  if (typeof bodyOrgId === "string") {
    const org = findOrganisation(ctx.store, bodyOrgId);
    if (!org) {
      throw new ApiError(400, {
        detail: `organisation_id: Invalid pk "${bodyOrgId}" - object does not exist.`,
        error: {
          organisation_id: [`Invalid pk "${bodyOrgId}" - object does not exist.`],
        },
      });
    }
    return org;
  }
  const header = ctx.headers["x-doover-organisation"];
  const headerId = Array.isArray(header) ? header[0] : header;
  if (!headerId) throw new ApiError(401, { detail: "X-Doover-Organisation header missing" });
  const org = findOrganisation(ctx.store, headerId.trim());
  if (!org)
    throw new ApiError(403, {
      detail: "You do not have permission to perform this action.",
    });
  return org;
}

const NOT_EMULATED = (what: string): Unsupported => ({
  unsupported: `${what} is not part of the emulator's data`,
});

/** Every query parameter the spec lists for GET /organisations/. */
export const organisationListSpec: ListSpec<OrganisationRecord> = {
  filters: {
    id: idFilter((o) => o.id),
    ...textFilters("name", (o) => o.name),
    archived: boolFilter((o) => o.archived),
    ...Object.fromEntries(
      ["retention_period", "test_field_A"].flatMap((f) =>
        ["", "__gt", "__gte", "__lt", "__lte"].map((l) => [`${f}${l}`, NOT_EMULATED(f)]),
      ),
    ),
  },
  search: [(o) => o.name],
  ordering: { id: (o) => o.id, name: (o) => o.name },
};

export const listOrganisations: Handler = (ctx) => {
  const items = applyListQuery(ctx, ctx.store.data.organisations, organisationListSpec);
  return paginate(ctx, items, presentOrganisation);
};
