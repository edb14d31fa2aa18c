// The group hierarchy (MPTT on the real service): subtrees, ancestry and paths over the stored groups.

import type { Store } from "./store";
import type { GroupRecord } from "./types";

export function findGroup(store: Store, id: string): GroupRecord | undefined {
  return store.data.groups.find((g) => g.id === id);
}

/** The group and every group below it. */
export function subtreeIds(store: Store, rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const g of store.data.groups) {
    if (g.parent_id === null) continue;
    const list = children.get(g.parent_id);
    if (list) list.push(g.id);
    else children.set(g.parent_id, [g.id]);
  }
  const out = new Set<string>([rootId]);
  const queue = [rootId];
  while (queue.length) {
    for (const c of children.get(queue.pop()!) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/** Direct children, oldest first. */
export function childGroups(store: Store, id: string): GroupRecord[] {
  return store.data.groups.filter((g) => g.parent_id === id);
}

/** "Root/Pumps/North": the names from the organisation's root group down. */
export function groupPath(store: Store, g: GroupRecord): string {
  const names: string[] = [];
  let at: GroupRecord | undefined = g;
  for (let depth = 0; at && depth < 1000; depth++) {
    names.unshift(at.name);
    at = at.parent_id === null ? undefined : findGroup(store, at.parent_id);
  }
  return names.join("/");
}
