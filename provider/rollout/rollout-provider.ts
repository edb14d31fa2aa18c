// DooverRollout provider methods (the code the serialized shim loads at run time).

import { randomBytes } from "node:crypto";
import { type Client, NotFound } from "../../sdk";
import { deploymentConfigFailures } from "../app-install/app-install-check";
import { CONFIG_CHECKED_KEY } from "../app-install/app-install-fields";
import { resourceNameOf } from "../check-names";
import { skipDeleteOfAdopted } from "../create-path";
import { changedDeclared, mayBeEqual, stableEqual } from "../diff";
import { DooverProviderError, DooverResourceInitError } from "../errors";
import { type CheckFailure, forEngine, isUnknown } from "../inputs";
import { claimInstall, installOwner, installWhat, twoOwnersReason } from "../install-claims";
import { notice } from "../progress";
import { call, type Props, stripReserved, wrap } from "../props";
import { targetFor } from "../provider-config";
import { checkRolloutInputs } from "./rollout-check";
import { classify, liveRelease } from "./rollout-classify";
import {
  DEFAULT_DEVICE_TIMEOUT_SECONDS,
  DEFAULT_MAX_PARALLEL_DEPLOYMENTS,
  type FailureThreshold,
  type GroupSelector,
  type OnDeviceRemoved,
  type OnFailure,
  ROLLOUT_DIFF_KEYS,
  type WaveSpec,
} from "./rollout-fields";
import { installsByDevice, listApplicationInstalls, resolveGroup } from "./rollout-live";
import { managedOf, previewRollout, type RolloutPlan } from "./rollout-preview";
import {
  type DeviceRecord,
  FAILED_CODES,
  packDeviceIds,
  packRecords,
  type Release,
  releaseHash,
  releaseOf,
  unpackDeviceIds,
  unpackRecords,
} from "./rollout-records";
import { totalsOf } from "./rollout-report";
import { type PriorState, type RolloutOutcome, RolloutRun } from "./rollout-run";
import { splitWaves } from "./rollout-waves";

function labelOf(p: Props): string {
  return `DooverRollout "${resourceNameOf(p) ?? String(p.name ?? "rollout")}"`;
}

/**
 * Validates inputs (no HTTP), then reads the API as a preview must: the group's devices, listed devices that
 * do not exist, the live schema, installs it would take over, and the plan the preview diff shows. Claims
 * every (application, device) so a DooverAppInstall of the same app on one of the devices fails preview.
 */
export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const { inputs, failures } = checkRolloutInputs(news);
  if (failures.length === 0) {
    const { client, adoptExisting } = targetFor(inputs.staging === true);
    failures.push(...(await previewRollout(client, olds, inputs, { adoptExisting })));
    failures.push(...claimDevices(news, inputs));
  }
  return { inputs, failures: forEngine(failures, news) };
}

/** One failure per other resource that manages the same install on some of these devices. */
export function claimDevices(news: Props, inputs: Props): CheckFailure[] {
  const owner = installOwner("DooverRollout", resourceNameOf(news));
  if (owner === undefined || isUnknown(inputs.deviceIds)) return [];
  const install = { name: inputs.name, applicationId: inputs.applicationId };
  const clashes = new Map<string, string[]>();
  for (const d of unpackDeviceIds(inputs.deviceIds)) {
    const other = claimInstall(owner, inputs.staging, install, d);
    if (other !== undefined) clashes.set(other, [...(clashes.get(other) ?? []), d]);
  }
  return [...clashes].map(([other, devices]) => ({
    property: "devices",
    reason: twoOwnersReason(other, owner, devices, installWhat(install)),
  }));
}

/**
 * Changes when a declared input differs, or the plan (from the live installs, at check) has devices to
 * install, deploy or uninstall; without a plan (preview with unknown inputs), when state has devices not at
 * the target. Another application or API replaces.
 */
