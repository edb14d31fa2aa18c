// Creating an install without ever making a duplicate: POST first; look up by name on the device only
// after a 409 or an ambiguous failure (the sdk's create resolves those by name before re-sending); an
// existing install is taken over only when `adopt` says so — or when it is archived (the same slot,
// set aside: like a destroyed DooverApplication it comes back with its id).
//
// One function, so the shared create path (provider/create-path.ts) can replace its body.

import { Conflict, type AppInstallData, type Client } from "../sdk";
import { wirePatch } from "./diff";
import { APP_INSTALL_FIELDS, APP_INSTALL_NULLABLE_WIRE } from "./app-install-fields";
import { DooverProviderError } from "./errors";
import { call, wrap, type Props } from "./props";

export interface InstallCreateRequest {
  client: Client;
  /** the full create body (application_id, device_id, display_name, name, …) */
  body: Props;
  /** take over a live install of that name (the resource's `adopt`) */
  adopt: boolean;
}

/** The live install after create or take-over, and whether it already existed. */
export async function createOrAdoptInstall(req: InstallCreateRequest): Promise<{ live: AppInstallData; existed: boolean }> {
  const { client, body } = req;
  const name = String(body.name);
  const deviceId = String(body.device_id);
  try {
    return { live: await client.appInstalls.create(body as never), existed: false };
  } catch (e) {
    if (!Conflict.isInstance(e)) throw wrap(`installing application ${String(body.application_id)} on device ${deviceId}`, e);
    const existing = await call(`looking up app install "${name}" on device ${deviceId}`, () =>
      client.appInstalls.findByName(deviceId, name),
    );
    if (!existing) throw await otherNameError(client, body, e);
    if (String(existing.application?.id) !== String(body.application_id)) {
      throw new DooverProviderError(
        `device ${deviceId} already has an app install named "${name}" (id ${existing.id}) of another application ` +
          `(${existing.application?.name ?? existing.application?.id}); choose another \`name\` for this DooverAppInstall.`,
        { cause: e },
      );
    }
    if (!existing.archived && !req.adopt) {
      throw new DooverProviderError(
        `device ${deviceId} already has an app install named "${name}" (id ${existing.id}). Set \`adopt: true\` on ` +
          "this DooverAppInstall to manage the existing install, or choose another `name`.",
        { cause: e },
      );
    }
    return { live: await takeOver(client, existing, body), existed: true };
  }
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
