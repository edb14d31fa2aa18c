// HTTP front: control endpoints, faults, auth, method checks, body parsing, logging and recording.

import * as http from "node:http";
import { MAX_JSON_DEPTH } from "../sdk/json-limits";
import { type AuthServer, redactTokenQuery } from "./auth-server";
import type { HandlerResult, RequestContext } from "./context";
import { ApiError, validationError } from "./errors";
import { type Faults, faultProblem } from "./faults";
import { type FormBody, parseMultipart, parseUrlEncoded } from "./form-data";
import { parseLossless, tooDeep } from "./json";
import type { Recorder } from "./recorder";
import { matchRoute } from "./routes";
import type { Store } from "./store";
import type { EmulatorFault, EmulatorLogEntry } from "./types";

export interface ServerDeps {
  store: Store;
  /** `/oauth2/token` and the access tokens it issued */
  auth: AuthServer;
  faults: Faults;
  recorder: Recorder;
  requestLog: EmulatorLogEntry[];
  perPageDefault: number;
  reset(): void;
}

interface Answer extends HandlerResult {
  template: string | null;
  headers?: Record<string, string>;
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** JSON, or one of the two form encodings the spec allows beside it (DRF's parsers). */
function parseBody(type: string, raw: Buffer): { body: unknown; form?: FormBody } {
  if (/^application\/(.+\+)?json\b/i.test(type)) {
    try {
      const text = UTF8.decode(raw); // DRF decodes strictly: bytes that are not UTF-8 are a parse error
      const deep = tooDeep(text, MAX_JSON_DEPTH + 1); // the body object is one level
      if (deep) {
        const msg = `Nested deeper than ${MAX_JSON_DEPTH} levels (the most the API and its Python clients read back).`;
        throw deep.key === undefined
          ? new ApiError(400, { detail: `JSON parse error - ${msg}` })
          : validationError({ [deep.key]: [msg] });
      }
      return { body: parseLossless(text) };
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(400, {
        detail: `JSON parse error - ${(e as Error).message}`,
      });
    }
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) return { body: {}, form: parseUrlEncoded(raw) };
  if (/^multipart\/form-data\b/i.test(type)) return { body: {}, form: parseMultipart(raw, type) };
  throw new ApiError(415, {
    detail: `Unsupported media type "${type}" in request.`,
  });
}

function writeJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return m ? m[1].trim() : undefined;
}

/** Runs the API proper (everything after faults): routing, auth, 405, body parsing, handler. */
function answer(deps: ServerDeps, req: http.IncomingMessage, method: string, url: URL, raw: Buffer): Answer {
  const matched = matchRoute(url.pathname);
  if (!matched) return { status: 404, body: { detail: "Not found." }, template: null };
  const template = matched.route.template;
  try {
    const token = bearer(req);
    if (!token)
      throw new ApiError(
        401,
        { detail: "Authentication credentials were not provided." },
        { "WWW-Authenticate": 'Bearer realm="api"' },
      );
    if (token !== deps.store.token) {
      const verdict = deps.auth.verify(token);
      if (verdict === "expired")
        throw new ApiError(
          401,
          { detail: "Access token expired." },
          {
            "WWW-Authenticate":
              'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
          },
        );
      if (verdict !== "valid")
        throw new ApiError(401, { detail: "Invalid token." }, { "WWW-Authenticate": 'Bearer realm="api"' });
    }
    const handler = matched.route.methods[method];
    if (!handler) {
      throw new ApiError(
        405,
        { detail: `Method "${method}" not allowed.` },
        { Allow: Object.keys(matched.route.methods).join(", ") },
      );
    }
    let parsed: { body: unknown; form?: FormBody } = { body: {} };
    if (BODY_METHODS.has(method) && raw.toString("utf8").trim() !== "")
      parsed = parseBody(req.headers["content-type"] ?? "application/json", raw);
    const ctx: RequestContext = {
      method,
      path: url.pathname,
      query: url.searchParams,
      params: matched.params,
      headers: req.headers,
      body: parsed.body,
      form: parsed.form,
      baseUrl: `http://${req.headers.host ?? "127.0.0.1"}`,
      store: deps.store,
      perPageDefault: deps.perPageDefault,
      faults: deps.faults,
    };
    return { ...handler(ctx), template };
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: e.body, headers: e.headers, template };
    console.error("emulator: handler failed:", e);
    return {
      status: 500,
      body: { detail: "Internal emulator error." },
      template,
    };
  }
}

function isAuthPath(path: string): boolean {
  return path === "/oauth2/token" || path === "/oauth2/token/";
}

/** `/oauth2/token`: parameters from the query string (what pydoover sends) or a form body. */
function authAnswer(deps: ServerDeps, req: http.IncomingMessage, method: string, url: URL, raw: Buffer): Answer {
  const params = new URLSearchParams(url.searchParams);
  if (/^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? ""))
    for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) if (!params.has(k)) params.set(k, v);
  return { ...deps.auth.token(method, params), template: null };
}

