// Every object `--write` makes is recorded here the moment its id is known (before anything else is sent),
// and removed at the end whatever happened: installs and tunnels are deleted, applications archived (the API
// has no DELETE for them). What could not be removed is reported with the commands to remove it by hand.

import type { Client } from "../client";
import { NotFound } from "../errors";
import type { Cleaned, Leftover } from "./report";

interface Made {
  kind: Leftover["kind"];
  id: string;
  name: string;
  /** tunnels: the device (its delete command names it) */
  deviceId?: string;
}

export class Throwaways {
  private readonly made: Made[] = [];

  constructor(
    private readonly client: Client,
    private readonly log: (line: string) => void,
  ) {}

  /** Records an object the probe made (once per id). */
  add(kind: Made["kind"], obj: { id: unknown; name?: unknown }, deviceId?: string): void {
    const id = String(obj.id);
    if (this.has(kind, id)) return;
    const made: Made = { kind, id, name: String(obj.name ?? "") };
    if (deviceId !== undefined) made.deviceId = deviceId;
    this.made.push(made);
    this.log(`doover-probe: made ${kind} ${made.name} (id ${id}); it is removed at the end`);
  }

  has(kind: Made["kind"], id: string): boolean {
    return this.made.some((m) => m.kind === kind && m.id === id);
  }

  get count(): number {
    return this.made.length;
  }

  /**
   * Installs first (they hold their application), then tunnels, then applications. Each object is checked
   * after its removal: an install or tunnel that still answers, or an application still live, is a leftover.
   */
  async cleanUp(): Promise<{ cleaned: Cleaned[]; leftovers: Leftover[] }> {
    const cleaned: Cleaned[] = [];
    const leftovers: Leftover[] = [];
    const order: Made["kind"][] = ["app install", "tunnel", "application"];
    for (const kind of order) {
      for (const m of this.made.filter((x) => x.kind === kind)) {
        try {
          const how = await this.remove(m);
          cleaned.push({ kind: m.kind, id: m.id, name: m.name, how });
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          leftovers.push({
            kind: m.kind,
            id: m.id,
            name: m.name,
            state: m.kind === "application" ? "live (not archived)" : "exists",
            reason,
            removeWith: this.commands(m),
          });
        }
      }
    }
    return { cleaned, leftovers };
  }

  private async remove(m: Made): Promise<Cleaned["how"]> {
    const c = this.client;
    if (m.kind === "application") {
      const before = await c.applications.retrieve(m.id);
      if (before.archived) return "already archived";
      const after = await c.applications.archive(m.id);
      if (after?.archived !== true && (await c.applications.retrieve(m.id)).archived !== true)
        throw new Error("the archive was answered but the application is still live");
      return "archived";
    }
    const api = m.kind === "tunnel" ? c.tunnels : c.appInstalls;
    try {
      await api.retrieve(m.id);
    } catch (e) {
      if (NotFound.isInstance(e)) return "already gone";
      throw e;
    }
    await api.delete(m.id);
    let after: { archived?: unknown };
    try {
      after = (await api.retrieve(m.id)) as { archived?: unknown };
    } catch (e) {
      if (NotFound.isInstance(e)) return "deleted";
      throw e;
    }
    // An API may keep a deleted install, archived: that is as gone as the API lets it be.
    if (m.kind === "app install" && after.archived === true) return "archived";
    throw new Error("the delete was answered but the object still exists");
  }

  /** doover-cli's command and the plain HTTP call that remove `m` (the token from the environment). */
  private commands(m: Made): string[] {
    const api = this.client.baseUrl;
    const auth = `-H "Authorization: Bearer $DOOVER_API_TOKEN"`;
    switch (m.kind) {
      case "application":
        return [`doover app archive ${m.id}`, `curl -X POST ${auth} ${api}/applications/${m.id}/archive/`];
      case "app install":
        return [`doover app-install delete ${m.id} --yes`, `curl -X DELETE ${auth} ${api}/app_installs/${m.id}/`];
      case "tunnel":
        return [
          `doover device tunnels delete ${m.deviceId ?? "<device id>"} ${m.id} --yes`,
          `curl -X DELETE ${auth} ${api}/tunnels/${m.id}/`,
        ];
    }
  }
}
