// DooverAppInstall provider methods (the code the serialized shim loads at run time).

import { type AppInstallData, type Client, type InstallDeploymentData, NotFound } from "../../sdk";
import { adoptReleased, adoptSet, keepOnDelete, PREVIEW_KEY, tookOverOutput } from "../adopt";
import { previewAdopt } from "../adopt-preview";
import { resourceNameOf } from "../check-names";
import { skipDeleteOfAdopted } from "../create-path";
import { changedDeclared, mayBeEqual, stableEqual, wirePatch } from "../diff";
import { DooverProviderError, DooverResourceInitError, messageOf } from "../errors";
import { type CheckFailure, isUnknown } from "../inputs";
import { call, type Props, pick, readResult, stripReserved, unlessNotFound, wrap } from "../props";
import { targetFor } from "../provider-config";
import { checkAppInstall, deploymentConfigFailures } from "./app-install-check";
import { configProfileIdsError, createOrAdoptInstall, installMismatch } from "./app-install-create";
import { deployAndWait, isFinal, logTail, waitForDeployment } from "./app-install-deploy";
import {
  APP_INSTALL_DEPLOY_KEYS,
  APP_INSTALL_DIFF_KEYS,
  APP_INSTALL_FIELDS,
  APP_INSTALL_INPUT_KEYS,
  APP_INSTALL_NULLABLE_WIRE,
  APP_INSTALL_OUTPUT_KEYS,
  appInstallComputed,
  appInstallPayload,
  CONFIG_CHECKED_KEY,
  DEFAULT_DEPLOY_TIMEOUT_SECONDS,
  deploymentSummary,
} from "./app-install-fields";

/**
 * Validates inputs and applies defaults; deploymentConfig against the declared schema. No HTTP, but for the
 * preview of a new install with `adopt` (which install `up` would take over: reads only).
 */
export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const checked = checkAppInstall(news);
  if (news[PREVIEW_KEY] === true && adoptSet(checked.inputs.adopt) && Object.keys(olds).length === 0) {
    if (checked.failures.length === 0) checked.failures.push(...(await previewInstallAdopt(checked.inputs, news)));
  }
  return checked;
}

async function previewInstallAdopt(inputs: Props, news: Props): Promise<CheckFailure[]> {
  const deviceId = inputs.deviceId;
  const appId = inputs.applicationId;
  return previewAdopt<AppInstallData>({
    resourceType: "DooverAppInstall",
    kind: "app install",
    adopt: inputs.adopt,
    resource: resourceNameOf(news),
    target: () => {
      if (isUnknown(deviceId) || isUnknown(appId) || isUnknown(inputs.name)) {
        throw new DooverProviderError("its application or device is not known until `up` creates it");
      }
      const { client } = targetFor(inputs.staging === true);
      let name = inputs.name as string | undefined;
      const nameOf = async () => (name ??= (await client.applications.retrieve(String(appId))).name); // the API's default name
      return {
        label: `app install "${name ?? `<the name of application ${String(appId)}>`}" on device ${String(deviceId)}`,
        lookup: async () => client.appInstalls.findByName(String(deviceId), await nameOf()),
        retrieve: (id) => unlessNotFound(() => client.appInstalls.retrieve(id)),
        mismatch: (i) => installMismatch(i, String(deviceId), name),
        describe: (i) =>
          `id ${i.id}, application ${i.application?.name ?? i.application?.id}, organisation ` +
          `${i.organisation ? `${i.organisation.name} (${i.organisation.id})` : "unknown"}${i.archived ? ", archived" : ""}`,
        changes: (i) => installTakeOverKeys(i, inputs),
        refuse: (i) =>
          String(i.application?.id) !== String(appId)
            ? `it is an install of another application (${i.application?.name ?? i.application?.id}): \`up\` will refuse it`
            : undefined,
      };
    },
  });
}

