// Drives the real `@pulumi/pulumi/cmd/dynamic-provider` host (the process the engine starts as
// `pulumi-resource-pulumi-nodejs`) over gRPC with the same RPCs the engine sends, plus small helpers
// the provider tests share (stack config for an emulator, the writes in its log).

import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { Emulator, EmulatorLogEntry } from "../../emulator";
import { POLL } from "../../provider/app-install/app-install-deploy";

/* eslint-disable @typescript-eslint/no-require-imports */
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

export type Bag = Record<string, unknown>;

/** The envelope the engine uses for a secret value in a property bag. */
export function rpcSecret(value: unknown): Bag {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

export interface ProviderHost {
  port: number;
  /** everything the host wrote to stderr so far */
  stderr(): string;
  configure(args: Bag): Promise<void>;
  check(urn: string, olds: Bag, news: Bag): Promise<{ inputs: Bag; failures: CheckFailure[] }>;
  diff(
    urn: string,
    id: string,
    olds: Bag,
    news: Bag,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(urn: string, properties: Bag): Promise<{ id: string; properties: Bag }>;
  read(urn: string, id: string, properties: Bag, inputs?: Bag): Promise<{ id: string; properties: Bag; inputs?: Bag }>;
  update(urn: string, id: string, olds: Bag, news: Bag): Promise<{ properties: Bag }>;
  delete(urn: string, id: string, properties: Bag): Promise<void>;
  close(): Promise<void>;
}

export function urnFor(type: string, name: string, project = "proj", stack = "test"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** Starts the host with `cwd` (the program directory: where `node_modules` is found from). */
export async function startProviderHost(opts: { cwd: string; project?: string; env?: Bag }): Promise<ProviderHost> {
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"], // engine address: required, unused
    {
      cwd: opts.cwd,
      env: { ...process.env, PULUMI_NODEJS_PROJECT: opts.project ?? "proj", ...(opts.env as NodeJS.ProcessEnv) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /^(\d+)\s/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`provider host exited (${code}): ${stderr}`)));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const rpc = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) =>
      client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
    );
  const struct = (b: Bag) => Struct.fromJavaScript(b as never);
  const js = (s: Struct | undefined) => (s ? (s.toJavaScript() as Bag) : {});

  return {
    port,
    stderr: () => stderr,
    async configure(args) {
      const req = new provproto.ConfigureRequest();
      req.setArgs(struct(args));
      await rpc("configure", req);
    },
    async check(urn, olds, news) {
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await rpc<any>("check", req);
      return {
        inputs: js(res.getInputs()),
        failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(urn, id, olds, news) {
      const req = new provproto.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await rpc<any>("diff", req);
      return {
        changes: res.getChanges(),
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(urn, properties) {
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(properties));
      const res = await rpc<any>("create", req);
      return { id: res.getId(), properties: js(res.getProperties()) };
    },
    async read(urn, id, properties, inputs) {
      const req = new provproto.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(properties));
      if (inputs) req.setInputs(struct(inputs));
      const res = await rpc<any>("read", req);
      return {
        id: res.getId(),
        properties: js(res.getProperties()),
        inputs: res.getInputs() ? js(res.getInputs()) : undefined,
      };
    },
    async update(urn, id, olds, news) {
      const req = new provproto.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await rpc<any>("update", req);
      return { properties: js(res.getProperties()) };
    },
    async delete(urn, id, properties) {
      const req = new provproto.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(properties));
      await rpc("delete", req);
    },
    async close() {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

// ---- shared helpers of the provider tests ----

/** A `ConfigureRequest`-shaped object over plain stack config. */
export function stackConfig(values: Record<string, unknown>): { config: { get(key: string): unknown } } {
  return { config: { get: (key: string) => values[key] } };
}

/** Stack config pointing the provider at an emulator. */
export function emulatorConfig(emu: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "doover:token": emu.token,
    "doover:apiUrl": emu.url,
    "doover:organisationId": emu.organisationId,
    ...extra,
  };
}

/** Non-GET requests, as "METHOD /path/". */
export function writes(emu: Emulator): string[] {
  return emu
    .log()
    .filter((e: EmulatorLogEntry) => e.method !== "GET")
    .map((e: EmulatorLogEntry) => `${e.method} ${e.path}`);
}

/** "METHOD /path/ status" of every call the emulator saw. */
export function calls(emu: Emulator): string[] {
  return emu.log().map((e) => `${e.method} ${e.path} ${e.status}`);
}

/** Runs `fn` while collecting what it writes with console.error (the provider's engine log). */
export async function capturingStderr<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
  try {
    return { result: await fn(), lines };
  } finally {
    console.error = original;
  }
}

/** Mocha hooks: the install provider polls deployments on a fast clock for this suite, then as before. */
export function useFastDeploymentPolling(
  settings: Partial<typeof POLL> = { firstMs: 20, factor: 1.5, maxMs: 200 },
): void {
  const saved = { ...POLL };
  before(() => Object.assign(POLL, settings));
  after(() => Object.assign(POLL, saved));
}
