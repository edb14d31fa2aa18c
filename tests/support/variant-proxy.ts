// A proxy on loopback in front of the emulator that plays an API which behaves otherwise: it can ignore
// query parameters, add headers, rewrite answers, and answer `POST /applications/` of a taken name by
// updating the application that holds it (an upsert, as doover-cli 0.7.1 says the live control plane does).
// For the probe's tests: each variant is one thing a live API might do that the emulator does not.

import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface VariantOptions {
  /** the API to forward to (the emulator's url) */
  target: string;
  /** query parameters removed before forwarding, for paths starting with `path` (the API "ignores" them) */
  ignoreQuery?: { path: string; params: string[] }[];
  /** headers added to every answer */
  headers?: Record<string, string>;
  /** changes an answer before it is sent (return it, changed or not) */
  rewrite?: (req: { method: string; path: string; query: URLSearchParams }, answer: Answer) => Answer;
  /** `POST /applications/` of a taken name updates that application (same id, only the fields sent), 200 */
  upsertApplications?: boolean;
  /** sends a request on as another one (e.g. a DELETE done as an archive); the answer's status is `status` */
  reroute?: (req: { method: string; path: string }) => { method: string; path: string; status: number } | undefined;
}

export class VariantProxy {
  /** requests seen: method and path (with query) as the client sent them */
  readonly seen: string[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly opts: VariantOptions,
  ) {}

  static async start(opts: VariantOptions): Promise<VariantProxy> {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const proxy = new VariantProxy(server, `http://127.0.0.1:${port}`, opts);
    server.on("request", (req, res) => {
      proxy.handle(req, res).catch((e) => {
        res.writeHead(502, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ detail: `variant proxy: ${(e as Error).message}` }));
      });
    });
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.opts.target);
    const method = (req.method ?? "GET").toUpperCase();
    this.seen.push(`${method} ${url.pathname}${url.search}`);
    for (const rule of this.opts.ignoreQuery ?? []) {
      if (url.pathname.startsWith(rule.path)) for (const p of rule.params) url.searchParams.delete(p);
    }
    const auth: Record<string, string> = {};
    for (const h of ["authorization", "x-doover-organisation"]) {
      const v = req.headers[h];
      if (typeof v === "string") auth[h] = v;
    }
    let answer: Answer | undefined;
    if (this.opts.upsertApplications && method === "POST" && url.pathname === "/applications/") {
      answer = await this.upsert(raw, auth);
    }
    const other = this.opts.reroute?.({ method, path: url.pathname });
    if (other) {
      const done = await this.forward(other.method, new URL(other.path, this.opts.target), "", auth, undefined);
      answer = done.status < 300 ? { status: other.status, headers: {}, body: undefined } : done;
    }
    answer ??= await this.forward(method, url, raw, auth, req.headers["content-type"]);
    if (this.opts.rewrite) answer = this.opts.rewrite({ method, path: url.pathname, query: url.searchParams }, answer);
    const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...answer.headers,
      ...(text ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) } : {}),
      ...this.opts.headers,
    });
    res.end(text);
  }

  private async forward(
    method: string,
    url: URL,
    body: string,
    auth: Record<string, string>,
    type: string | undefined,
  ): Promise<Answer> {
    const r = await fetch(url, {
      method,
      headers: { ...auth, ...(body ? { "Content-Type": type ?? "application/json" } : {}) },
      body: body || undefined,
      redirect: "manual",
    });
    const text = await r.text();
    const headers: Record<string, string> = {};
    for (const h of ["retry-after", "allow", "www-authenticate"]) {
      const v = r.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    return { status: r.status, headers, body: text ? JSON.parse(text) : undefined };
  }

  /** The name's holder (live or archived) is PATCHed with the body; a free name is forwarded as a create. */
  private async upsert(raw: string, auth: Record<string, string>): Promise<Answer | undefined> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || "{}");
    } catch {
      return undefined;
    }
    if (typeof body.name !== "string") return undefined;
    const target = this.opts.target;
    const find = async (archived: boolean) => {
      const q = new URLSearchParams({ name: body.name as string, archived: String(archived) });
      const r = await fetch(`${target}/applications/?${q}`, { headers: auth });
      const page = (await r.json()) as { results: { id: string; name: string; organisation: { id: string } }[] };
      return page.results.find((a) => a.name === body.name);
    };
    const holder = (await find(false)) ?? (await find(true));
    if (!holder) return undefined;
    const org = body.organisation_id ?? auth["x-doover-organisation"];
    if (org && String(org) !== String(holder.organisation.id)) {
      return {
        status: 403,
        headers: {},
        body: { detail: "The name is taken by an application of another organisation." },
      };
    }
    const { organisation_id: _o, ...patch } = body;
    const r = await fetch(`${target}/applications/${holder.id}/`, {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(patch),
    });
    return { status: r.status, headers: {}, body: await r.json() };
  }
}
