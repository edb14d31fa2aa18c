// `--write`: throwaway objects named `probe_<random>…` show how the server answers a POST whose name is taken
// (twice, partial, archived), for applications, and with `--device` for installs and tunnels. Every object is
// recorded in the ledger (throwaways.ts) the moment its id is known, and removed at the end.
//
// The probe's own creates follow the create path's rules (sdk/create-once.ts): one POST; after an ambiguous
// failure (reset, timeout, 5xx) the name is looked up before anything is sent again, so no duplicate is ever
// made by a retry; re-sends stop at the client's retry budget. The deliberate second POSTs look the name up
// the same way after an ambiguous failure, and any object found that the probe did not know is recorded too.

import type { AppInstallData, AppInstallRequest } from "../app-install-types";
import { createOnce, isAmbiguousFailure } from "../create-once";
import {
  APPLICATION_REQUEST_KEYS,
  type ApplicationData,
  type ApplicationRequest,
  type TunnelData,
  type TunnelRequest,
} from "../types";
import {
  APPLICATION_ARCHIVED_NAME,
  APPLICATION_TAKEN_NAME,
  type ArchivedNameOutcome,
  type Assumption,
  CREATE_PATH,
  CREATE_STATUS,
  INSTALL_TAKEN_NAME,
  PARTIAL_POST,
  type TakenNameOutcome,
  TUNNEL_TAKEN_NAME,
} from "./assumptions";
import { addRow, describeError, type ProbeContext, sample, statusOf, throwIfStopped } from "./context";
import { echoRow, type ReadBack } from "./field-checks";
import type { Throwaways } from "./throwaways";

/** Values the probe sends for each application request field (an unknown `*_schema` field gets a schema). */
export const APPLICATION_SAMPLE_VALUES: Record<string, (prefix: string, organisationId: string) => unknown> = {
  name: (prefix) => prefix,
  display_name: (prefix) => `Probe ${prefix}`,
  description: () => "Made by doover-probe to check how this API behaves; archived when the probe ends.",
  long_description: () => "doover-probe: a throwaway application.",
  type: () => "PRO",
  visibility: () => "PRI",
  allow_many: () => true,
  config_schema: () => ({ type: "object", properties: { probe: { type: "string" } } }),
  ui_schema: () => ({ "ui:order": ["probe"] }),
  depends_on: () => [],
  organisation_id: (_p, org) => org,
  container_registry_profile_id: () => null,
  image_name: () => "doover-probe/none:0",
  lambda_config: () => ({ probe: true }),
  icon_url: () => "https://probe.invalid/icon.png",
  banner_url: () => "https://probe.invalid/banner.png",
  repository_url: () => "https://probe.invalid/repository",
};

/** Request fields the probe does not send, and why. */
export const APPLICATION_NOT_SENT: Record<string, string> = {
  deployment_data: "a zip of a deployment folder (not needed to check names)",
  stars: "cloud-owned (neither the package's resources nor doover-cli send it)",
  lambda_arn: "cloud-owned (neither the package's resources nor doover-cli send it)",
};

/** doover-cli 0.7.1's create-only fields (`CREATE_ONLY_FIELDS`): left out of its POST when the app exists. */
export const DOOVER_CLI_CREATE_ONLY = [
  "display_name",
  "description",
  "visibility",
  "allow_many",
  "icon_url",
  "banner_url",
  "repository_url",
];

/** The full create body: every request field the SDK knows, with the probe's values. */
export function applicationBody(
  prefix: string,
  organisationId: string,
): { body: Record<string, unknown>; notSent: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const notSent: Record<string, string> = {};
  for (const key of APPLICATION_REQUEST_KEYS) {
    if (key in APPLICATION_NOT_SENT) notSent[key] = APPLICATION_NOT_SENT[key];
    else if (APPLICATION_SAMPLE_VALUES[key]) body[key] = APPLICATION_SAMPLE_VALUES[key](prefix, organisationId);
    else if (key.endsWith("_schema")) body[key] = { type: "object" };
    else notSent[key] = "no sample value: add one to APPLICATION_SAMPLE_VALUES (sdk/probe/write-checks.ts)";
  }
  return { body, notSent };
}

