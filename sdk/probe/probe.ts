// `client.probe()` / `doover-probe`: which behaviours this Doover API has, next to what the package assumes.
// Read-only unless `write`; with `write`, throwaway objects `probe_<random>…` are made and removed again.

import { randomBytes } from "node:crypto";
import type { Client } from "../client";
import { VERSION } from "../version";
import { addRow, describeError, isStop, type ProbeContext, tryGet } from "./context";
import { modelFieldRows } from "./field-checks";
import { ProbeObserver } from "./observer";
import {
  checkApplicationNameFilter,
  checkArchivedFilter,
  checkDeviceGroupFilters,
  checkInstallNameFilter,
  checkOrganisation,
  checkPagination,
  checkReachAndAuth,
  checkUnknownParameter,
  rateLimitRow,
  sampleModels,
  versionRow,
} from "./read-checks";
import { type Cleaned, exitCodeOf, type Leftover, type ProbeReport, type ProbeRow } from "./report";
import { Throwaways } from "./throwaways";
import { WriteChecks } from "./write-checks";

export interface ProbeOptions {
  /** make throwaway objects to see how POSTs of taken names are answered (default false: read-only) */
  write?: boolean;
  /** a (test) device for the install and tunnel checks; without it those are skipped */
  deviceId?: string;
  /** progress, waits and what `write` makes (default: stderr) */
  log?: (line: string) => void;
  /** stops the checks; what was made is still removed */
  signal?: AbortSignal;
  /** the name prefix of throwaway objects (default `probe_<10 random characters>`) */
  prefix?: string;
}

