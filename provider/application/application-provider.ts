// DooverApplication provider methods (the code the serialized shim loads at run time).

import * as path from "node:path";
import {
  type ApplicationData,
  applicationUpsertSignals,
  type Client,
  Conflict,
  DeploymentData,
  deploymentUpload,
  Forbidden,
  NotFound,
} from "../../sdk";
import { adoptReleased, adoptSet, keepOnDelete, PREVIEW_KEY, tookOverOutput } from "../adopt";
import { previewAdopt } from "../adopt-preview";
import { resourceNameOf } from "../check-names";
import { type CreatePathResult, createOrAdopt, skipDeleteOfAdopted } from "../create-path";
import { changedKeys, mayBeEqual, stableEqual, wirePatch } from "../diff";
import { DooverProviderError, DooverResourceInitError, messageOf } from "../errors";
import type { CheckFailure } from "../inputs";
import { call, type Props, pick, readResult, stripReserved, unlessNotFound, wrap } from "../props";
import { targetFor } from "../provider-config";
import { checkApplication } from "./application-check";
import {
  APPLICATION_DIFF_KEYS,
  APPLICATION_FIELDS,
  APPLICATION_INPUT_KEYS,
  APPLICATION_OUTPUT_KEYS,
  APPLICATION_REPLACE_KEYS,
  applicationPayload,
  computedOutputs,
  deploymentHash,
  liveAsPayload,
  liveDeploymentHash,
  NULLABLE_WIRE,
} from "./application-fields";

export async function check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const checked = checkApplication(news);
  // Preview of a new resource with `adopt`: say which application `up` would take over (reads only).
  if (news[PREVIEW_KEY] === true && adoptSet(checked.inputs.adopt) && Object.keys(olds).length === 0) {
    if (checked.failures.length === 0) checked.failures.push(...(await previewApplicationAdopt(checked.inputs, news)));
  }
  return checked;
}

/** The preview lookup of an application `adopt` would take over (see adopt-preview.ts). */
async function previewApplicationAdopt(inputs: Props, news: Props): Promise<CheckFailure[]> {
  return previewAdopt<ApplicationData>({
    resourceType: "DooverApplication",
    kind: "application",
    adopt: inputs.adopt,
    resource: resourceNameOf(news),
    target: () => {
      const { client, staging, defaultOrganisationId } = targetFor(inputs.staging === true);
      const declared = applicationPayload(inputs, { staging });
      const name = String(declared.name ?? inputs.name);
      return {
        label: `application "${name}"`,
        lookup: () => client.applications.lookupName(name),
        retrieve: (id) => unlessNotFound(() => client.applications.retrieve(id)),
        mismatch: (a) => (a.name !== name ? `is named "${a.name}", not "${name}"` : undefined),
        describe: (a) =>
          `id ${a.id}, organisation ${a.organisation ? `${a.organisation.name} (${a.organisation.id})` : "unknown"}` +
          (a.archived ? ", archived" : ""),
        changes: (a) => takeOverPatchKeys(a, declared),
        refuse: (a) => {
          const want = (inputs.organisationId as string | undefined) ?? defaultOrganisationId;
          const where = a.organisation ? String(a.organisation.id) : undefined;
          return want !== undefined && where !== undefined && where !== want && inputs.organisationId !== undefined
            ? `it is in organisation ${where}, not ${want}: \`up\` will refuse to take it over`
            : undefined;
        },
      };
    },
  });
}