const APPLICATION_READ_BACK: ReadBack = {
  organisation_id: (a) => (a.organisation as { id?: unknown } | null)?.id ?? null,
  container_registry_profile_id: (a) => (a.container_registry_profile as { id?: unknown } | null)?.id ?? null,
};

/** The outcome of a deliberate POST of a name the probe already holds. */
interface Repost<T> {
  /** HTTP status of the answer (0: lost; the outcome was then read off the list) */
  status: number;
  object?: T;
  error?: unknown;
  /** objects with the name the probe did not know before this POST (recorded in the ledger) */
  fresh: T[];
  /** an ambiguous failure came first (the answer that decided is a repeat) */
  repeated: boolean;
}

export class WriteChecks {
  private readonly prefix: string;
  private readonly org: string;

  constructor(
    private readonly ctx: ProbeContext,
    private readonly ledger: Throwaways,
    prefix: string,
  ) {
    this.prefix = prefix;
    this.org = ctx.organisationId!;
  }

  private get client() {
    return this.ctx.client;
  }

  /** Statuses of the first create of each kind, for the `create.status` row. */
  private readonly createStatuses: { kind: string; status: number }[] = [];

  // ---- applications

  /** Creates the probe's application (never twice: see the file comment). */
  async createApplication(): Promise<ApplicationData> {
    const { body, notSent } = applicationBody(this.prefix, this.org);
    const created = await this.createOwn<ApplicationData>("application", "/applications/", {
      send: () => this.client.applications.post(body as ApplicationRequest),
      lookup: () => this.client.applications.findByName(this.prefix),
    });
    const again = await this.client.applications.retrieve(String(created.object.id)).catch(() => undefined);
    if (again) sample(this.ctx, "Application", "detail", again);
    const listed = (await this.client.applications.list({ name: this.prefix }).catch(() => [])).find(
      (a) => a.name === this.prefix,
    );
    if (listed) sample(this.ctx, "Application", "list", listed);
    echoRow(this.ctx, {
      id: "applications.fields-echo",
      what: "application",
      sent: body,
      answered: created.answered ? (created.object as unknown as Record<string, unknown>) : undefined,
      readAgain: again as unknown as Record<string, unknown> | undefined,
      readBack: APPLICATION_READ_BACK,
      notSent,
    });
    return again ?? created.object;
  }

  /** The same name again with a full body (only `description` differs, to see whether it is applied). */
  async postTakenName(app: ApplicationData): Promise<void> {
    const { body } = applicationBody(this.prefix, this.org);
    body.description = "doover-probe: the second POST of this name.";
    const r = await this.repostApplication(body, app);
    const outcome = this.takenOutcome(r, String(app.id));
    const after = await this.client.applications.retrieve(String(app.id)).catch(() => undefined);
    const applied = after?.description === body.description;
    this.takenRow(
      "applications.post-taken-name",
      "POST /applications/ with a taken name (full body)",
      APPLICATION_TAKEN_NAME,
      outcome,
      r,
      {
        upsertDetail: applied ? "the fields sent were applied" : "the fields sent were not applied",
      },
    );
  }

