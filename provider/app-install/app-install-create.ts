// Creating an install through the shared create path (provider/create-path.ts): one lookup by name on
// the device first (names are unique per device), a POST only when the name is free, an answer that shows
// an upsert treated as "already exists"; a 409 or an ambiguous failure is resolved by one more lookup.
// An archived install of that name is brought back, a live one is taken over only with `adopt` or
// `doover:adoptExisting` (`adopt: "<id>"`: only that install), and anything else is an error that says
// which case it is and what to do.

import { type AppInstallData, BadRequest, type Client, Conflict, installUpsertSignals } from "../../sdk";
import { type CreateHow, createOrAdopt } from "../create-path";
import { wirePatch } from "../diff";
import { DooverProviderError } from "../errors";
import { call, type Props, unlessNotFound, wrap } from "../props";
import { APP_INSTALL_FIELDS, APP_INSTALL_NULLABLE_WIRE } from "./app-install-fields";

export interface InstallCreateRequest {
  client: Client;
  /** the full create body (application_id, device_id, display_name, name, …) */
  body: Props;
  /** the resource's `adopt`: true, false, or the id of the one install to take over */
  adopt: boolean | string;
  /** the stack-wide recovery switch `doover:adoptExisting` */
  adoptExisting: boolean;
  /**
   * Batched lookup (a rollout lists every install of the name once for a whole wave, instead of one GET per
   * device): the install holding the name on the device, or null for none. The lookup before the POST uses it;
   * lookups after a 409, an upsert answer or an ambiguous failure still ask the API.
   */
  knownByName?: AppInstallData | null;
  /** the resource class in messages (default `DooverAppInstall`) */
  resourceType?: string;
}

/** What {@link createOrAdoptInstall} did. */
export interface InstallCreateResult {
  live: AppInstallData;
  /** the install already existed (taken over or unarchived) */
  existed: boolean;
  how: CreateHow;
  /** taken over because of the resource's `adopt` (state records it; see provider/adopt.ts) */
  tookOver: boolean;
}

/** The live install after create or take-over, and whether it already existed. */
export async function createOrAdoptInstall(req: InstallCreateRequest): Promise<InstallCreateResult> {
  const { client, body } = req;
  const name = String(body.name);
  const deviceId = String(body.device_id);
  const appId = String(body.application_id);
  try {
    const { live, how, tookOver } = await createOrAdopt<AppInstallData>({
      kind: "app install",
      resourceType: req.resourceType ?? "DooverAppInstall",
      label: `app install "${name}" on device ${deviceId}`,
      rest: client.rest,
      nameConflicts: true,
      post: () => client.appInstalls.postAnswer(body as never),
      sent: body,
      find: () => client.appInstalls.findByName(deviceId, name),
      ...(req.knownByName !== undefined ? { lookup: async () => req.knownByName ?? undefined } : {}),
      predates: installUpsertSignals(body).predates,
      retrieve: (id) => unlessNotFound(() => client.appInstalls.retrieve(id)),
      mismatch: (i) => installMismatch(i, deviceId, name),
      isOurs: (found) => !found.archived && String(found.application?.id) === appId,
      id: (i) => String(i.id),
      isArchived: (i) => i.archived === true,
      vet: async (existing) => {
        if (String(existing.application?.id) !== appId) {
          throw new DooverProviderError(
            `device ${deviceId} already has an app install named "${name}" (id ${existing.id}) of another application ` +
              `(${existing.application?.name ?? existing.application?.id}); choose another \`name\` for this DooverAppInstall.`,
          );
        }
        return "take";
      },
      takeOver: (existing) => takeOver(client, existing, body),
      adopt: req.adopt,
      adoptExisting: req.adoptExisting,
    });
    return { live, existed: how !== "created", how, tookOver };
  } catch (e) {
    if (Conflict.isInstance(e)) throw await otherNameError(client, body, e);
    const profiles = configProfileIdsError(e, appId, "nothing was installed");
    if (profiles) throw profiles;
    throw wrap(`installing application ${appId} on device ${deviceId} as "${name}"`, e);
  }
}

/**
 * The API's 400 on `config_profile_ids` (a missing profile, or one of another application) as an error
 * naming the input, so the user fixes `configProfileIds` rather than reading a wire field name.
 */
/** Why an install found under an adopted id is not the one declared (another device, another name), if it is not. */
export function installMismatch(i: AppInstallData, deviceId: string, name: string | undefined): string | undefined {
  if (String(i.device?.id) !== deviceId) return `is on device ${i.device?.id ?? "none"}, not ${deviceId}`;
  return name !== undefined && i.name !== name ? `is named "${i.name}", not "${name}"` : undefined;
}

export function configProfileIdsError(e: unknown, appId: string, outcome: string): Error | undefined {
  const reasons = BadRequest.isInstance(e) ? (e as BadRequest).fieldErrors?.config_profile_ids : undefined;
  if (!reasons?.length) return undefined;
  return new DooverProviderError(
    `configProfileIds: ${reasons.join(" ")} Each id must be a config profile of application ${appId} ` +
      `(list them with client.configProfiles.list("${appId}") or GET /applications/${appId}/config_profiles/); ` +
      `${outcome}. Fix configProfileIds and run \`pulumi up\` again.`,
    { cause: e },
  );
}

/** A 409 with no install of that name: the application allows one install per device, and has one. */
async function otherNameError(client: Client, body: Props, cause: unknown): Promise<Error> {
  const deviceId = String(body.device_id);
  const others = await client.appInstalls
    .listForDevice(deviceId, { application: String(body.application_id), archived: false })
    .catch(() => []);
  const other = others[0];
  if (!other) return wrap(`installing application ${String(body.application_id)} on device ${deviceId}`, cause);
  return new DooverProviderError(
    `application ${other.application?.name ?? body.application_id} is already installed on device ${deviceId} as ` +
      `"${other.name}" (id ${other.id}) and does not allow many installs per device. Set \`name: "${other.name}"\` ` +
      "and `adopt: true` on this DooverAppInstall to manage that install, or set `allowMany: true` on the application.",
    { cause },
  );
}

/** Unarchive if needed and PATCH what differs from the declared body. */
async function takeOver(client: Client, existing: AppInstallData, body: Props): Promise<AppInstallData> {
  const id = String(existing.id);
  let live = existing;
  if (live.archived) live = await call(`unarchiving app install ${id}`, () => client.appInstalls.unarchive(id));
  const from: Props = {};
  const to: Props = {};
  for (const f of APP_INSTALL_FIELDS) {
    if (body[f.wire] === undefined) continue;
    from[f.wire] = (live as unknown as Props)[f.wire];
    to[f.wire] = body[f.wire];
  }
  const patch = wirePatch(from, to, APP_INSTALL_NULLABLE_WIRE);
  if (body.config_profile_ids !== undefined) patch.config_profile_ids = body.config_profile_ids;
  if (Object.keys(patch).length > 0)
    live = await call(`updating app install ${id}`, () => client.appInstalls.patch(id, patch as never));
  return live;
}