export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const before: Props = { ...olds, staging: olds.staging ?? false };
  // An undeclared organisation is unmanaged; a declared one is compared with where the app really is.
  before.organisationId =
    news.organisationId === undefined ? undefined : (olds.organisationId ?? (olds.organisation as Props | null)?.id);
  const changed = changedKeys(before, news, APPLICATION_DIFF_KEYS);
  if (adoptReleased(olds, news)) changed.push("adopt"); // the stack owns it from now on: state says so
  const replaces = changed.filter((k) => APPLICATION_REPLACE_KEYS.includes(k));
  // The old app keeps its name while archived, so a replacement with the same name must go first.
  const deleteBeforeReplace = replaces.length > 0 && mayBeEqual(olds.name, news.name);
  return { changes: changed.length > 0, replaces, deleteBeforeReplace };
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const { client, staging, defaultOrganisationId, organisationKey, adoptExisting } = targetFor(inputs.staging === true);
  const organisationId = (inputs.organisationId as string | undefined) ?? defaultOrganisationId;
  const payload = applicationPayload(inputs, { staging, organisationId, create: true });
  const name = String(payload.name); // the staging overlay may rename it
  const declared = applicationPayload(inputs, { staging }); // what a take-over PATCH may change
  const deployment = zipFolder(inputs);
  if (deployment) payload.deployment_data = declared.deployment_data = deployment.base64;
  let tookOver = false;
  // `tookOver` is kept in state for resources that declare `adopt` (delete reads it; see adopt.ts).
  const outsOf = (live: ApplicationData) => ({
    ...outputs(inputs, live, deployment?.hash),
    ...tookOverOutput(inputs, tookOver),
  });

  const stagingId = staging ? (inputs.stagingConfig as Props | undefined)?.id : undefined;
  if (stagingId !== undefined) {
    // doover-cli semantics: staging_config.id names the staging app to update.
    const live = await call(`reading staging application ${stagingId}`, () =>
      client.applications.retrieve(String(stagingId)),
    );
    const taken = await takeOver(client, live, declared, outsOf);
    return { id: taken.id, outs: taken.outs };
  }
  const c = client;
  let result: CreatePathResult<ApplicationData>;
  try {
    result = await createOrAdopt<ApplicationData>({
      kind: "application",
      resourceType: "DooverApplication",
      label: `application "${name}"`,
      rest: c.rest,
      nameConflicts: true,
      post: () => c.applications.postAnswer(payload as never),
      sent: payload,
      find: () => c.applications.findByName(name),
      lookup: () => c.applications.lookupName(name),
      predates: applicationUpsertSignals(payload).predates,
      retrieve: (id) => unlessNotFound(() => c.applications.retrieve(id)),
      mismatch: (a) => (a.name !== name ? `is named "${a.name}", not "${name}"` : undefined),
      // After an ambiguous failure: ours when it holds what we sent (someone else's differs).
      isOurs: (found) => !found.archived && sameAsDeclared(found, declared) && sameOrganisation(found, payload),
      id: (a) => String(a.id),
      isArchived: (a) => a.archived === true,
      vet: async (existing) => ((await resolveExisting(c, existing, inputs, declared, payload)) ? "retry" : "take"),
      takeOver: async (existing) => {
        tookOver = !existing.archived && adoptSet(inputs.adopt); // what state records (delete reads it)
        return (await takeOver(c, existing, declared, outsOf)).live;
      },
      adopt: (inputs.adopt as boolean | string | undefined) ?? false,
      adoptExisting,
    });
  } catch (e) {
    if (Conflict.isInstance(e)) {
      throw new DooverProviderError(
        `application name "${name}" is already taken by an application this token cannot see; choose another name`,
        { cause: e },
      );
    }
    if (Forbidden.isInstance(e)) {
      // An upserting API refuses a create whose name another organisation's application holds.
      const org = payload.organisation_id ?? "the token's default organisation";
      throw new DooverProviderError(
        `creating application "${name}": the API refused it (${messageOf(e)}). Application names are global: ` +
          `if another organisation's application holds "${name}" (one this token cannot list), choose another ` +
          `\`name\`; otherwise check that the token may create applications in organisation ${org} ` +
          `(\`${organisationKey}\` or \`organisationId\`). Nothing was changed.`,
        { cause: e },
      );
    }
    const hint =
      payload.organisation_id === null
        ? ` (no organisation was given: set \`${organisationKey}\` in stack config or \`organisationId\` on the resource)`
        : "";
    throw wrap(`creating application "${name}"${hint}`, e);
  }
  tookOver = result.tookOver;
  return { id: String(result.live.id), outs: outsOf(result.live) };
}

/** The wire fields a take-over of `live` would PATCH to reach the declared values (deployment by hash). */
function takeOverPatchKeys(live: ApplicationData, declared: Props): string[] {
  const to = { ...declared };
  delete to.organisation_id;
  delete to.deployment_data;
  return Object.keys(wirePatch(liveAsPayload(live, to), to, NULLABLE_WIRE));
}

function sameOrganisation(found: ApplicationData, payload: Props): boolean {
  const want = payload.organisation_id as string | null | undefined;
  return !want || !found.organisation || String(found.organisation.id) === want;
}