  /** doover-cli's second `app publish`: the body without its create-only fields. */
  async postPartial(app: ApplicationData): Promise<void> {
    const { body } = applicationBody(this.prefix, this.org);
    for (const k of DOOVER_CLI_CREATE_ONLY) delete body[k];
    body.long_description = "doover-probe: a partial POST of this name.";
    const r = await this.repostApplication(body, app);
    const outcome = this.takenOutcome(r, String(app.id));
    const after = await this.client.applications.retrieve(String(app.id)).catch(() => undefined);
    const applied = after?.long_description === body.long_description;
    const server =
      outcome === "upsert"
        ? `accepted: ${r.status || "answer lost"}, the existing id, ${applied ? "the fields sent applied" : "nothing applied"}`
        : this.describeOutcome(outcome, r);
    addRow(this.ctx, {
      id: "applications.post-partial",
      behaviour: "POST /applications/ with a taken name, without doover-cli's create-only fields",
      server,
      assumes: PARTIAL_POST.assumes,
      verdict: outcome === "duplicate" ? "MISMATCH" : "NOTE",
      safety: outcome === "duplicate" || undefined,
      meaning:
        outcome === "upsert"
          ? PARTIAL_POST.upsertMeaning
          : outcome === "duplicate"
            ? APPLICATION_TAKEN_NAME.meaning.duplicate
            : PARTIAL_POST.refusedMeaning,
      observed: { outcome, status: r.status, sent: Object.keys(body), applied },
    });
  }

  /** The SDK's create path (`applications.createOrFind`) for the taken name: does it say "already exists"? */
  async createPathApplication(app: ApplicationData): Promise<void> {
    const { body } = applicationBody(this.prefix, this.org);
    await this.createPathRow(
      "applications.create-path",
      "the package's create path, application name taken",
      String(app.id),
      "application",
      async () => {
        const outcome = await this.client.applications.createOrFind(body as ApplicationRequest);
        return outcome;
      },
    );
  }

  /**
   * The create path when the name is taken between its lookup and its POST (another program racing it): the
   * POST is sent without the lookup, with only the fields POST requires, so the answer is all it has to go by.
   */
  async createPathRaceApplication(app: ApplicationData): Promise<void> {
    const { body } = applicationBody(this.prefix, this.org);
    const required = ["name", "display_name", "description", "type", "visibility", "depends_on", "organisation_id"];
    const minimal: Record<string, unknown> = { container_registry_profile_id: null };
    for (const k of required) minimal[k] = body[k];
    await this.createPathRow(
      "applications.create-path-race",
      "the package's create path, application name taken after its lookup",
      String(app.id),
      "application",
      () => this.client.applications.createOrFind(minimal as ApplicationRequest, { lookupFirst: false }),
      "/applications/",
    );
  }

  /** Archives the probe's application, then POSTs its name again. */
  async postArchivedName(app: ApplicationData): Promise<ApplicationData | undefined> {
    throwIfStopped(this.ctx);
    const archived = await this.client.applications.archive(String(app.id));
    const { body } = applicationBody(this.prefix, this.org);
    const r = await this.repostApplication(body, { ...app, ...archived });
    let outcome: ArchivedNameOutcome;
    const obj = r.object as ApplicationData | undefined;
    if (r.error !== undefined) outcome = errorOutcome(r.error) as ArchivedNameOutcome;
    else if (obj && String(obj.id) !== String(app.id)) outcome = "new";
    else if (obj) outcome = obj.archived ? "upsert-archived" : "upsert-unarchived";
    else outcome = "other";
    const verdict = verdictOf(APPLICATION_ARCHIVED_NAME, outcome);
    const server =
      outcome === "new"
        ? `${r.status || "answer lost"}: a new application (id ${obj!.id}); the archived one keeps id ${app.id}`
        : outcome === "upsert-unarchived"
          ? `${r.status || "answer lost"} with the archived application's id: it is live again`
          : outcome === "upsert-archived"
            ? `${r.status || "answer lost"} with the archived application's id: updated, still archived`
            : this.describeOutcome(outcome as TakenNameOutcome, r);
    addRow(this.ctx, {
      id: "applications.post-archived-name",
      behaviour: "POST /applications/ with the name of an archived application",
      server: server + (r.repeated ? " (after a lost answer)" : ""),
      assumes: APPLICATION_ARCHIVED_NAME.assumes,
      verdict: verdict.verdict,
      safety: verdict.safety || undefined,
      meaning: verdict.verdict === "OK" ? undefined : APPLICATION_ARCHIVED_NAME.meaning[outcome],
      observed: { outcome, status: r.status, archivedId: String(app.id), answeredId: obj ? String(obj.id) : null },
    });
    return obj;
  }

