// DooverApplication inputs ↔ Doover 2.0 wire fields: the one table check, diff, create, read and update
// share, so all of them compare like with like.

import * as crypto from "node:crypto";
import { APPLICATION_REQUEST_KEYS, type ApplicationData, readZip } from "../../sdk";

/** Every input key, as the program declares them. */
export const APPLICATION_INPUT_KEYS = [
  "name",
  "displayName",
  "type",
  "visibility",
  "allowMany",
  "description",
  "longDescription",
  "longDescriptionFile",
  "dependsOn",
  "organisationId",
  "containerRegistryProfileId",
  "imageName",
  "lambdaConfig",
  "configSchema",
  "uiSchema",
  "iconUrl",
  "bannerUrl",
  "repositoryUrl",
  "stagingConfig",
  "deploymentFolder",
  "deploymentHash",
  "staging",
  "adopt",
] as const;

export const APPLICATION_OUTPUT_KEYS = ["applicationId", "archived", "organisation", "approxInstalls"] as const;

/**
 * Keys diff compares. Local paths (`deploymentFolder`, `longDescriptionFile`) are left out: what counts is
 * their content (`deploymentHash`, `longDescription`), so moving a checkout does not cause an update.
 * `adopt` only matters at create time.
 */
export const APPLICATION_DIFF_KEYS = APPLICATION_INPUT_KEYS.filter(
  (k) => k !== "deploymentFolder" && k !== "longDescriptionFile" && k !== "adopt",
);

/** Changes the API cannot make in place: another organisation, or the staging API instead of production. */
export const APPLICATION_REPLACE_KEYS = ["organisationId", "staging"];

interface Field {
  input: string;
  wire: string;
  /** value of this field in a live ApplicationData */
  live: (a: ApplicationData) => unknown;
}

const plain = (input: string, wire: string): Field => ({
  input,
  wire,
  live: (a) => (a as unknown as Record<string, unknown>)[wire],
});

/** Input ↔ wire pairs sent in POST/PATCH (organisation and deployment handled separately). */
export const APPLICATION_FIELDS: readonly Field[] = [
  plain("name", "name"),
  plain("displayName", "display_name"),
  plain("description", "description"),
  plain("longDescription", "long_description"),
  plain("type", "type"),
  plain("visibility", "visibility"),
  plain("allowMany", "allow_many"),
  plain("dependsOn", "depends_on"),
  plain("configSchema", "config_schema"),
  plain("uiSchema", "ui_schema"),
  {
    input: "containerRegistryProfileId",
    wire: "container_registry_profile_id",
    live: (a) => a.container_registry_profile?.id ?? null,
  },
  plain("imageName", "image_name"),
  plain("lambdaConfig", "lambda_config"),
  plain("iconUrl", "icon_url"),
  plain("bannerUrl", "banner_url"),
  plain("repositoryUrl", "repository_url"),
];

/** Wire fields a PATCH may clear with null once they are no longer declared. */
export const NULLABLE_WIRE = [
  "container_registry_profile_id",
  "image_name",
  "icon_url",
  "banner_url",
  "repository_url",
  "deployment_data",
];

/** Request-schema keys `stagingConfig` may overlay (plus `id`, the staging app to update). */
export const STAGING_CONFIG_KEYS: readonly string[] = ["id", ...APPLICATION_REQUEST_KEYS];

/**
 * The wire payload the inputs declare (without deployment data): declared fields only, plus (`create`) the
 * ones POST requires; with `staging` the `stagingConfig` overlay (request-schema keys, never `id`) is applied.
 */
export function applicationPayload(
  inputs: Record<string, unknown>,
  opts: { staging: boolean; organisationId?: string; create?: boolean },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of APPLICATION_FIELDS) {
    if (inputs[f.input] !== undefined) body[f.wire] = inputs[f.input];
  }
  if (opts.create) {
    // Required by POST; a PATCH leaves an undeclared registry alone (e.g. on an adopted app).
    body.depends_on ??= [];
    if (!("container_registry_profile_id" in body)) body.container_registry_profile_id = null;
  }
  const org = (inputs.organisationId as string | undefined) ?? opts.organisationId;
  if (org !== undefined) body.organisation_id = org;
  else if (opts.create) body.organisation_id = null; // required (nullable): the API then uses X-Doover-Organisation
  if (opts.staging && inputs.stagingConfig && typeof inputs.stagingConfig === "object") {
    for (const [k, v] of Object.entries(inputs.stagingConfig as Record<string, unknown>)) {
      if (k !== "id" && k !== "deployment_data" && STAGING_CONFIG_KEYS.includes(k)) body[k] = v;
    }
  }
  return body;
}

/** The live object as a wire payload, for the keys of `like`. */
export function liveAsPayload(live: ApplicationData, like: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of APPLICATION_FIELDS) if (f.wire in like) out[f.wire] = f.live(live);
  return out;
}

/**
 * `deploymentHash`: sha256 (hex) over the archive's *content* — each entry's path and bytes, in path order —
 * not over the zip bytes. Deflate output may differ between zlib/Node builds, so hashing the compressed
 * bytes could show a change on another machine with no file changed; the content cannot. File modes are
 * not part of it: the sdk archives every file as 0644, so a chmod changes nothing that is uploaded. A zip
 * that cannot be read (not made by the sdk) hashes its raw bytes, which simply shows as drift.
 */
export function deploymentHash(zip: Buffer): string {
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(zip);
  } catch {
    return sha256Hex(zip);
  }
  const h = crypto.createHash("sha256");
  for (const name of [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    if (name.endsWith("/")) continue; // directory entry
    const bytes = entries.get(name)!;
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(bytes.length));
    h.update(Buffer.from(name, "utf8"))
      .update(Buffer.from([0]))
      .update(head)
      .update(bytes);
  }
  return h.digest("hex");
}

/** `deploymentHash` of a live app's deployment data, or null when it has none. */
export function liveDeploymentHash(live: ApplicationData): string | null {
  if (!live.deployment_data) return null;
  return deploymentHash(Buffer.from(live.deployment_data, "base64"));
}

function sha256Hex(data: Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Computed outputs of a live app. */
export function computedOutputs(live: ApplicationData): Record<string, unknown> {
  return {
    applicationId: String(live.id),
    archived: live.archived === true,
    organisation: live.organisation ? { id: String(live.organisation.id), name: live.organisation.name } : null,
    approxInstalls: live.approx_installs ?? 0,
  };
}