export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const before: Props = {
    ...olds,
    staging: olds.staging ?? false,
    deviceTimeoutSeconds: olds.deviceTimeoutSeconds ?? DEFAULT_DEVICE_TIMEOUT_SECONDS,
    maxParallelDeployments: olds.maxParallelDeployments ?? DEFAULT_MAX_PARALLEL_DEPLOYMENTS,
  };
  const changed = changedDeclared(ROLLOUT_DIFF_KEYS, before, news);
  if (isUnknown(news.deviceIds) || !stableEqual(olds.deviceIds ?? "", news.deviceIds ?? "")) changed.push("deviceIds");
  if (applicationChanged(olds, news)) changed.push("applicationId");
  const replaces = changed.filter((k) => k === "applicationId" || k === "staging");
  const plan = news.plan as Partial<RolloutPlan> | undefined;
  const work =
    plan && typeof plan.changes === "number" && !isUnknown(plan)
      ? plan.changes > 0 || (plan.running ?? 0) > 0
      : notAtTarget(olds, news);
  const sameNames = news.name === undefined || mayBeEqual(olds.name, news.name);
  return {
    changes: changed.length > 0 || work,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && sameNames && mayBeEqual(olds.staging ?? false, news.staging),
  };
}

/** The application id is unknown in the preview of its update; its (globally unique) name is not. */
function applicationChanged(olds: Props, news: Props): boolean {
  if (!isUnknown(news.applicationId)) return !stableEqual(olds.applicationId, news.applicationId);
  const name = news.applicationName;
  return !(typeof name === "string" && !isUnknown(name) && name === olds.applicationName);
}

/** State has a device (of the waves before the hold) that is not at the target release. */
function notAtTarget(olds: Props, news: Props): boolean {
  if (isUnknown(news.deploymentConfig) || isUnknown(news.version) || isUnknown(news.configProfileIds)) return true;
  const target = releaseHash(releaseOf(news.deploymentConfig, news.version, news.configProfileIds, managedOf(news)));
  const records = unpackRecords(olds.records);
  const fleet = unpackDeviceIds(olds.deviceIds);
  const waves = splitWaves((news.waves ?? olds.waves) as WaveSpec[], fleet);
  const hold = typeof news.holdAfterWave === "number" ? news.holdAfterWave : waves.length;
  return waves
    .slice(0, hold)
    .some((m) => m.some((d) => records.get(d)?.code !== "SUC" || records.get(d)?.release !== target));
}

/** Installs the application on every device, wave by wave; fails (keeping what happened) when a wave fails. */
export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const id = `rollout-${randomBytes(6).toString("hex")}`;
  const outs = await rollOut(id, inputs, { records: new Map(), releases: {} });
  return { id, outs };
}

/** Continues or restarts the rollout from what the live installs show; state says what is owned. */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const prior: PriorState = {
    records: unpackRecords(olds.records),
    releases: (olds.releases ?? {}) as Record<string, Release>,
  };
  return { outs: await rollOut(id, news, prior) };
}