  // ---- installs (with --device)

  /** Installs the probe's application on the device under the probe's name. */
  async createInstall(app: ApplicationData, deviceId: string): Promise<AppInstallData> {
    const body = this.installBody(app, deviceId);
    const created = await this.createOwn<AppInstallData>("app install", "/app_installs/", {
      send: () => this.client.appInstalls.post(body),
      lookup: () => this.client.appInstalls.findByName(deviceId, body.name!),
    });
    const again = await this.client.appInstalls.retrieve(String(created.object.id)).catch(() => undefined);
    if (again) sample(this.ctx, "AppInstall", "detail", again);
    const listed = (await this.client.appInstalls.listForDevice(deviceId, { name: body.name }).catch(() => [])).find(
      (i) => i.name === body.name,
    );
    if (listed) sample(this.ctx, "AppInstall", "list", listed);
    return again ?? created.object;
  }

  async postTakenInstallName(app: ApplicationData, install: AppInstallData, deviceId: string): Promise<void> {
    const body = this.installBody(app, deviceId);
    const r = await this.repost<AppInstallData>("app install", "/app_installs/", {
      send: () => this.client.appInstalls.post(body),
      findAll: async () =>
        (await this.client.appInstalls.listForDevice(deviceId, { name: body.name })).filter(
          (i) => i.name === body.name,
        ),
      deviceId,
    });
    const outcome = this.takenOutcome(r, String(install.id));
    this.takenRow(
      "installs.post-taken-name",
      "POST /app_installs/ with a name taken on the device",
      INSTALL_TAKEN_NAME,
      outcome,
      r,
      {},
    );
  }

  async createPathInstall(app: ApplicationData, install: AppInstallData, deviceId: string): Promise<void> {
    const body = this.installBody(app, deviceId);
    await this.createPathRow(
      "installs.create-path",
      "the package's create path, install name taken",
      String(install.id),
      "app install",
      () => this.client.appInstalls.createOrFind(body),
    );
  }

  async createPathRaceInstall(app: ApplicationData, install: AppInstallData, deviceId: string): Promise<void> {
    const body = this.installBody(app, deviceId);
    await this.createPathRow(
      "installs.create-path-race",
      "the package's create path, install name taken after its lookup",
      String(install.id),
      "app install",
      () => this.client.appInstalls.createOrFind(body, { lookupFirst: false }),
      "/app_installs/",
    );
  }

  private installBody(app: ApplicationData, deviceId: string): AppInstallRequest {
    return {
      application_id: String(app.id),
      device_id: deviceId,
      display_name: `Probe ${this.prefix}`,
      name: `${this.prefix}_install`,
      deployment_config: { probe: "doover-probe" },
    };
  }

  // ---- tunnels (with --device)

  async createTunnel(deviceId: string): Promise<TunnelData> {
    const body = this.tunnelBody();
    const created = await this.createOwn<TunnelData>("tunnel", `/devices/${encodeURIComponent(deviceId)}/tunnels/`, {
      send: () => this.client.tunnels.post(deviceId, body),
      lookup: () => this.client.tunnels.findByName(deviceId, body.name),
      nameConflicts: false,
      deviceId,
    });
    const again = await this.client.tunnels.retrieve(String(created.object.id)).catch(() => undefined);
    if (again) sample(this.ctx, "Tunnel", "detail", again);
    const listed = (await this.client.tunnels.list(deviceId).catch(() => [])).find(
      (t) => String(t.id) === String(created.object.id),
    );
    if (listed) sample(this.ctx, "Tunnel", "list", listed);
    echoRow(this.ctx, {
      id: "tunnels.fields-echo",
      what: "tunnel",
      sent: body as unknown as Record<string, unknown>,
      answered: created.answered ? (created.object as unknown as Record<string, unknown>) : undefined,
      readAgain: again as unknown as Record<string, unknown> | undefined,
    });
    return again ?? created.object;
  }