/** The wire fields a take-over of `live` would PATCH (the declared ones that differ). */
function installTakeOverKeys(live: AppInstallData, inputs: Props): string[] {
  const body = appInstallPayload(inputs);
  return APP_INSTALL_FIELDS.filter(
    (f) => body[f.wire] !== undefined && !stableEqual((live as unknown as Props)[f.wire] ?? null, body[f.wire]),
  ).map((f) => f.wire);
}

/** Declared inputs against the old outputs; application/device/staging replace (no HTTP). */
export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const before: Props = {
    ...olds,
    staging: olds.staging ?? false,
    deploy: olds.deploy ?? true,
    deployTimeoutSeconds: olds.deployTimeoutSeconds ?? DEFAULT_DEPLOY_TIMEOUT_SECONDS,
  };
  const changed = changedDeclared(APP_INSTALL_DIFF_KEYS, before, news);
  if (adoptReleased(olds, news)) changed.push("adopt"); // the stack owns it from now on: state says so
  if (applicationChanged(olds, news)) changed.push("applicationId");
  const replaces = changed.filter((k) => ["applicationId", "deviceId", "staging"].includes(k));
  // Names are unique per device: when the new install may take the old one's name there, the old goes first.
  const sameSpot =
    mayBeEqual(olds.deviceId, news.deviceId) &&
    mayBeEqual(olds.staging ?? false, news.staging) &&
    (news.name === undefined || mayBeEqual(olds.name, news.name));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && sameSpot };
}

/**
 * The application id of a DooverApplication that is being updated is unknown in preview (its outputs
 * are), while its name is known: names are globally unique, so the same name is the same application.
 */
function applicationChanged(olds: Props, news: Props): boolean {
  if (!isUnknown(news.applicationId)) return !stableEqual(olds.applicationId, news.applicationId);
  const name = news.applicationName;
  return !(typeof name === "string" && !isUnknown(name) && name === olds.applicationName);
}

/** Creates (or brings back / takes over) the install, then deploys it and waits. */
export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const { client, adoptExisting } = targetFor(inputs.staging === true);
  const resolved = await resolveFromApplication(client, inputs);
  const body: Props = {
    application_id: String(inputs.applicationId),
    device_id: String(inputs.deviceId),
    ...appInstallPayload(resolved),
  };
  const { live, existed, tookOver } = await createOrAdoptInstall({
    client,
    body,
    adopt: (inputs.adopt as boolean | string | undefined) ?? false,
    adoptExisting,
  });
  const id = String(live.id);
  const outs = outputs(resolved, live);
  Object.assign(outs, tookOverOutput(inputs, tookOver)); // delete reads it (see adopt.ts)
  // A take-over of an install already running this config needs no new deployment.
  if (inputs.deploy === false || (existed && live.synced === "OK")) return { id, outs };
  const result = await rollOut(client, live, resolved, outs);
  return { id, outs: result };
}

