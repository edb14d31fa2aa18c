// Test helpers around the in-process emulator (real HTTP on 127.0.0.1, port 0).

import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator";
import { Client, type ClientOptions } from "../../sdk";

export type {
  Emulator,
  EmulatorFault,
  EmulatorLogEntry,
  EmulatorOptions,
} from "../../emulator";

/** Starts an emulator on 127.0.0.1 with a random port and a fixed test token unless given. */
export function startTestEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({
    token: "test-token",
    ...opts,
    host: "127.0.0.1",
    port: 0,
  });
}

/**
 * Mocha helper: one emulator for the enclosing `describe`, reset before each test, closed after.
 * Read `.current` inside tests/hooks (it is set in `before`).
 */
export function useEmulator(opts: EmulatorOptions = {}): {
  readonly current: Emulator;
} {
  let emulator: Emulator | undefined;
  before(async () => {
    emulator = await startTestEmulator(opts);
  });
  beforeEach(() => emulator?.reset());
  after(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  return {
    get current(): Emulator {
      if (!emulator) throw new Error("emulator not started yet: use it inside a test or hook");
      return emulator;
    },
  };
}

/** fetch against the emulator with its Bearer token (and JSON body when given). */
export async function emulatorFetch(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${emulator.token}`,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    headers: res.headers,
  };
}

/** A valid application create body for the emulator's organisation. */
export function applicationBody(
  emulator: Emulator,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    display_name: `App ${name}`,
    description: "An application made by a test.",
    type: "PRO",
    visibility: "PRI",
    depends_on: [],
    organisation_id: emulator.organisationId,
    container_registry_profile_id: null,
    ...extra,
  };
}

/** An sdk Client for the emulator with its token: no environment or profile, fast retries. */
export function emulatorClient(emulator: Emulator, overrides: ClientOptions = {}): Client {
  return new Client({
    baseUrl: emulator.url,
    token: emulator.token,
    organisationId: emulator.organisationId,
    env: {},
    retryBaseDelayMs: 1,
    ...overrides,
  });
}

/** Id of the second organisation {@link startTwoOrganisationEmulator} adds. */
export const SECOND_ORGANISATION_ID = "990000000000000001";

/**
 * An emulator with a second organisation ({@link SECOND_ORGANISATION_ID}) next to the seeded one: the
 * emulator seeds one, so this writes a second into a state file under `dir` and starts from it.
 */
export async function startTwoOrganisationEmulator(dir: string, opts: EmulatorOptions = {}): Promise<Emulator> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const statePath = path.join(dir, `two-orgs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.json`);
  await (await startTestEmulator({ ...opts, statePath })).close();
  const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
  for (const part of [state.seed, state.data]) {
    part.organisations.push({ ...part.organisations[0], id: SECOND_ORGANISATION_ID, name: "Second Organisation" });
  }
  fs.writeFileSync(statePath, JSON.stringify(state));
  return startTestEmulator({ ...opts, statePath });
}