function control(deps: ServerDeps, method: string, path: string, raw: string, res: http.ServerResponse): void {
  const key = `${method} ${path.replace(/\/?$/, "/")}`;
  switch (key) {
    case "GET /_emulator/log/":
      return writeJson(res, 200, deps.requestLog);
    case "DELETE /_emulator/log/":
      deps.requestLog.length = 0;
      return writeJson(res, 204, undefined);
    case "POST /_emulator/reset/":
      deps.reset();
      return writeJson(res, 200, {
        detail: "Emulator reset to its seed state.",
      });
    case "GET /_emulator/uploads/":
      return writeJson(res, 200, deps.store.uploads());
    case "GET /_emulator/auth/":
      return writeJson(res, 200, deps.auth.summary());
    case "POST /_emulator/auth/revoke/": {
      let body: { refreshToken?: unknown } | null;
      try {
        body = JSON.parse(raw || "null");
      } catch {
        return writeJson(res, 400, { detail: "Body must be JSON." });
      }
      const one = body?.refreshToken;
      if (one !== undefined && typeof one !== "string")
        return writeJson(res, 400, { detail: "refreshToken must be a string." });
      return writeJson(res, 200, { revoked: deps.auth.revoke(one) });
    }
    case "GET /_emulator/upserts/":
      return writeJson(res, 200, deps.store.upserts);
    case "GET /_emulator/faults/":
      return writeJson(res, 200, deps.faults.pending());
    case "DELETE /_emulator/faults/":
      deps.faults.clear();
      return writeJson(res, 204, undefined);
    case "POST /_emulator/faults/": {
      let fault: unknown;
      try {
        fault = JSON.parse(raw || "null");
      } catch {
        return writeJson(res, 400, { detail: "Body must be JSON." });
      }
      const problem = faultProblem(fault);
      if (problem) return writeJson(res, 400, { detail: problem });
      deps.faults.add(fault as EmulatorFault);
      return writeJson(res, 201, { detail: "Fault armed." });
    }
    case "GET /_emulator/deployment-outcomes/":
      return writeJson(res, 200, deps.store.deploymentOutcomes.get() ?? null);
    case "DELETE /_emulator/deployment-outcomes/":
      deps.store.deploymentOutcomes.clear();
      return writeJson(res, 204, undefined);
    case "POST /_emulator/deployment-outcomes/": {
      try {
        return writeJson(res, 200, deps.store.deploymentOutcomes.set(JSON.parse(raw || "null")));
      } catch (e) {
        return writeJson(res, 400, { detail: (e as Error).message });
      }
    }
    default:
      return writeJson(res, 404, { detail: "Not found." });
  }
}

export function createServer(deps: ServerDeps): http.Server {
  return http.createServer((req, res) => {
    void handle(deps, req, res).catch((e) => {
      console.error("emulator: request failed:", e);
      if (!res.headersSent) writeJson(res, 500, { detail: "Internal emulator error." });
    });
  });
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const raw = await readBody(req);
  if (url.pathname.startsWith("/_emulator/") || url.pathname === "/_emulator") {
    return control(deps, method, url.pathname, raw.toString("utf8"), res);
  }
  const auth = isAuthPath(url.pathname);
  const entry: EmulatorLogEntry = {
    method,
    path: url.pathname,
    query: auth ? redactTokenQuery(url.search.replace(/^\?/, "")) : url.search.replace(/^\?/, ""),
    status: 0,
  };
  const send = (a: Answer) => {
    entry.status = a.status;
    if (a.upsert) entry.upsert = true;
    deps.requestLog.push(entry);
    // The auth server is not part of the Control API document the recording is checked against.
    if (!auth)
      deps.recorder.record({
        method,
        path: url.pathname,
        template: a.template,
        status: a.status,
        body: a.status === 204 || a.raw ? null : (a.body ?? null),
        ...(a.raw ? { contentType: a.raw.contentType } : {}),
      });
    if (a.raw) {
      res.writeHead(a.status, { "Content-Type": a.raw.contentType, "Content-Length": a.raw.data.length, ...a.headers });
      res.end(a.raw.data);
      return;
    }
    writeJson(res, a.status, a.body, a.headers);
  };
  const drop = () => {
    deps.requestLog.push(entry); // status 0: no response
    req.socket.destroy();
  };
  const fault = deps.faults.take(method, url.pathname);
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  const injected = (template: string | null): Answer => ({
    status: fault!.status!,
    body: { detail: `Emulated fault: HTTP ${fault!.status}.` },
    headers: fault!.retryAfter !== undefined ? { "Retry-After": fault!.retryAfter } : {},
    template,
  });
  if (fault && !fault.afterCommit) {
    if (fault.dropConnection) return drop();
    if (fault.status !== undefined) return send(injected(matchRoute(url.pathname)?.route.template ?? null));
  }
  const real = auth ? authAnswer(deps, req, method, url, raw) : answer(deps, req, method, url, raw);
  if (fault?.afterCommit) {
    if (fault.dropConnection) return drop();
    return send(injected(real.template));
  }
  send(real);
}