/** The live app already has every declared value (deployment by hash). */
function sameAsDeclared(live: ApplicationData, declared: Props): boolean {
  const to = { ...declared };
  delete to.organisation_id;
  const deploymentData = to.deployment_data;
  delete to.deployment_data;
  if (Object.keys(wirePatch(liveAsPayload(live, to), to, NULLABLE_WIRE)).length > 0) return false;
  return !deploymentData || declaredDeploymentHash(deploymentData) === liveDeploymentHash(live);
}

/**
 * What create does with an application that already has the name: take it over (returns false), free the
 * name so a new one can be created (returns true), or throw an error that says what to do.
 *
 * Organisations: this resource never moves an application between them (`organisationId` is replace-only),
 * so one in another organisation than the declared one is never taken over. The only case where this resource renames an application is the one it
 * caused itself: changing `organisationId` replaces the app (delete first, as the name is reused), delete
 * archives the old app in this same provider process, and create then finds it still holding the name.
 * That app — and only an app this process archived — is renamed `<name>_archived_<id>`. Any other archived
 * app in another organisation is someone else's: we do not touch it and the error names it.
 */
async function resolveExisting(
  client: Client,
  existing: ApplicationData,
  inputs: Props,
  declared: Props,
  payload: Props,
): Promise<boolean> {
  const name = String(inputs.name);
  const id = String(existing.id);
  const declaredOrganisation = declared.organisation_id as string | undefined;
  const targetOrganisation = payload.organisation_id as string | undefined; // declared or the stack's default
  const where = existing.organisation ? String(existing.organisation.id) : undefined;
  const elsewhere = targetOrganisation !== undefined && where !== undefined && where !== targetOrganisation;
  // Live apps reach here only with adopt or doover:adoptExisting (create-path.ts decides that).
  const adopt = adoptSet(inputs.adopt) || !existing.archived;
  // Without a declared organisation, adopt takes the app wherever it is (the organisation stays unmanaged).
  if (!elsewhere || (adopt && declaredOrganisation === undefined)) return false;
  if (existing.archived && archivedHere.has(archiveKey(client, id))) {
    const freed = `${name.slice(0, 100 - `_archived_${id}`.length)}_archived_${id}`;
    await call(`renaming archived application ${id} to free the name "${name}"`, () =>
      client.applications.patch(id, { name: freed }),
    );
    archivedHere.delete(archiveKey(client, id));
    return true;
  }
  const what = existing.archived ? "an archived application" : "application";
  throw new DooverProviderError(
    `the name "${name}" belongs to ${what} ${id} in organisation ${where}, not ${targetOrganisation}; ` +
      "names are global and this resource does not move applications between organisations. Choose another " +
      "`name`, or set " +
      `organisationId to ${where} to ${existing.archived ? "bring that application back" : "adopt it there"}.`,
  );
}

export async function read(id: string, props: Props): Promise<{ id: string; props?: Props; inputs?: Props }> {
  const { client, staging } = targetFor(props.staging === true);
  let live: ApplicationData;
  try {
    live = await client.applications.retrieve(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return { id: "" };
    throw wrap(`reading application "${String(props.name)}" (${id})`, e);
  }
  if (live.archived) return { id: "" };

  const next: Props = stripReserved(props);
  const declared = applicationPayload(props, { staging });
  const overlay = staging ? { ...((props.stagingConfig as Props | undefined) ?? {}) } : {};
  let overlayChanged = false;
  for (const f of APPLICATION_FIELDS) {
    if (props[f.input] === undefined) continue;
    const value = f.live(live) ?? null;
    if (stableEqual(value, declared[f.wire])) continue;
    if (f.wire in overlay && f.wire !== "id") {
      overlay[f.wire] = value;
      overlayChanged = true;
    } else {
      next[f.input] = value;
    }
  }
  const liveOrganisation = live.organisation ? String(live.organisation.id) : undefined;
  if (props.organisationId !== undefined && liveOrganisation && liveOrganisation !== declared.organisation_id) {
    if ("organisation_id" in overlay) {
      overlay.organisation_id = liveOrganisation;
      overlayChanged = true;
    } else {
      next.organisationId = liveOrganisation;
    }
  }
  if (overlayChanged) next.stagingConfig = overlay;
  if (props.deploymentHash !== undefined) next.deploymentHash = liveDeploymentHash(live);
  Object.assign(next, computedOutputs(live));
  return readResult(String(live.id), props, next, APPLICATION_INPUT_KEYS);
}

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const { client, staging } = targetFor(news.staging === true);
  const from = applicationPayload(olds, { staging });
  const to = applicationPayload(news, { staging });
  delete from.organisation_id; // replace-only
  delete to.organisation_id;
  const patch = wirePatch(from, to, NULLABLE_WIRE);
  let hash = news.deploymentHash as string | null | undefined;
  if (!stableEqual(olds.deploymentHash, news.deploymentHash)) {
    const deployment = zipFolder(news);
    patch.deployment_data = deployment?.base64 ?? null;
    hash = deployment?.hash ?? null;
  }
  const kept = olds.tookOver === undefined ? {} : { tookOver: olds.tookOver };
  if (Object.keys(patch).length === 0) {
    return { outs: { ...stripReserved(news), ...pick(olds, APPLICATION_OUTPUT_KEYS), ...kept } };
  }
  const live = await call(`updating application "${String(news.name)}" (${id})`, () =>
    client.applications.patch(id, patch as never),
  );
  return { outs: { ...outputs(news, live, hash), ...kept } };
}