/** Runs the rollout; a stop, rollback or failure mid-run is a partial result, so state keeps every device. */
async function rollOut(id: string, inputs: Props, prior: PriorState): Promise<Props> {
  const { client, adoptExisting } = targetFor(inputs.staging === true);
  const resolved = await resolveFromApplication(client, inputs);
  // check resolved the group moments ago in this same provider process (it runs before every create/update).
  const fleet =
    inputs.devices !== undefined && (typeof inputs.deviceIds !== "string" || isUnknown(inputs.deviceIds))
      ? await call("listing the group's devices", () => resolveGroup(client, inputs.devices as GroupSelector))
      : unpackDeviceIds(inputs.deviceIds);
  resolved.deviceIds = packDeviceIds(fleet);
  const managed = managedOf(resolved);
  const run = new RolloutRun(
    {
      label: labelOf(inputs),
      client,
      applicationId: String(resolved.applicationId),
      name: String(resolved.name),
      displayName: String(resolved.displayName),
      target: releaseOf(resolved.deploymentConfig, resolved.version, resolved.configProfileIds, managed),
      managed,
      fleet,
      waves: resolved.waves as WaveSpec[],
      threshold: resolved.failureThreshold as FailureThreshold,
      timeoutSeconds: Number(resolved.deviceTimeoutSeconds ?? DEFAULT_DEVICE_TIMEOUT_SECONDS),
      onFailure: (resolved.onFailure ?? "stop") as OnFailure,
      holdAfterWave: typeof resolved.holdAfterWave === "number" ? resolved.holdAfterWave : undefined,
      onDeviceRemoved: (resolved.onDeviceRemoved ?? "uninstall") as OnDeviceRemoved,
      maxParallel: Number(resolved.maxParallelDeployments ?? DEFAULT_MAX_PARALLEL_DEPLOYMENTS),
      adopt: resolved.adopt === true,
      adoptExisting,
    },
    prior,
  );
  const kept = stripReserved(resolved);
  let outcome: RolloutOutcome;
  try {
    outcome = await run.run();
  } catch (e) {
    if (!run.wroteAnything()) throw wrap(`${labelOf(inputs)}: nothing was changed`, e);
    const message = `${labelOf(inputs)} was interrupted: ${(e as Error).message ?? String(e)}. What each device reached is kept; run \`pulumi up\` again to continue.`;
    throw new DooverResourceInitError(
      message,
      id,
      { ...outputs(kept, run.snapshot()), __provider: inputs.__provider },
      e,
    );
  }
  const outs = outputs(kept, outcome);
  if (outcome.message) {
    throw new DooverResourceInitError(outcome.message, id, { ...outs, __provider: inputs.__provider });
  }
  return outs;
}

function outputs(inputs: Props, o: RolloutOutcome): Props {
  return {
    ...inputs,
    status: o.status,
    configHash: releaseHash(
      releaseOf(inputs.deploymentConfig, inputs.version, inputs.configProfileIds, managedOf(inputs)),
    ),
    records: packRecords(o.records),
    releases: o.releases,
    waveResults: o.waves,
    totals: o.totals,
  };
}

/**
 * Refresh: one paged list of the application's installs (and the group's devices) restores what each device
 * runs; devices that joined the group show up as pending, devices whose install is gone as pending too.
 */
export async function read(id: string, props: Props): Promise<{ id: string; props?: Props }> {
  const { client } = targetFor(props.staging === true);
  const appId = String(props.applicationId);
  let installs: Awaited<ReturnType<typeof listApplicationInstalls>>;
  try {
    installs = await listApplicationInstalls(client, appId);
  } catch (e) {
    throw wrap(`${labelOf(props)}: reading the installs of application ${appId}`, e);
  }
  const fleet =
    props.devices !== undefined
      ? await call("listing the group's devices", () => resolveGroup(client, props.devices as GroupSelector))
      : unpackDeviceIds(props.deviceIds);
  const old = unpackRecords(props.records);
  const byDevice = installsByDevice(installs, String(props.name ?? ""), (d) => old.get(d)?.installId);
  const managed = managedOf(props);
  const target = releaseOf(props.deploymentConfig, props.version, props.configProfileIds, managed);
  const targetHash = releaseHash(target);
  const records = new Map<string, DeviceRecord>();
  const refresh = (d: string): DeviceRecord => {
    const rec = old.get(d);
    const install = byDevice.get(d);
    if (!rec?.installId) return rec ?? { code: "PEN", previous: "-" };
    if (!install || String(install.id) !== rec.installId) return { code: "PEN", previous: "-" };
    const need = classify(install, rec, target, managed);
    const latest = install.latest_deployment;
    const next: DeviceRecord = { ...rec };
    if (need.kind === "atTarget" || need.kind === "inFlight") {
      Object.assign(next, { code: latest!.status, deploymentId: String(latest!.id), release: targetHash });
    } else if (latest && String(latest.id) !== rec.deploymentId) {
      // Deployed outside the rollout since: say what it runs now.
      Object.assign(next, {
        code: latest.status,
        deploymentId: String(latest.id),
        release: releaseHash(liveRelease(install, managed)),
      });
    } else if (
      latest &&
      rec.code !== "RBK" &&
      rec.code !== "PEN" &&
      !FAILED_CODES.includes(rec.code) &&
      rec.code !== latest.status
    ) {
      next.code = latest.status;
    }
    return next;
  };
  for (const d of fleet) records.set(d, refresh(d));
  for (const [d, r] of old) if (!records.has(d)) records.set(d, r); // left: the next `up` uninstalls or keeps
  const totals = { ...(props.totals as Record<string, unknown>) };
  const fresh = totalsOf(records, { deploymentsStarted: 0, installsCreated: 0, installsRemoved: 0 });
  for (const k of ["devices", "succeeded", "failed", "timedOut", "running", "pending", "rolledBack", "rollbackFailed"])
    totals[k] = (fresh as unknown as Record<string, unknown>)[k];
  const next: Props = {
    ...stripReserved(props),
    deviceIds: packDeviceIds(fleet),
    records: packRecords(records),
    totals,
  };
  return { id, props: next };
}

