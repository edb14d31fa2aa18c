// /groups/ family (wire level): the device group tree of an organisation. Every group but the
// organisation's root group has a parent; devices belong to exactly one group (DeviceData.group).

import { type CreateOnceOptions, type CreateOutcome, createOnce } from "./create-once";
import { DooverException } from "./errors";
import { listAll } from "./paginate";
import type { RestClient } from "./rest-client";

/** A group as `{id, name}` (GroupParentSerialiser, GroupChildrenSerialiser). */
export interface GroupRefData {
  id: string;
  name: string;
}

/**
 * `GroupSerializerDetail` (retrieve, create, update) and `GroupSerializerList` (list: no `children`,
 * no `my_permissions`). `shared` appears only in the agents tree (`GroupSimpleSerializer`).
 */
export interface GroupData {
  id: string;
  name: string;
  organisation: { id: string; name: string };
  archived: boolean;
  /** null for the organisation's root group */
  parent: GroupRefData | null;
  /** direct subgroups (detail only) */
  children?: GroupRefData[];
  /** what the caller may do in this group (detail only) */
  my_permissions?: Record<string, boolean> | null;
  shared?: boolean;
}

/** `GroupSerializerDetailRequest`. */
export type GroupRequest = {
  name: string;
  /** the parent group (required: new groups always sit under one) */
  parent_id: string;
};

/** Filters of `GET /groups/` (camelCase; sent as the spec's snake_case names). */
export interface GroupListQuery {
  archived?: boolean;
  name?: string;
  nameContains?: string;
  nameIcontains?: string;
  organisation?: string;
  /** groups where the caller holds this permission */
  permission?: string;
  /** only organisations' root groups (true) or only the others (false) */
  rootGroup?: boolean;
  search?: string;
  ordering?: string;
  perPage?: number;
}

const WIRE: Record<string, string> = {
  nameContains: "name__contains",
  nameIcontains: "name__icontains",
  rootGroup: "root_group",
};

const p = (id: string) => `/groups/${encodeURIComponent(id)}/`;

/** A group with where it sits in the tree (see {@link GroupsApi.tree}). */
export interface GroupNode extends GroupData {
  /** "Root/Pumps/North": names from the organisation's root group down */
  path: string;
  /** the ids of this group and every group below it */
  subtree: string[];
}

/** The `/groups/` family (`client.groups`). */
export class GroupsApi {
  constructor(private readonly rest: RestClient) {}

  /** Every page of `GET /groups/` with the given filters. */
  list(query: GroupListQuery = {}): Promise<GroupData[]> {
    const { perPage, ...filters } = query;
    const wire: Record<string, string | boolean | undefined> = {};
    for (const [k, v] of Object.entries(filters)) wire[WIRE[k] ?? k] = v;
    return listAll<GroupData>(this.rest, "/groups/", wire, perPage);
  }

  /** One group, with its direct children. */
  retrieve(id: string): Promise<GroupData> {
    return this.rest.request({ method: "GET", path: p(id) });
  }

  /** Exactly one POST, no lookup, no retry of an ambiguous failure. */
  post(body: GroupRequest): Promise<GroupData> {
    return this.rest.request<GroupData>({ method: "POST", path: "/groups/", body });
  }

  /**
   * One POST; after an ambiguous failure, a group of that name under the same parent is taken as the one
   * this call made before anything is re-sent. Group names need not be unique, so callers that must not take
   * an existing group look the name up first.
   */
  async create(body: GroupRequest, opts: CreateOnceOptions<GroupData> = {}): Promise<GroupData> {
    const outcome: CreateOutcome<GroupData> = await createOnce(
      this.rest,
      () => this.post(body),
      async () => (await this.list({ name: body.name })).find((g) => g.parent?.id === body.parent_id),
      { nameConflicts: false, ...opts },
    );
    return (outcome.created ?? outcome.existing)!;
  }

  /** PUT: name and parent. */
  update(id: string, body: GroupRequest): Promise<GroupData> {
    return this.rest.request({ method: "PUT", path: p(id), body });
  }

  /** Renames (`name`) or moves (`parent_id`) a group; its devices and subgroups move with it. */
  patch(id: string, body: Partial<GroupRequest>): Promise<GroupData> {
    return this.rest.request({ method: "PATCH", path: p(id), body });
  }

  /** Deletes a group; a 404 answering a repeated DELETE means the first one landed. */
  async delete(id: string): Promise<void> {
    await this.rest.request({ method: "DELETE", path: p(id), okOnRepeat: [404] });
  }

  /** Archives the group; safe to repeat. */
  archive(id: string): Promise<GroupData> {
    return this.rest.request({ method: "POST", path: `${p(id)}archive/`, idempotent: true });
  }

  /** Brings an archived group back; safe to repeat. */
  unarchive(id: string): Promise<GroupData> {
    return this.rest.request({ method: "POST", path: `${p(id)}unarchive/`, idempotent: true });
  }

  /**
   * Every group the caller can see, each with its path and subtree (one paged list). Groups whose parent is
   * not visible are tree roots.
   */
  async tree(query: Pick<GroupListQuery, "archived" | "organisation"> = {}): Promise<GroupNode[]> {
    return buildTree(await this.list(query));
  }

  /** The ids of a group and every group below it (one paged list of groups). */
  async descendants(groupId: string): Promise<string[]> {
    const node = (await this.tree()).find((g) => g.id === groupId);
    if (!node) throw new DooverException(`group ${groupId} does not exist or is not visible to this token`);
    return node.subtree;
  }

  /**
   * Groups by exact name (live ones unless `archived` says otherwise), or by path `"Pumps/North"` (each
   * segment an exact name, matched from any level down). Several can match: names are not unique.
   */
  async findByName(name: string, opts: { archived?: boolean } = {}): Promise<GroupNode[]> {
    const segments = name.split("/").filter((s) => s !== "");
    const last = segments[segments.length - 1] ?? name;
    const all = buildTree(await this.list(opts.archived === undefined ? {} : { archived: opts.archived }));
    const byId = new Map(all.map((g) => [g.id, g]));
    return all.filter((g) => {
      if (g.name !== last) return false;
      let at: GroupNode | undefined = g;
      for (let i = segments.length - 1; i >= 0; i--) {
        if (!at || at.name !== segments[i]) return false;
        at = at.parent ? byId.get(at.parent.id) : undefined;
      }
      return true;
    });
  }
}

/** Paths and subtrees from a flat list of groups (parents by id). */
export function buildTree(groups: GroupData[]): GroupNode[] {
  const byId = new Map(groups.map((g) => [String(g.id), g]));
  const children = new Map<string, string[]>();
  for (const g of groups) {
    const parent = g.parent ? String(g.parent.id) : undefined;
    if (parent === undefined || !byId.has(parent)) continue;
    const list = children.get(parent);
    if (list) list.push(String(g.id));
    else children.set(parent, [String(g.id)]);
  }
  const pathOf = (g: GroupData): string => {
    const names: string[] = [];
    let at: GroupData | undefined = g;
    for (let depth = 0; at && depth < 1000; depth++) {
      names.unshift(at.name);
      at = at.parent ? byId.get(String(at.parent.id)) : undefined;
    }
    return names.join("/");
  };
  const subtreeOf = (id: string): string[] => {
    const out = [id];
    const seen = new Set(out);
    for (let i = 0; i < out.length; i++) {
      for (const c of children.get(out[i]) ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          out.push(c);
        }
      }
    }
    return out;
  };
  return groups.map((g) => ({ ...g, path: pathOf(g), subtree: subtreeOf(String(g.id)) }));
}