export async function del(id: string, props: Props): Promise<void> {
  const label = `application "${String(props.name)}"`;
  const kept = keepOnDelete(props, "application", label, id);
  if (kept) return void console.error(kept);
  const { client } = targetFor(props.staging === true);
  if (skipDeleteOfAdopted(client.baseUrl, "application", id, label)) return;
  try {
    await client.applications.archive(id);
  } catch (e) {
    if (NotFound.isInstance(e)) return;
    throw wrap(`archiving application "${String(props.name)}" (${id})`, e);
  }
  archivedHere.add(archiveKey(client, id));
}

/**
 * Applications archived by delete in this provider process (API + id). A replace runs delete then create in
 * the same process, so create can tell "the app this stack just archived" from anyone else's archived app.
 */
const archivedHere = new Set<string>();
const archiveKey = (client: Client, id: string) => `${client.baseUrl} ${id}`;

/** Unarchive if needed and PATCH what differs from the declared payload (adopt / archived-name recovery). */
async function takeOver(
  client: Client,
  existing: ApplicationData,
  payload: Props,
  outsOf: (live: ApplicationData) => Props,
): Promise<{ id: string; outs: Props; live: ApplicationData }> {
  const id = String(existing.id);
  let live = existing;
  try {
    if (live.archived) live = await client.applications.unarchive(id);
    const to = { ...payload };
    delete to.organisation_id;
    const deploymentData = to.deployment_data;
    delete to.deployment_data;
    const patch = wirePatch(liveAsPayload(live, to), to, NULLABLE_WIRE);
    if (deploymentData && declaredDeploymentHash(deploymentData) !== liveDeploymentHash(live)) {
      patch.deployment_data = deploymentData;
    }
    if (Object.keys(patch).length > 0) live = await client.applications.patch(id, patch as never);
  } catch (e) {
    // The engine records the app (id known) so the next `pulumi up` finishes the job.
    throw new DooverResourceInitError(
      `taking over application "${live.name}" (${id}): ${messageOf(e)}`,
      id,
      outsOf(live),
      e,
    );
  }
  return { id, outs: outsOf(live), live };
}

function outputs(inputs: Props, live: ApplicationData, deploymentHash: string | null | undefined): Props {
  const outs = { ...stripReserved(inputs), ...computedOutputs(live) };
  if (deploymentHash !== undefined) outs.deploymentHash = deploymentHash;
  return outs;
}

/** The hash of declared deployment data: a streamed folder upload knows it without building the zip. */
function declaredDeploymentHash(data: unknown): string {
  return DeploymentData.isInstance(data) ? data.hash : deploymentHash(Buffer.from(String(data), "base64"));
}

function zipFolder(inputs: Props): { base64: DeploymentData; hash: string } | undefined {
  if (typeof inputs.deploymentFolder !== "string") return undefined;
  const { data, hash } = deploymentUpload(path.resolve(inputs.deploymentFolder)); // streamed when sent
  return { base64: data, hash };
}
