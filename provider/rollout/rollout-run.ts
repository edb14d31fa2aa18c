// Running a rollout: waves in order, each started through the shared request limiter with a concurrency
// cap, its deployments followed by listing the application's installs once per poll tick (never one GET per
// device), judged against the failure threshold; then stop or roll back, hold, and devices that left.
//
// Everything starts from the live installs (one paged list), never from state alone: a device that already
// runs the target is not deployed again, a deployment of the target still running (an `up` killed mid-wave)
// is waited for, not started twice. State (`prior`) says which installs this rollout owns and what each
// device ran before, for rollbacks.

import type { AppInstallData, Client } from "../../sdk";
import { configProfileIdsError, createOrAdoptInstall } from "../app-install/app-install-create";
import { rememberAdopted, wasAdopted } from "../create-path";
import { wirePatch } from "../diff";
import { DooverProviderError, messageOf } from "../errors";
import { classify, type DeviceNeed, liveRelease, type Managed } from "./rollout-classify";
import type { FailureThreshold, OnDeviceRemoved, OnFailure, RolloutStatus, WaveSpec } from "./rollout-fields";
import { installsByDevice, listApplicationInstalls, listPaged, PAGE_SIZE } from "./rollout-live";
import { progressWriter } from "./rollout-progress";
import {
  type DeviceCode,
  type DeviceRecord,
  FAILED_CODES,
  type Release,
  releaseHash,
  releasesInUse,
} from "./rollout-records";
import { type FailureDetail, failureTable, type Totals, totalsOf, type WaveResult } from "./rollout-report";
import { splitWaves, thresholdCrossed, thresholdText, type WaveCounts } from "./rollout-waves";

/**
 * Poll ticks (tests shorten them). Until a deployment of this `up` has finished, a tick comes after `fraction`
 * of the time the wave has run; after that, the first tick of a wave waits for the typical deployment time
 * seen so far. Never sooner than `perPageMs` per list page (at most ~10 list requests a second) or `minMs`,
 * never later than `maxMs`.
 */
export const ROLLOUT_POLL = { minMs: 100, perPageMs: 100, maxMs: 5000, fraction: 0.05 };

/** What to roll out where, as `check` left it. */
export interface RolloutSpec {
  /** `DooverRollout "fleet"`, for messages */
  label: string;
  client: Client;
  applicationId: string;
  name: string;
  displayName: string;
  target: Release;
  managed: Managed;
  /** device ids in rollout order */
  fleet: string[];
  waves: WaveSpec[];
  threshold: FailureThreshold;
  timeoutSeconds: number;
  onFailure: OnFailure;
  holdAfterWave?: number;
  onDeviceRemoved: OnDeviceRemoved;
  maxParallel: number;
  adopt: boolean;
  adoptExisting: boolean;
}

/** What state says: per-device records and the releases they refer to. */
export interface PriorState {
  records: Map<string, DeviceRecord>;
  releases: Record<string, Release>;
}

/** Everything an `up` of a rollout leaves behind. */
export interface RolloutOutcome {
  status: RolloutStatus;
  records: Map<string, DeviceRecord>;
  releases: Record<string, Release>;
  waves: WaveResult[];
  totals: Totals;
  /** set when the `up` must fail (stopped, rolled back, or devices that left could not be removed) */
  message?: string;
}

interface Tracked {
  installId: string;
  deploymentId: string;
  deadline: number;
  rollback: boolean;
  startedAt: number;
}

const FINAL = new Set(["SUC", "FAI", "CAN"]);