/** Runs every check and hands back the report (it never throws for what the API answers). */
export async function runProbe(client: Client, options: ProbeOptions = {}): Promise<ProbeReport> {
  const startedAt = new Date();
  const log = options.log ?? ((line: string) => console.error(line));
  const prefix = options.prefix ?? `probe_${randomSuffix()}`;
  const observer = new ProbeObserver(client.rest, log);
  const ctx: ProbeContext = {
    client,
    observer,
    log,
    rows: [],
    samples: {},
    absentName: `${prefix}_none`,
    signal: options.signal,
  };
  if (options.deviceId !== undefined) ctx.deviceId = options.deviceId;
  const ledger = new Throwaways(client, log);
  let stopped: string | undefined;
  let cleaned: Cleaned[] = [];
  let leftovers: Leftover[] = [];
  try {
    const reach = await checkReachAndAuth(ctx);
    if (reach.stop) stopped = reach.stop;
    else {
      await checkOrganisation(ctx);
      await checkPagination(ctx, reach.page);
      if (ctx.deviceId !== undefined) await checkDevice(ctx);
      await checkUnknownParameter(ctx);
      await checkDeviceGroupFilters(ctx);
      await sampleModels(ctx);
      if (options.write) await writeChecks(ctx, ledger, prefix);
      else {
        const known = ctx.samples.Application?.list?.name;
        await checkApplicationNameFilter(ctx, typeof known === "string" ? known : undefined);
        await checkArchivedFilter(ctx);
        await checkInstallNameFilter(ctx);
        addRow(ctx, {
          id: "writes",
          behaviour: "how POSTs of taken names are answered",
          server: "not checked: read-only",
          assumes: "see --write",
          verdict: "SKIPPED",
          meaning:
            "Run with --write (and --device <id> of a test device) to see whether this API upserts or refuses a " +
            "taken name: it makes throwaway objects named probe_<random> and removes them again.",
        });
      }
    }
  } catch (e) {
    if (isStop(e)) stopped = "interrupted";
    else
      addRow(ctx, {
        id: "probe",
        behaviour: "the probe itself",
        server: `stopped: ${describeError(e)}`,
        assumes: "-",
        verdict: "ERROR",
      });
  } finally {
    if (ledger.count > 0) {
      log(`doover-probe: removing the ${ledger.count} object(s) it made`);
      ({ cleaned, leftovers } = await ledger.cleanUp());
    }
  }
  if (stopped === undefined || stopped === "interrupted") {
    versionRow(ctx);
    rateLimitRow(ctx);
    modelFieldRows(ctx);
  }
  observer.close();
  const report: ProbeReport = {
    packageVersion: VERSION,
    apiUrl: client.baseUrl,
    credentialSource: client.credentialSource,
    write: options.write === true,
    rows: sortRows(ctx.rows),
    cleaned,
    leftovers,
    exitCode: 0,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
  const org = ctx.organisationId ?? client.organisationId;
  if (org !== undefined) report.organisationId = org;
  if (options.write) report.prefix = prefix;
  if (ctx.deviceId !== undefined) report.deviceId = ctx.deviceId;
  if (stopped !== undefined) report.stopped = stopped;
  report.exitCode = exitCodeOf(report);
  return report;
}

async function checkDevice(ctx: ProbeContext): Promise<void> {
  const id = ctx.deviceId!;
  const r = await tryGet<Record<string, unknown>>(ctx, `/devices/${encodeURIComponent(id)}/`);
  addRow(ctx, {
    id: "device",
    behaviour: "the device named by --device",
    server: r.ok
      ? `device ${id} (${String(r.body.display_name ?? r.body.name ?? "")}) is visible`
      : describeError(r.error),
    assumes: "a device this token may read",
    verdict: r.ok ? "OK" : "ERROR",
    meaning: r.ok ? undefined : "The install and tunnel checks need a device id this token can see (GET /devices/).",
  });
  if (!r.ok) delete ctx.deviceId;
}

/** The `--write` checks, in an order where each needs only what came before. */
async function writeChecks(ctx: ProbeContext, ledger: Throwaways, prefix: string): Promise<void> {
  if (!ctx.organisationId) {
    addRow(ctx, {
      id: "writes",
      behaviour: "how POSTs of taken names are answered",
      server: "not checked: no organisation named to write to",
      assumes: "see --write",
      verdict: "SKIPPED",
      meaning:
        "Pass --organisation <id> (or set DOOVER_ORGANISATION_ID) to one of the organisations listed above: the " +
        "probe writes only into an organisation you name.",
    });
    await checkInstallNameFilter(ctx);
    return;
  }
  const w = new WriteChecks(ctx, ledger, prefix);
  const created = "201 Created";
  const app = await step(ctx, "applications.create", "POST /applications/ (a new name)", created, () =>
    w.createApplication(),
  );
  if (!app) return;
  await checkApplicationNameFilter(ctx, prefix);
  await step(ctx, "applications.post-taken-name", "POST /applications/ with a taken name", "-", () =>
    w.postTakenName(app),
  );
  await step(ctx, "applications.post-partial", "POST /applications/ with a partial body", "-", () =>
    w.postPartial(app),
  );
  await step(ctx, "applications.create-path", "the package's create path", "-", () => w.createPathApplication(app));
  await step(ctx, "applications.create-path-race", "the package's create path, after its lookup", "-", () =>
    w.createPathRaceApplication(app),
  );
  if (ctx.deviceId !== undefined) {
    const device = ctx.deviceId;
    const install = await step(ctx, "installs.create", "POST /app_installs/ (a new name)", created, () =>
      w.createInstall(app, device),
    );
    if (install) {
      await checkInstallNameFilter(ctx, String(install.name));
      await step(ctx, "installs.post-taken-name", "POST /app_installs/ with a taken name", "-", () =>
        w.postTakenInstallName(app, install, device),
      );
      await step(ctx, "installs.create-path", "the package's create path", "-", () =>
        w.createPathInstall(app, install, device),
      );
      await step(ctx, "installs.create-path-race", "the package's create path, after its lookup", "-", () =>
        w.createPathRaceInstall(app, install, device),
      );
    } else await checkInstallNameFilter(ctx);
    const tunnel = await step(ctx, "tunnels.create", "POST /devices/{d}/tunnels/ (a new name)", created, () =>
      w.createTunnel(device),
    );
    if (tunnel)
      await step(ctx, "tunnels.post-taken-name", "POST /devices/{d}/tunnels/ with a taken name", "-", () =>
        w.postTakenTunnelName(tunnel, device),
      );
  } else {
    await checkInstallNameFilter(ctx);
    for (const [id, behaviour] of [
      ["installs.post-taken-name", "POST /app_installs/ with a name taken on the device"],
      ["tunnels.post-taken-name", "POST /devices/{d}/tunnels/ with a name taken on the device"],
    ]) {
      addRow(ctx, {
        id,
        behaviour,
        server: "not checked: no device",
        assumes: "see --device",
        verdict: "SKIPPED",
        meaning:
          "Pass --device <id> of a test device: the probe installs its throwaway application there and makes a tunnel, then removes both.",
      });
    }
  }
  await step(ctx, "applications.post-archived-name", "POST /applications/ with an archived name", "-", () =>
    w.postArchivedName(app),
  );
  await checkArchivedFilter(ctx);
  w.createStatusRow();
}

/** Runs one write step; a failure becomes an ERROR row (and undefined) instead of ending the probe. */
async function step<T>(
  ctx: ProbeContext,
  id: string,
  behaviour: string,
  assumes: string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    if (isStop(e)) throw e;
    addRow(ctx, { id, behaviour, server: `failed: ${describeError(e)}`, assumes, verdict: "ERROR" });
    return undefined;
  }
}

/** Row order of the table: the API, then lists, then writes, then fields (stable within a group). */
const ORDER = [
  "api.reachable",
  "api.token",
  "organisation",
  "device",
  "api.version",
  "api.rate-limits",
  "pagination",
  "filter.",
  "create.",
  "applications.",
  "installs.",
  "tunnels.",
  "writes",
  "fields.",
  "probe",
];

function sortRows(rows: ProbeRow[]): ProbeRow[] {
  const rank = (r: ProbeRow) => {
    const group = ORDER.filter((p) => p.endsWith(".") && r.id.startsWith(p))[0] ?? r.id;
    const i = ORDER.indexOf(group);
    return i < 0 ? ORDER.length : i;
  };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}

/** 10 characters of [a-z0-9]: valid in every Doover name. */
function randomSuffix(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
}