/** Deletes every install the rollout owns (404 counts as done), at most `maxParallelDeployments` at once. */
export async function del(id: string, props: Props): Promise<void> {
  const { client } = targetFor(props.staging === true);
  const records = [...unpackRecords(props.records)].filter(([, r]) => r.installId);
  // Installs taken over with `adopt` existed before the stack: while `adopt` is declared they stay (as for
  // every resource of this package), and only leave the stack.
  const kept = props.adopt === true ? records.filter(([, r]) => r.adopted) : [];
  const owned = records.filter(([, r]) => !(props.adopt === true && r.adopted));
  if (kept.length > 0) {
    notice(
      `${labelOf(props)}: not deleting ${kept.length} install(s) it took over with \`adopt: true\` (they existed ` +
        `before the stack; remove \`adopt\` first to delete them): device(s) ${kept
          .map(([d]) => d)
          .slice(0, 5)
          .join(", ")}` +
        (kept.length > 5 ? ` and ${kept.length - 5} more` : ""),
    );
  }
  const limit = Number(props.maxParallelDeployments ?? DEFAULT_MAX_PARALLEL_DEPLOYMENTS);
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < owned.length) {
      const [device, r] = owned[next++];
      const installId = r.installId!;
      if (skipDeleteOfAdopted(client.baseUrl, "app install", installId, `app install on device ${device}`)) continue;
      try {
        await client.appInstalls.delete(installId);
      } catch (e) {
        if (!NotFound.isInstance(e)) errors.push(`  device ${device} (install ${installId}): ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, owned.length) }, worker));
  if (errors.length > 0) {
    throw new DooverProviderError(
      `${labelOf(props)} (${id}): ${errors.length} install(s) could not be deleted; run \`pulumi destroy\` again:\n${errors.join("\n")}`,
    );
  }
}

// ---- helpers

/**
 * Name, display name and schema from the application when the program gave only its id: one GET, and the
 * config is checked before anything is written (as DooverAppInstall does).
 */
async function resolveFromApplication(client: Client, inputs: Props): Promise<Props> {
  const out = { ...inputs };
  // Checked at `check` against the schema the program declares: nothing to fetch when the names are known too.
  if (out[CONFIG_CHECKED_KEY] === true && out.name !== undefined && out.displayName !== undefined) return out;
  const appId = String(inputs.applicationId);
  const app = await call(`reading application ${appId}`, () => client.applications.retrieve(appId));
  if (app.archived) {
    throw new DooverProviderError(
      `application ${app.name} (${appId}) is archived and cannot be rolled out; unarchive it (or declare it in this ` +
        "program as a DooverApplication, which unarchives it) first",
    );
  }
  out.name ??= app.name;
  out.displayName ??= app.display_name;
  if (out[CONFIG_CHECKED_KEY] !== true) assertConfigFits(app.config_schema ?? null, out);
  return out;
}

function assertConfigFits(schema: unknown, inputs: Props): void {
  const failures = deploymentConfigFailures(schema, inputs.deploymentConfig);
  if (failures.length === 0) return;
  throw new DooverProviderError(
    `deploymentConfig of ${labelOf(inputs)} does not fit the application's configSchema; nothing was written. ` +
      `Fix deploymentConfig:\n${failures.map((f) => `  ${f.reason}`).join("\n")}`,
  );
}