  async postTakenTunnelName(tunnel: TunnelData, deviceId: string): Promise<void> {
    const body = this.tunnelBody();
    const r = await this.repost<TunnelData>("tunnel", `/devices/${encodeURIComponent(deviceId)}/tunnels/`, {
      send: () => this.client.tunnels.post(deviceId, body),
      findAll: async () => (await this.client.tunnels.list(deviceId)).filter((t) => t.name === body.name),
      deviceId,
    });
    const outcome = this.takenOutcome(r, String(tunnel.id));
    this.takenRow(
      "tunnels.post-taken-name",
      "POST /devices/{d}/tunnels/ with a name taken on the device",
      TUNNEL_TAKEN_NAME,
      outcome,
      r,
      {},
    );
  }

  private tunnelBody(): TunnelRequest {
    return {
      name: `${this.prefix}_tunnel`,
      hostname: "127.0.0.1",
      port: 9,
      protocol: "tcp",
      timeout: 30,
      ip_restricted: true,
      ip_whitelist: ["192.0.2.1"],
      is_favourite: false,
      disable_tls_verification: false,
    };
  }

  // ---- rows shared by the kinds

  /** The status every first create was answered with (201 expected). */
  createStatusRow(): void {
    const seen = this.createStatuses;
    if (!seen.length) return;
    const odd = seen.filter((s) => s.status !== 0 && s.status !== CREATE_STATUS.expected);
    const lost = seen.filter((s) => s.status === 0);
    addRow(this.ctx, {
      id: "create.status",
      behaviour: "status of a POST that creates",
      server: seen.map((s) => `${s.kind} ${s.status || "answer lost (found by name)"}`).join(", "),
      assumes: CREATE_STATUS.assumes,
      verdict: odd.length ? "MISMATCH" : lost.length === seen.length ? "SKIPPED" : "OK",
      meaning: odd.length ? CREATE_STATUS.meaning : undefined,
      observed: Object.fromEntries(seen.map((s) => [s.kind, s.status])),
    });
  }

  private async createOwn<T extends { id: unknown; name?: unknown }>(
    kind: "application" | "app install" | "tunnel",
    path: string,
    opts: { send: () => Promise<T>; lookup: () => Promise<T | undefined>; nameConflicts?: boolean; deviceId?: string },
  ): Promise<{ object: T; answered: boolean }> {
    throwIfStopped(this.ctx);
    const o = this.ctx.observer;
    o.forget("POST", path);
    let answered = false;
    const outcome = await createOnce<T>(
      this.client.rest,
      async () => {
        const made = await opts.send();
        answered = true;
        return made;
      },
      opts.lookup,
      { nameConflicts: opts.nameConflicts ?? true },
    );
    if (outcome.existing !== undefined) {
      throw new Error(
        `the probe's ${kind} name ${String(outcome.existing.name)} is already taken (id ${String(outcome.existing.id)}); run the probe again`,
      );
    }
    const object = outcome.created as T;
    this.ledger.add(kind, object, opts.deviceId);
    this.createStatuses.push({ kind, status: answered ? o.lastStatus("POST", path) : 0 });
    return { object, answered };
  }

  private repostApplication(body: Record<string, unknown>, app: ApplicationData): Promise<Repost<ApplicationData>> {
    return this.repost<ApplicationData>("application", "/applications/", {
      send: () => this.client.applications.post(body as ApplicationRequest),
      findAll: async () => {
        const live = await this.client.applications.list({ name: this.prefix });
        const archived = await this.client.applications.list({ name: this.prefix, archived: true });
        const all = [...live, ...archived].filter((a) => a.name === this.prefix);
        return all.filter((a, i) => all.findIndex((b) => String(b.id) === String(a.id)) === i);
      },
      known: [String(app.id)],
    });
  }

