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
  "tagSchema",
  "notificationSchema",
  "iconUrl",
  "bannerUrl",
  "repositoryUrl",
  "stagingConfig",
  "deploymentFolder",
  "deploymentHash",
  "staging",
  "adopt",
] as const;

export const APPLICATION_OUTPUT_KEYS = [
  "applicationId",
  "archived",
  "organisation",
  "approxInstalls",
  "configProfiles",
] as const;

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

/** How a field's value is shaped: text and ids are cleared when undeclared (below), JSON values are not. */
type FieldKind = "value" | "text" | "id" | "json";

interface Field {
  input: string;
  wire: string;
  kind: FieldKind;
  /** null is a value the program may declare: it clears the field in the cloud (the API takes null) */
  nullable: boolean;
  /** value of this field in a live ApplicationData (missing → null) */
  live: (a: ApplicationData) => unknown;
}

const field = (input: string, wire: string, kind: FieldKind, nullable = false): Field => ({
  input,
  wire,
  kind,
  nullable,
  // A nullable text field the cloud holds as "" (doover-cli publishes a file's `"icon_url": ""` as is) has no
  // value, like null: read and diff see the two as the same.
  live:
    kind === "text" && nullable
      ? (a) => ((a as unknown as Record<string, unknown>)[wire] as string | null | undefined) || null
      : (a) => (a as unknown as Record<string, unknown>)[wire] ?? null,
});

/** Input ↔ wire pairs sent in POST/PATCH (organisation and deployment handled separately). */
export const APPLICATION_FIELDS: readonly Field[] = [
  field("name", "name", "text"),
  field("displayName", "display_name", "text"),
  field("description", "description", "text"),
  field("longDescription", "long_description", "text"),
  field("type", "type", "value"),
  field("visibility", "visibility", "value"),
  field("allowMany", "allow_many", "value"),
  field("dependsOn", "depends_on", "value"),
  field("configSchema", "config_schema", "json", true),
  field("uiSchema", "ui_schema", "json", true),
  field("tagSchema", "tag_schema", "json", true),
  field("notificationSchema", "notification_schema", "json", true),
  {
    ...field("containerRegistryProfileId", "container_registry_profile_id", "id", true),
    live: (a) => a.container_registry_profile?.id ?? null,
  },
  field("imageName", "image_name", "text", true),
  field("lambdaConfig", "lambda_config", "json", true),
  field("iconUrl", "icon_url", "text", true),
  field("bannerUrl", "banner_url", "text", true),
  field("repositoryUrl", "repository_url", "text", true),
];

/**
 * Wire fields a PATCH clears with null once they are no longer declared (text and ids; a JSON value left out
 * of the program stays as it is in the cloud). A declared null is always sent.
 */
export const NULLABLE_WIRE = [
  ...APPLICATION_FIELDS.filter((f) => f.nullable && f.kind !== "json").map((f) => f.wire),
  "deployment_data",
];

/**
 * Request fields the API takes null for (the spec's `nullable` and untyped JSON fields): `null` in a
 * doover_config.json or in `stagingConfig` clears them. Any other field refuses null.
 */
export const NULLABLE_REQUEST_KEYS: readonly string[] = [
  ...APPLICATION_FIELDS.filter((f) => f.nullable).map((f) => f.wire),
  "organisation_id",
  "deployment_data",
  "lambda_arn",
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

/** The live object as a wire payload, for the keys of `like` (a field the answer lacks is null). */
export function liveAsPayload(live: ApplicationData, like: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of APPLICATION_FIELDS) if (f.wire in like) out[f.wire] = f.live(live);
  return out;
}

/** A config profile as the `configProfiles` output shows it. */
export interface ConfigProfileOutput {
  id: string;
  displayName: string;
  description: string;
  deploymentConfig: unknown;
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
    configProfiles: (live.config_profiles ?? []).map(
      (p): ConfigProfileOutput => ({
        id: String(p.id),
        displayName: p.display_name,
        description: p.description ?? "",
        deploymentConfig: p.deployment_config ?? {},
      }),
    ),
  };
}