/** One GET: gone when deleted or archived; drift comes back as inputs. */
export async function read(id: string, props: Props): Promise<{ id: string; props?: Props; inputs?: Props }> {
  const { client } = targetFor(props.staging === true);
  let live: AppInstallData;
  try {
    live = await client.appInstalls.retrieve(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return { id: "" };
    throw wrap(`reading app install "${String(props.name)}" (${id})`, e);
  }
  if (live.archived) return { id: "" };
  const next = stripReserved(props);
  for (const f of APP_INSTALL_FIELDS) {
    if (props[f.input] === undefined || !(f.wire in live)) continue;
    const value = live[f.wire] ?? null;
    if (!stableEqual(value, props[f.input] ?? null)) next[f.input] = value;
  }
  if (live.device?.id !== undefined && props.deviceId !== undefined) next.deviceId = String(live.device.id);
  if (live.application?.id !== undefined) next.applicationId = String(live.application.id);
  if (props.configProfileIds !== undefined)
    next.configProfileIds = (live.config_profiles ?? []).map((p) => String((p as { id: unknown }).id));
  Object.assign(next, appInstallComputed(live));
  return readResult(String(live.id), props, next, APP_INSTALL_INPUT_KEYS);
}

/** PATCH of what changed, then a deployment when the config/version changed or the last one did not succeed. */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const { client } = targetFor(news.staging === true);
  const configChanged = !stableEqual(olds.deploymentConfig ?? {}, news.deploymentConfig ?? {});
  if (configChanged && news[CONFIG_CHECKED_KEY] !== true) await checkAgainstLiveSchema(client, news);
  const from = appInstallPayload(olds);
  const to = appInstallPayload(news);
  for (const k of ["name", "display_name"]) if (to[k] === undefined) delete from[k]; // unmanaged: leave it
  const patch = wirePatch(from, to, APP_INSTALL_NULLABLE_WIRE);
  const kept: Props = {
    ...stripReserved(news),
    name: news.name ?? olds.name,
    displayName: news.displayName ?? olds.displayName,
    ...(olds.tookOver === undefined ? {} : { tookOver: olds.tookOver }),
  };
  let live: AppInstallData | undefined;
  if (Object.keys(patch).length > 0) {
    live = await call(`updating app install "${String(kept.name)}" (${id})`, () =>
      client.appInstalls.patch(id, patch as never).catch((e: unknown) => {
        throw configProfileIdsError(e, String(news.applicationId), "the install was not changed") ?? e;
      }),
    );
  }
  const outs = live ? outputs(kept, live) : { ...kept, ...pick(olds, APP_INSTALL_OUTPUT_KEYS) };
  if (news.deploy === false) return { outs };
  const previous = olds.latestDeployment as { id?: string; status?: string } | null | undefined;
  const needsDeploy = APP_INSTALL_DEPLOY_KEYS.some((k) => !stableEqual(olds[k], news[k])) || previous?.status !== "SUC";
  if (!needsDeploy) return { outs };
  const withProvider = { ...kept, __provider: news.__provider };
  const current = live ?? (await call(`reading app install ${id}`, () => client.appInstalls.retrieve(id)));
  // An earlier `up` timed out waiting: if nothing changed since, wait for that deployment, not a new one.
  const unfinished =
    current.latest_deployment && !isFinal(current.latest_deployment) ? current.latest_deployment : undefined;
  if (unfinished && Object.keys(patch).length === 0 && previous?.id === String(unfinished.id)) {
    return { outs: await rollOut(client, current, withProvider, outputs(kept, current), unfinished) };
  }
  return { outs: await rollOut(client, current, withProvider, outputs(kept, current)) };
}

/**
 * DELETE (204; 404 counts as done). Not archive: an install is a leaf nothing else refers to, and an
 * archived install keeps its name on the device, so a later create or a delete-before-replace would hit a
 * 409 (see the README, "Delete or archive").
 */