  /**
   * One deliberate POST of a name the probe holds. After an ambiguous failure the name's objects are listed
   * first: one the probe did not know is this POST's (recorded, the outcome is decided); none means the POST
   * may not have landed, so it is sent again after a backoff, within the client's retry budget.
   */
  private async repost<T extends { id: unknown; name?: unknown }>(
    kind: "application" | "app install" | "tunnel",
    path: string,
    opts: { send: () => Promise<T>; findAll: () => Promise<T[]>; known?: string[]; deviceId?: string },
  ): Promise<Repost<T>> {
    const rest = this.client.rest;
    const o = this.ctx.observer;
    const known = new Set([...(opts.known ?? []), ...(await opts.findAll()).map((x) => String(x.id))]);
    let firstFailureAt: number | undefined;
    for (let attempt = 1; ; attempt++) {
      throwIfStopped(this.ctx);
      o.forget("POST", path);
      try {
        const object = await opts.send();
        const fresh = known.has(String(object.id)) ? [] : [object];
        for (const f of fresh) this.ledger.add(kind, f, opts.deviceId);
        return { status: o.lastStatus("POST", path), object, fresh, repeated: attempt > 1 };
      } catch (e) {
        if (!isAmbiguousFailure(e)) return { status: statusOf(e), error: e, fresh: [], repeated: attempt > 1 };
        const fresh = (await opts.findAll()).filter((x) => !known.has(String(x.id)));
        for (const f of fresh) this.ledger.add(kind, f, opts.deviceId);
        if (fresh.length) return { status: 0, object: fresh[0], fresh, repeated: true };
        firstFailureAt ??= Date.now();
        const wait = rest.backoffMs(attempt);
        rest.checkBudget(e, attempt, firstFailureAt, wait);
        this.ctx.log(`doover-probe: ${describeError(e)}; nothing new under the name, so the POST is sent again`);
        await rest.sleep(wait);
      }
    }
  }

  private takenOutcome<T extends { id: unknown }>(r: Repost<T>, heldBy: string): TakenNameOutcome {
    if (r.error !== undefined) return errorOutcome(r.error);
    if (!r.object) return "other";
    return String(r.object.id) === heldBy ? "upsert" : "duplicate";
  }

  private describeOutcome<T extends { id: unknown }>(outcome: TakenNameOutcome, r: Repost<T>): string {
    const status = r.status || "answer lost";
    switch (outcome) {
      case "conflict":
      case "rejected":
      case "forbidden":
      case "other":
        return r.error !== undefined ? short(describeError(r.error)) : `${status}`;
      case "upsert":
        return `${status} with the existing id ${String(r.object!.id)} (an upsert)`;
      case "duplicate":
        return `${status} with a new id ${String(r.object!.id)}: a second object with the name`;
    }
  }

  private takenRow<T extends { id: unknown }>(
    id: string,
    behaviour: string,
    a: Assumption<TakenNameOutcome>,
    outcome: TakenNameOutcome,
    r: Repost<T>,
    extra: { upsertDetail?: string },
  ): void {
    const v = verdictOf(a, outcome);
    let server = this.describeOutcome(outcome, r);
    if (outcome === "upsert" && extra.upsertDetail) server += `; ${extra.upsertDetail}`;
    if (r.repeated) server += " (after a lost answer)";
    addRow(this.ctx, {
      id,
      behaviour,
      server,
      assumes: a.assumes,
      verdict: v.verdict,
      safety: v.safety || undefined,
      meaning: v.verdict === "OK" ? undefined : a.meaning[outcome],
      observed: { outcome, status: r.status, answeredId: r.object ? String(r.object.id) : null },
    });
  }

