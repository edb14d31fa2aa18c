// Helpers for the probe's tests: run it against a URL, find a row, list what it left in the emulator.

import assert from "node:assert/strict";
import type { Emulator } from "../../emulator";
import { Client, type ProbeOptions, type ProbeReport, type ProbeRow } from "../../sdk";
import { applicationBody, emulatorFetch } from "./emulator";

/** A client for `url` with the emulator's token and organisation, fast retries and a short budget. */
export function probeClient(emulator: Emulator, url = emulator.url, extra: Record<string, unknown> = {}): Client {
  return new Client({
    baseUrl: url,
    token: emulator.token,
    organisationId: emulator.organisationId,
    env: {},
    retryBaseDelayMs: 5,
    maxRetryDelayMs: 200,
    retryBudgetMs: 20_000,
    ...extra,
  });
}

/** Runs the probe and keeps what it logged. */
export async function runProbe(
  client: Client,
  options: ProbeOptions = {},
): Promise<{ report: ProbeReport; log: string[] }> {
  const log: string[] = [];
  const report = await client.probe({
    ...options,
    log: (line) => {
      log.push(line);
      options.log?.(line);
    },
  });
  return { report, log };
}

/** The row with this id (fails listing the ids there are). */
export function row(report: ProbeReport, id: string): ProbeRow {
  const r = report.rows.find((x) => x.id === id);
  assert.ok(r, `no row ${id}; rows: ${report.rows.map((x) => x.id).join(", ")}`);
  return r;
}

/** `id → verdict` of every row, for readable deepEqual failures. */
export function verdicts(report: ProbeReport): Record<string, string> {
  return Object.fromEntries(report.rows.map((r) => [r.id, r.verdict]));
}

/** Everything in the emulator whose name starts with `prefix`, read from the emulator itself. */
export async function objectsNamed(
  emulator: Emulator,
  prefix: string,
): Promise<{
  apps: { id: string; archived: boolean }[];
  installs: { id: string; archived: boolean }[];
  tunnels: { id: string }[];
}> {
  const apps = await emulatorFetch(emulator, "GET", `/applications/?name__contains=${prefix}&per_page=1000`);
  const installs = await emulatorFetch(emulator, "GET", `/app_installs/?name__contains=${prefix}&per_page=1000`);
  const tunnels = await emulatorFetch(emulator, "GET", `/tunnels/?search=${prefix}&per_page=1000`);
  const pick = (list: any[]) => list.map((x) => ({ id: String(x.id), archived: x.archived === true }));
  return {
    apps: pick(apps.body.results),
    installs: pick(installs.body.results),
    tunnels: (tunnels.body.results as any[]).map((t) => ({ id: String(t.id) })),
  };
}

/** Some data for the read-only checks to decide on: two apps (one archived), an install, a tunnel. */
export async function seed(emulator: Emulator): Promise<void> {
  const device = emulator.deviceIds[1];
  const a = await emulatorFetch(emulator, "POST", "/applications/", applicationBody(emulator, "seed_live"));
  const b = await emulatorFetch(emulator, "POST", "/applications/", applicationBody(emulator, "seed_archived"));
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  await emulatorFetch(emulator, "POST", `/applications/${b.body.id}/archive/`);
  const i = await emulatorFetch(emulator, "POST", "/app_installs/", {
    application_id: a.body.id,
    device_id: device,
    display_name: "Seed",
    name: "seed_install",
  });
  assert.equal(i.status, 201, JSON.stringify(i.body));
  const t = await emulatorFetch(emulator, "POST", `/devices/${device}/tunnels/`, {
    name: "seed_tunnel",
    hostname: "127.0.0.1",
    port: 22,
    protocol: "tcp",
  });
  assert.equal(t.status, 201);
  // A subgroup with one device in it, so group filters have something to tell apart.
  const root = (await emulatorFetch(emulator, "GET", "/groups/?per_page=100")).body.results.find((g: any) => !g.parent);
  const sub = await emulatorFetch(emulator, "POST", "/groups/", { name: "Seed group", parent_id: root.id });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const moved = await emulatorFetch(emulator, "PATCH", `/devices/${emulator.deviceIds[2]}/`, { group_id: sub.body.id });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
}