function newer(a: string, b: string): boolean {
  try {
    return BigInt(a) > BigInt(b);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at once, starting no new one once `stop()` says so. */
async function pool<T>(items: readonly T[], limit: number, stop: () => boolean, fn: (t: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One `up` of one rollout. */
export class RolloutRun {
  private readonly targetHash: string;
  private readonly records = new Map<string, DeviceRecord>();
  private releases: Record<string, Release>;
  private installs = new Map<string, AppInstallData>();
  private readonly tracking = new Map<string, Tracked>();
  private readonly failures = new Map<string, FailureDetail>();
  private readonly counters = { deploymentsStarted: 0, installsCreated: 0, installsRemoved: 0 };
  private readonly progress: (line: string, always?: boolean) => void;
  private readonly adoptedNow: string[] = [];
  private waveResults: WaveResult[] = [];
  private status: RolloutStatus = "completed";
  private wrote = false;
  /** ms from a deployment's start to the tick that saw it end, for this `up`'s deployments */
  private readonly durations: number[] = [];
  /** pages of the last install list */
  private pages = 1;
  /** when the last poll tick started (ticks are paced start to start) */
  private lastTick = 0;

  constructor(
    private readonly spec: RolloutSpec,
    private readonly prior: PriorState,
  ) {
    this.targetHash = releaseHash(spec.target);
    this.progress = progressWriter(spec.label);
    this.releases = { ...prior.releases, [this.targetHash]: spec.target };
  }

  /** Whether this run sent any write (an error before one leaves nothing to record). */
  wroteAnything(): boolean {
    return this.wrote;
  }

  /** What the rollout knows so far (for a partial result when something throws mid-run). */
  snapshot(): RolloutOutcome {
    const records = new Map(this.records);
    for (const [d, r] of this.prior.records) if (!records.has(d)) records.set(d, r);
    return this.outcome(records);
  }

  async run(): Promise<RolloutOutcome> {
    const { spec } = this;
    // Devices with no recorded install will likely need one: their name lookup runs alongside (one round trip).
    const needNames = spec.fleet.some((d) => !this.prior.records.get(d)?.installId);
    const [list] = await Promise.all([
      listApplicationInstalls(spec.client, spec.applicationId),
      needNames ? this.namedInstalls() : undefined,
    ]);
    this.installs = installsByDevice(list, spec.name, (d) => this.prior.records.get(d)?.installId);
    const needs = new Map<string, DeviceNeed>();
    const notOwned = new Set<string>();
    for (const d of spec.fleet) {
      const install = this.installs.get(d);
      const record = this.prior.records.get(d);
      needs.set(d, classify(install, record, spec.target, spec.managed));
      if (install && record?.installId !== String(install.id)) notOwned.add(d);
    }
    if (notOwned.size > 0 && !spec.adopt && !spec.adoptExisting) throw this.notOwnedError(notOwned);
    for (const d of spec.fleet) this.records.set(d, this.initialRecord(d, needs.get(d)!, notOwned.has(d)));

    const waves = splitWaves(spec.waves, spec.fleet);
    let stoppedAt: number | undefined;
    for (let w = 0; w < waves.length; w++) {
      if (stoppedAt !== undefined) {
        this.waveResults.push(this.waveResult(w, waves[w], 0, "notStarted"));
      } else if (spec.holdAfterWave !== undefined && w >= spec.holdAfterWave) {
        const waiting = waves
          .slice(w)
          .reduce((n, m) => n + m.filter((d) => needs.get(d)!.kind !== "atTarget").length, 0);
        if (this.status !== "held" && waiting > 0) {
          this.progress(
            `${spec.label}: held after wave ${w} of ${waves.length} (holdAfterWave: ${spec.holdAfterWave}); ` +
              `${waiting} device(s) of later waves wait for an \`up\` without the hold`,
            true,
          );
          this.status = "held";
        }
        // Held waves whose devices all run the target already count as passed; those get a new name too.
        const done = waves[w].map((d) => needs.get(d)!).filter((n) => n.kind === "atTarget");
        await pool(
          done,
          spec.maxParallel,
          () => false,
          (n) => this.renameIfNeeded(n.install),
        );
        const atTarget = done.length;
        this.waveResults.push(this.waveResult(w, waves[w], atTarget, atTarget === waves[w].length ? "passed" : "held"));
      } else {
        const { crossed, already } = await this.runWave(w, waves.length, waves[w], needs);
        this.waveResults.push(this.waveResult(w, waves[w], already, crossed ? "failed" : "passed"));
        if (crossed) stoppedAt = w;
      }
    }
    let message: string | undefined;
    if (stoppedAt !== undefined) {
      this.status = "stopped";
      message = this.stopMessage(stoppedAt, waves.length);
      if (spec.onFailure === "rollback") {
        message += `\n${await this.rollBack()}`;
        this.status = "rolledBack";
      } else {
        message +=
          "\nFix the cause (often deploymentConfig or the application's image) and run `pulumi up` again: devices " +
          "already at the target are not deployed again, and failed ones are retried.";
      }
    } else {
      message = await this.removeDevicesThatLeft();
      this.reportBelowThreshold();
    }
    if (this.adoptedNow.length > 0) {
      this.progress(
        `${spec.label} took over ${this.adoptedNow.length} existing install(s) of the application ` +
          `(${spec.adopt ? "`adopt: true`" : "doover:adoptExisting is set"}) on device(s) ${sample(this.adoptedNow)}`,
        true,
      );
    }
    const out = this.outcome(this.records);
    if (message) out.message = message;
    return out;
  }

  // ---- one wave

  private async runWave(
    w: number,
    count: number,
    members: readonly string[],
    needs: Map<string, DeviceNeed>,
  ): Promise<{ crossed: boolean; already: number }> {
    const { spec } = this;
    const start: string[] = [];
    const renames: AppInstallData[] = [];
    let already = 0;
    const startedAt = Date.now();
    for (const d of members) {
      const need = needs.get(d)!;
      if (need.kind === "atTarget") {
        already++;
        renames.push(need.install);
      } else if (need.kind === "inFlight") {
        this.track(d, String(need.install.id), String(need.deployment.id), false, true);
      } else start.push(d);
    }
    const what = `${spec.label}: wave ${w + 1}/${count}`;
    if (members.length > 0) {
      this.progress(
        `${what}: deploying to ${start.length} of ${members.length} device(s)` +
          (already ? ` (${already} already at the target)` : "") +
          (this.tracking.size ? ` and waiting for ${this.tracking.size} deployment(s) already running` : "") +
          `; each may take up to ${spec.timeoutSeconds} s`,
        true,
      );
    }
    let crossed = false;
    const judge = () => {
      if (!crossed && thresholdCrossed(spec.threshold, this.counts(members))) crossed = true;
    };
    let startsDone = false;
    let aborted = false; // an error ends the wave: start nothing more, let what runs finish, then throw
    // Devices at the target whose install name or display name changed: a PATCH each, no deployment.
    const renaming = pool(
      renames,
      spec.maxParallel,
      () => aborted,
      (i) => this.renameIfNeeded(i),
    );
    const starting = pool(
      start,
      spec.maxParallel,
      () => crossed || aborted,
      async (d) => {
        await this.startDevice(d, needs.get(d)!);
        judge();
      },
    ).then(() => {
      startsDone = true;
    });
    try {
      while (!(startsDone && this.tracking.size === 0)) {
        const interval = this.tickDelay(Date.now() - startedAt);
        await (startsDone ? sleep(interval) : Promise.race([sleep(interval), starting]));
        if (this.tracking.size > 0) await this.tick();
        judge();
        const c = this.counts(members);
        const waiting = members.length - c.succeeded - c.failed - this.tracking.size;
        this.progress(
          `${what}: ${c.succeeded}/${members.length} succeeded, ${c.failed} failed, ${this.tracking.size} running` +
            (waiting > 0 && !crossed ? `, ${waiting} to start` : "") +
            (crossed ? " — failure threshold crossed, starting no more" : ""),
        );
      }
      await starting;
      await renaming;
    } catch (e) {
      aborted = true;
      await Promise.allSettled([starting, renaming]);
      throw e;
    }
    const c = this.counts(members);
    if (members.length > 0) {
      this.progress(
        `${what} ${crossed ? "FAILED" : "passed"}: ${c.succeeded} succeeded, ${c.failed} failed` +
          (crossed ? ` (${thresholdText(spec.threshold)})` : ""),
        true,
      );
    }
    return { crossed, already };
  }

  /** Succeeded/failed of a wave's devices, from their records. */
  private counts(members: readonly string[]): WaveCounts {
    let succeeded = 0;
    let failed = 0;
    for (const d of members) {
      const code = this.records.get(d)?.code;
      if (code === "SUC") succeeded++;
      else if (code && FAILED_CODES.includes(code)) failed++;
    }
    return { size: members.length, succeeded, failed };
  }

  /** Creates or updates the device's install as needed, then starts one deployment. */
  private async startDevice(d: string, need: DeviceNeed): Promise<void> {
    const { spec } = this;
    const record = this.records.get(d)!;
    let installId = record.installId;
    this.wrote = true;
    try {
      let install: AppInstallData;
      if (need.kind === "install") {
        const { live, existed, tookOver } = await createOrAdoptInstall({
          client: spec.client,
          body: { application_id: spec.applicationId, device_id: d, ...this.installBody() },
          adopt: spec.adopt,
          adoptExisting: spec.adoptExisting,
          knownByName: (await this.namedInstalls()).get(d) ?? null,
          resourceType: "DooverRollout",
        });
        if (!existed) this.counters.installsCreated++;
        if (tookOver) record.adopted = true;
        install = live;
      } else if (need.kind === "deploy") {
        install = need.install;
        const owned = this.prior.records.get(d)?.installId === String(install.id);
        const patch = this.patchFor(install, this.installBody());
        if (Object.keys(patch).length > 0)
          install = await spec.client.appInstalls.patch(String(install.id), patch as never);
        if (!owned) {
          rememberAdopted(spec.client.baseUrl, "app install", String(install.id));
          this.adoptedNow.push(d);
          // `adopt` (not the recovery switch): it existed before the stack, a delete leaves it while declared.
          if (spec.adopt) record.adopted = true;
        }
      } else return;
      installId = String(install.id);
      record.installId = installId;
      const started = await spec.client.appInstalls.createDeployment(installId, {
        after: install.latest_deployment?.id ?? null,
      });
      this.counters.deploymentsStarted++;
      Object.assign(record, { code: "QUE", deploymentId: String(started.id), release: this.targetHash });
      this.failures.delete(d);
      this.track(d, installId, String(started.id), false);
    } catch (e) {
      // Wrong for every device alike: stop the run with the input's own message, not a table of failures.
      const profiles = configProfileIdsError(e, spec.applicationId, "the rollout stopped");
      if (profiles || /^configProfileIds: /.test(messageOf(e))) throw profiles ?? e;
      record.code = "FAI";
      this.failures.set(d, {
        device: d,
        installId,
        status: "not started",
        log: `could not ${need.kind === "install" ? "install and " : ""}deploy: ${messageOf(e)}`,
      });
    }
  }

  private named?: Promise<Map<string, AppInstallData>>;

  /**
   * The lookup before each install POST, for the whole run at once: every install named like the rollout's
   * (any application, archived ones too) by device, from one paged `GET /app_installs/?name=` — not one GET per
   * device. A name taken on a device by another application's install, or an archived install, is then handled
   * by the create path as after its own lookup.
   */
  private namedInstalls(): Promise<Map<string, AppInstallData>> {
    this.named ??= listPaged<AppInstallData>(this.spec.client, "/app_installs/", {
      name: this.spec.name,
      ordering: "id",
    }).then((list) => {
      const out = new Map<string, AppInstallData>();
      for (const i of list) {
        const device = i.device?.id;
        if (device === undefined || device === null || i.name !== this.spec.name) continue;
        const have = out.get(String(device));
        if (!have || (have.archived && !i.archived)) out.set(String(device), i);
      }
      return out;
    });
    return this.named;
  }

  /** The install's writable fields as the program declares them. */
  private installBody(): Record<string, unknown> {
    const { spec } = this;
    const body: Record<string, unknown> = {
      name: spec.name,
      display_name: spec.displayName,
      deployment_config: spec.target.deploymentConfig,
    };
    if (spec.managed.version) body.version = spec.target.version ?? null;
    if (spec.managed.configProfileIds) body.config_profile_ids = spec.target.configProfileIds ?? [];
    return body;
  }

  /** What to PATCH so `install` holds `body` (config profiles compared as sets). */
  private patchFor(install: AppInstallData, body: Record<string, unknown>): Record<string, unknown> {
    const { config_profile_ids: profiles, ...fields } = body;
    const from: Record<string, unknown> = {};
    for (const k of Object.keys(fields)) from[k] = (install as unknown as Record<string, unknown>)[k] ?? null;
    const patch = wirePatch(from, fields, ["version"]);
    if (profiles !== undefined) {
      const live = liveRelease(install, { version: false, configProfileIds: true }).configProfileIds ?? [];
      const want = [...(profiles as string[])].sort();
      if (live.join(",") !== want.join(",")) patch.config_profile_ids = profiles;
    }
    return patch;
  }

  /** A device at the target whose install name or display name the program changed: PATCH, no deployment. */
  private async renameIfNeeded(install: AppInstallData): Promise<void> {
    const { spec } = this;
    const patch = wirePatch(
      { name: install.name ?? null, display_name: install.display_name ?? null },
      { name: spec.name, display_name: spec.displayName },
      [],
    );
    if (Object.keys(patch).length === 0) return;
    this.wrote = true;
    await spec.client.appInstalls.patch(String(install.id), patch as never).catch((e: unknown) => {
      throw new DooverProviderError(`${spec.label}: renaming install ${install.id}: ${messageOf(e)}`, { cause: e });
    });
  }

  // ---- following deployments

  private track(d: string, installId: string, deploymentId: string, rollback: boolean, resumed = false): void {
    const now = Date.now();
    this.tracking.set(d, {
      installId,
      deploymentId,
      deadline: now + this.spec.timeoutSeconds * 1000,
      rollback,
      startedAt: resumed ? Number.NaN : now,
    });
  }

  /** How long to wait before the next tick, `elapsed` ms into a wave (see ROLLOUT_POLL). */
  private tickDelay(elapsed: number): number {
    const floor = Math.max(ROLLOUT_POLL.minMs, ROLLOUT_POLL.perPageMs * this.pages);
    const sorted = [...this.durations].sort((a, b) => a - b);
    const typical = sorted.length ? 0.9 * sorted[Math.floor(sorted.length / 2)] : undefined;
    const wait =
      typical !== undefined && elapsed < typical
        ? typical - elapsed
        : ROLLOUT_POLL.fraction * Math.max(elapsed, typical ?? 0);
    // At the floor, ticks are paced start to start: a slow API does not add its latency to every interval.
    if (wait <= floor) return Math.max(0, this.lastTick + floor - Date.now());
    return Math.min(ROLLOUT_POLL.maxMs, wait);
  }

  /** One poll tick: one paged list of the application's installs updates every tracked device. */
  private async tick(): Promise<void> {
    this.lastTick = Date.now();
    const list = await listApplicationInstalls(this.spec.client, this.spec.applicationId);
    this.pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    const byId = new Map(list.map((i) => [String(i.id), i]));
    const now = Date.now();
    for (const [d, t] of this.tracking) {
      const install = byId.get(t.installId);
      const record = this.records.get(d)!;
      if (!install) {
        this.finish(d, t, "FAI", "the install was deleted or archived while its deployment ran");
        continue;
      }
      this.installs.set(d, install);
      const latest = install.latest_deployment;
      const ours = latest && (String(latest.id) === t.deploymentId || newer(String(latest.id), t.deploymentId));
      if (ours && FINAL.has(latest.status)) {
        t.deploymentId = String(latest.id);
        if (!Number.isNaN(t.startedAt)) this.durations.push(now - t.startedAt);
        this.finish(d, t, latest.status as DeviceCode, latest.log_output);
      } else if (now >= t.deadline) {
        const still = ours ? latest.status : "QUE";
        this.finish(
          d,
          t,
          "TMO",
          `${ours ? (latest.log_output ?? "") : ""}\n(still ${still} after deviceTimeoutSeconds = ${this.spec.timeoutSeconds} s)`,
        );
      } else if (ours && !t.rollback) record.code = latest.status as DeviceCode;
    }
  }

  private finish(d: string, t: Tracked, code: DeviceCode, log: string): void {
    this.tracking.delete(d);
    const record = this.records.get(d)!;
    record.deploymentId = t.deploymentId;
    if (t.rollback) {
      record.code = code === "SUC" ? "RBK" : "RBF";
    } else record.code = code;
    if (code === "SUC") {
      this.failures.delete(d);
      return;
    }
    this.failures.set(d, {
      device: d,
      installId: t.installId,
      deploymentId: t.deploymentId,
      status: `${t.rollback ? "rollback " : ""}${code === "TMO" ? "TIMEOUT" : code}`,
      log,
    });
  }

  // ---- records

  private initialRecord(d: string, need: DeviceNeed, notOwned: boolean): DeviceRecord {
    const old = this.prior.records.get(d);
    const install = this.installs.get(d);
    const rec: DeviceRecord = { code: "PEN" };
    if (install) rec.installId = String(install.id);
    if (old?.adopted && install && old.installId === String(install.id)) rec.adopted = true;
    // What a rollback restores: kept while the device is on its way to this target.
    if (old?.release === this.targetHash && old.previous !== undefined && !notOwned) rec.previous = old.previous;
    else if (!install) rec.previous = "-";
    else if (notOwned || !old?.release) {
      const live = liveRelease(install, this.spec.managed);
      const h = releaseHash(live);
      this.releases[h] ??= live;
      rec.previous = h;
    } else rec.previous = old.release;
    if (need.kind === "atTarget" || need.kind === "inFlight") {
      const latest = need.kind === "atTarget" ? need.install.latest_deployment! : need.deployment;
      rec.code = need.kind === "atTarget" ? "SUC" : (latest.status as DeviceCode);
      rec.deploymentId = String(latest.id);
      rec.release = this.targetHash;
      return rec;
    }
    // Not at the target yet: keep what state knew of its last deployment (a failure of this target stays one).
    if (old && !notOwned) {
      if (old.deploymentId) rec.deploymentId = old.deploymentId;
      if (old.release) rec.release = old.release;
      if (old.release === this.targetHash && FAILED_CODES.includes(old.code)) rec.code = old.code;
    } else if (install) {
      if (install.latest_deployment) rec.deploymentId = String(install.latest_deployment.id);
      rec.release = rec.previous;
    }
    return rec;
  }

  private waveResult(w: number, members: readonly string[], already: number, status: WaveResult["status"]): WaveResult {
    let succeeded = 0;
    let failed = 0;
    let timedOut = 0;
    for (const d of members) {
      const code = this.records.get(d)?.code;
      if (code === "SUC") succeeded++;
      else if (code === "TMO") timedOut++;
      else if (code === "FAI" || code === "CAN") failed++;
    }
    return { wave: w + 1, devices: members.length, succeeded, failed, timedOut, alreadyAtTarget: already, status };
  }

  private outcome(records: Map<string, DeviceRecord>): RolloutOutcome {
    return {
      status: this.status,
      records,
      releases: releasesInUse(records, this.releases, [this.targetHash]),
      waves: this.waveResults,
      totals: totalsOf(records, this.counters),
    };
  }

  // ---- stop, roll back, devices that left

  private stopMessage(w: number, count: number): string {
    const { spec } = this;
    const members = splitWaves(spec.waves, spec.fleet)[w];
    const c = this.counts(members);
    const running = [...this.records.values()].filter((r) => r.code === "QUE" || r.code === "RUN").length;
    const failed = [...this.failures.values()].filter((f) => members.includes(f.device));
    return (
      `${spec.label} stopped at wave ${w + 1} of ${count}: ${c.failed} of ${c.succeeded + c.failed} finished ` +
      `device(s) failed (${Math.round((c.failed * 100) / Math.max(1, c.succeeded + c.failed))}%), crossing ` +
      `failureThreshold (${thresholdText(spec.threshold)}). ` +
      (w + 2 === count
        ? `Wave ${count} was not started. `
        : w + 1 < count
          ? `Waves ${w + 2}-${count} were not started. `
          : "") +
      (running ? `${running} deployment(s) were still running. ` : "") +
      `Failed devices:\n${failureTable(failed)}`
    );
  }

  /** Returns every device this rollout moved toward the target to its previous release; says how it went. */
  private async rollBack(): Promise<string> {
    const { spec } = this;
    const targets = spec.fleet.filter((d) => {
      const r = this.records.get(d)!;
      return r.release === this.targetHash && r.code !== "PEN" && r.previous !== this.targetHash;
    });
    let redeployed = 0;
    let uninstalled = 0;
    const unknown: string[] = [];
    this.wrote = true;
    this.progress(`${spec.label}: rolling back ${targets.length} device(s) to their previous release`, true);
    await pool(
      targets,
      spec.maxParallel,
      () => false,
      async (d) => {
        const r = this.records.get(d)!;
        const previous = r.previous;
        const install = this.installs.get(d);
        try {
          if (previous === "-") {
            if (r.installId) await spec.client.appInstalls.delete(r.installId);
            this.counters.installsRemoved++;
            uninstalled++;
            this.records.set(d, { code: "RBK", previous: "-" });
            this.failures.delete(d);
            return;
          }
          const release = previous ? this.releases[previous] : undefined;
          if (!release || !install || !r.installId) {
            unknown.push(d);
            return;
          }
          const body: Record<string, unknown> = { deployment_config: release.deploymentConfig };
          if (release.version !== undefined) body.version = release.version;
          if (release.configProfileIds !== undefined) body.config_profile_ids = release.configProfileIds;
          const patch = this.patchFor(install, body);
          const live =
            Object.keys(patch).length > 0 ? await spec.client.appInstalls.patch(r.installId, patch as never) : install;
          const started = await spec.client.appInstalls.createDeployment(r.installId, {
            after: live.latest_deployment?.id ?? null,
          });
          this.counters.deploymentsStarted++;
          Object.assign(r, { release: previous, previous: undefined });
          this.track(d, r.installId, String(started.id), true);
          redeployed++;
        } catch (e) {
          r.code = "RBF";
          this.failures.set(d, {
            device: d,
            installId: r.installId,
            status: "rollback not started",
            log: messageOf(e),
          });
        }
      },
    );
    const startedAt = Date.now();
    while (this.tracking.size > 0) {
      await sleep(this.tickDelay(Date.now() - startedAt));
      await this.tick();
      this.progress(`${spec.label}: rollback: ${this.tracking.size} deployment(s) of the previous release running`);
    }
    const failed = [...this.records.entries()].filter(([, r]) => r.code === "RBF").map(([d]) => d);
    const lines = [
      `onFailure is "rollback": ${targets.length} device(s) this rollout changed were returned to their previous ` +
        `release: ${redeployed - failed.length} redeployed with their previous config and version, ${uninstalled} ` +
        "uninstalled (they had no install before this rollout).",
    ];
    if (failed.length)
      lines.push(
        `${failed.length} rollback(s) failed:\n${failureTable(failed.map((d) => this.failures.get(d)!).filter(Boolean))}`,
      );
    if (unknown.length)
      lines.push(
        `${unknown.length} device(s) were left at the new release: what they ran before is not known ` +
          `(${sample(unknown)}).`,
      );
    lines.push("Fix the cause and run `pulumi up` again: the rollout starts again from its first wave.");
    return lines.join("\n");
  }

  /** Devices no longer selected: uninstalled (or only forgotten, with `onDeviceRemoved: "keep"`). */
  private async removeDevicesThatLeft(): Promise<string | undefined> {
    const { spec } = this;
    const fleet = new Set(spec.fleet);
    const left = [...this.prior.records.entries()].filter(([d]) => !fleet.has(d));
    if (left.length === 0) return undefined;
    if (spec.onDeviceRemoved === "keep") {
      this.progress(
        `${spec.label}: ${left.length} device(s) left the rollout; their installs are kept (onDeviceRemoved: "keep") ` +
          `and no longer managed: ${sample(left.map(([d]) => d))}`,
        true,
      );
      return undefined;
    }
    const errors: string[] = [];
    this.wrote = true;
    await pool(
      left,
      spec.maxParallel,
      () => false,
      async ([d, r]) => {
        if (!r.installId || wasAdopted(spec.client.baseUrl, "app install", r.installId)) return;
        if (r.adopted && spec.adopt) return; // existed before the stack and `adopt` is declared: left in place
        try {
          await spec.client.appInstalls.delete(r.installId);
          this.counters.installsRemoved++;
        } catch (e) {
          this.records.set(d, r); // still ours: the next `up` tries again
          errors.push(`  device ${d} (install ${r.installId}): ${messageOf(e)}`);
        }
      },
    );
    this.progress(
      `${spec.label}: uninstalled from ${left.length - errors.length} device(s) that left the rollout`,
      true,
    );
    return errors.length
      ? `${spec.label} could not uninstall from ${errors.length} device(s) that left it (run \`pulumi up\` again):\n${errors.join("\n")}`
      : undefined;
  }

  /** Failures that did not cross the threshold: the `up` succeeds, the lines say which devices to look at. */
  private reportBelowThreshold(): void {
    const failed = [...this.failures.values()];
    if (failed.length === 0) return;
    this.progress(
      `${this.spec.label}: ${failed.length} device(s) failed without crossing the failure threshold; the next ` +
        `\`pulumi up\` retries them:\n${failureTable(failed)}`,
      true,
    );
  }

  private notOwnedError(devices: Set<string>): DooverProviderError {
    const { spec } = this;
    const list = [...devices];
    const ids = list.map((d) => `${d} (install ${this.installs.get(d)!.id})`);
    return new DooverProviderError(
      `${spec.label}: ${list.length} device(s) already have an install of application ${spec.applicationId} that ` +
        `this rollout does not manage: ${sample(ids)}. Nothing was changed. Which case is it?\n` +
        "  1. They were installed outside this stack (doover-cli, the web UI, another stack): set `adopt: true` on " +
        "the rollout to manage them from now on (`pulumi destroy` will then remove them), or leave those devices out.\n" +
        "  2. An earlier `pulumi up` was interrupted after installing them: run `pulumi up -c doover:adoptExisting=true` " +
        "once, then `pulumi config rm doover:adoptExisting`.",
    );
  }
}

/** A few ids for a message: "a, b, c and 7 more". */
export function sample(ids: readonly string[], max = 5): string {
  return ids.length <= max ? ids.join(", ") : `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`;
}