  /**
   * Runs the SDK's create path for a name the probe holds: `existing` is right. `created` with the holder's
   * id means the path took an upsert for a create; with another id, it made a duplicate (recorded).
   */
  private async createPathRow<T extends { id: unknown; name?: unknown }>(
    id: string,
    behaviour: string,
    heldBy: string,
    kind: "application" | "app install",
    run: () => Promise<{ created?: T; existing?: T; upsert?: { reasons: string[] } }>,
    /** the POST path, when the create path sends its POST without looking first (the race rows) */
    race?: string,
  ): Promise<void> {
    throwIfStopped(this.ctx);
    if (race) this.ctx.observer.forget("POST", race);
    let server: string;
    let verdict: "OK" | "MISMATCH" | "NOTE" | "ERROR" = "OK";
    let safety = false;
    let meaning: string | undefined;
    const lostBefore = this.ctx.observer.ambiguousPosts;
    try {
      const outcome = await run();
      if (outcome.existing !== undefined) {
        server = outcome.upsert
          ? `recognised the upsert (${compactReasons(outcome.upsert.reasons)}): "already exists" (id ${String(outcome.existing.id)})`
          : `reports "already exists" (id ${String(outcome.existing.id)})`;
      } else {
        const made = outcome.created as T;
        verdict = "MISMATCH";
        safety = true;
        meaning = CREATE_PATH.createdMeaning;
        if (String(made.id) === heldBy && this.ctx.observer.ambiguousPosts > lostBefore) {
          // The POST's answer was lost and the object under the name carries exactly what was sent: the
          // create path rightly takes it for its own. Nothing can be told from that run.
          server = `undetermined: the POST's answer was lost, and the ${kind} found (id ${heldBy}) is identical to the one sent`;
          verdict = "NOTE";
          safety = false;
          meaning = CREATE_PATH.undeterminedMeaning;
        } else if (String(made.id) === heldBy && race && this.ctx.observer.lastStatus("POST", race) === 201) {
          // 201 with no sign of an older object: nothing in the answer tells it from a create.
          server = `took the upsert for a create: answered 201, the existing ${kind} (id ${heldBy}) shows no older sign`;
          verdict = "NOTE";
          safety = false;
          meaning = CREATE_PATH.undetectableMeaning;
        } else if (String(made.id) === heldBy) server = `reports "created" for the existing ${kind} (id ${heldBy})`;
        else {
          this.ledger.add(kind, made);
          server = `made a second ${kind} with the name (id ${String(made.id)})`;
        }
      }
    } catch (e) {
      server = `failed: ${short(describeError(e))}`;
      verdict = "ERROR";
    }
    addRow(this.ctx, {
      id,
      behaviour,
      server,
      assumes: race ? CREATE_PATH.raceAssumes : CREATE_PATH.assumes,
      verdict,
      safety: safety || undefined,
      meaning,
    });
  }
}

/** How an error answer to a POST of a taken name is classed. */
function errorOutcome(e: unknown): TakenNameOutcome {
  const status = statusOf(e);
  if (status === 409) return "conflict";
  if (status === 400 || status === 422) return "rejected";
  if (status === 403) return "forbidden";
  return "other";
}

/** OK when handled (NOTE when handled but worth knowing), else MISMATCH; `safety` for unsafe outcomes. */
export function verdictOf<O extends string>(
  a: Assumption<O>,
  outcome: O,
): { verdict: "OK" | "NOTE" | "MISMATCH"; safety: boolean } {
  if (a.handles.includes(outcome)) return { verdict: a.notes?.includes(outcome) ? "NOTE" : "OK", safety: false };
  return { verdict: "MISMATCH", safety: a.unsafe.includes(outcome) };
}

function short(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The create path's upsert evidence, with "its X is set although this create did not send it" folded into one. */
function compactReasons(reasons: string[]): string {
  const unsent: string[] = [];
  const other: string[] = [];
  for (const r of reasons.flatMap((x) => x.split("; "))) {
    const m = /^its (\S+) is set although this create did not send it$/.exec(r);
    if (m) unsent.push(m[1]);
    else other.push(r);
  }
  if (unsent.length) other.push(`fields it did not send are set: ${unsent.join(", ")}`);
  return other.join("; ");
}