export async function del(id: string, props: Props): Promise<void> {
  const label = `app install "${String(props.name)}" on device ${String(props.deviceId)}`;
  const keep = keepOnDelete(props, "app install", label, id);
  if (keep) return void console.error(keep);
  const { client } = targetFor(props.staging === true);
  if (skipDeleteOfAdopted(client.baseUrl, "app install", id, label)) return;
  try {
    await client.appInstalls.delete(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return;
    throw wrap(`deleting app install "${String(props.name)}" (${id})`, e);
  }
}

// ---- helpers

/**
 * Name, display name and schema from the application when the program did not give them (an application
 * id instead of a DooverApplication): one GET, and the config is checked before anything is written.
 */
async function resolveFromApplication(client: Client, inputs: Props): Promise<Props> {
  const out = { ...inputs };
  // Checked at `check` against the schema the program declares: nothing to fetch when the names are known too.
  if (out[CONFIG_CHECKED_KEY] === true && out.name !== undefined && out.displayName !== undefined) return out;
  const appId = String(inputs.applicationId);
  const app = await call(`reading application ${appId}`, () => client.applications.retrieve(appId));
  if (app.archived) {
    throw new DooverProviderError(
      `application ${app.name} (${appId}) is archived and cannot be installed; unarchive it (or declare it in this ` +
        "program as a DooverApplication, which unarchives it) first",
    );
  }
  out.name ??= app.name;
  out.displayName ??= app.display_name;
  if (out[CONFIG_CHECKED_KEY] !== true) assertConfigFits(app.config_schema ?? null, out);
  return out;
}

async function checkAgainstLiveSchema(client: Client, news: Props): Promise<void> {
  const appId = String(news.applicationId);
  const app = await call(`reading application ${appId}`, () => client.applications.retrieve(appId));
  assertConfigFits(app.config_schema ?? null, news);
}

/** The check failures of `deploymentConfig`, thrown before any write. */
function assertConfigFits(schema: unknown, inputs: Props): void {
  const failures = deploymentConfigFailures(schema, inputs.deploymentConfig);
  if (failures.length === 0) return;
  throw new DooverProviderError(
    `deploymentConfig of app install "${String(inputs.name)}" does not fit the application's configSchema; ` +
      `nothing was written. Fix deploymentConfig:\n${failures.map((f) => `  ${f.reason}`).join("\n")}`,
  );
}

/**
 * Deploy and wait. A deployment that fails, is cancelled or outlasts `deployTimeoutSeconds` fails the
 * operation with the end of its log, while the install stays in state (a partial result, so the engine
 * records it and the next `pulumi up` deploys again).
 */
async function rollOut(
  client: Client,
  live: AppInstallData,
  inputs: Props,
  outs: Props,
  resume?: InstallDeploymentData,
): Promise<Props> {
  const id = String(live.id);
  const what = `app install "${String(inputs.name)}" (${id}) on device ${String(inputs.deviceId)}`;
  const timeout = Number(inputs.deployTimeoutSeconds ?? DEFAULT_DEPLOY_TIMEOUT_SECONDS);
  const partial = (message: string, d: InstallDeploymentData | null, cause?: unknown): DooverResourceInitError =>
    new DooverResourceInitError(
      message,
      id,
      { ...outs, latestDeployment: deploymentSummary(d ?? live.latest_deployment), __provider: inputs.__provider },
      cause,
    );
  let d: InstallDeploymentData;
  try {
    d = resume
      ? await waitForDeployment(client, { ...resume, app_install: id }, timeout, what)
      : await deployAndWait(client, id, live.latest_deployment?.id, timeout, what);
  } catch (e) {
    throw partial(`${what} is saved, but its deployment could not be started or followed: ${messageOf(e)}`, null, e);
  }
  if (!isFinal(d)) {
    throw partial(
      `deployment ${d.id} of ${what} did not finish within deployTimeoutSeconds (${timeout} s; still ${d.status}). ` +
        "The install is kept: run `pulumi up` again to wait for this deployment, or raise deployTimeoutSeconds. " +
        `Last lines of its log:\n${logTail(d.log_output)}`,
      d,
    );
  }
  if (d.status !== "SUC") {
    throw partial(
      `deployment ${d.id} of ${what} ${d.status === "FAI" ? "failed" : "was cancelled"} (${d.status}). The install ` +
        "is kept and the next `pulumi up` deploys it again; fix the cause first (often deploymentConfig or the " +
        `application's image). Last lines of its log:\n${logTail(d.log_output)}`,
      d,
    );
  }
  // One GET so `synced` reflects the finished deployment.
  const after = await client.appInstalls.retrieve(id).catch(() => live);
  return { ...outs, ...appInstallComputed(after, d) };
}

function outputs(inputs: Props, live: AppInstallData): Props {
  const outs: Props = { ...stripReserved(inputs), ...appInstallComputed(live) };
  if (outs.name === undefined && live.name !== undefined) outs.name = live.name;
  if (outs.displayName === undefined) outs.displayName = live.display_name;
  return outs;
}
