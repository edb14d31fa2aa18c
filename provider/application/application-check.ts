// DooverApplication `check`: validation the API would do (so preview fails early, naming the property),
// defaults, and normalisation (enum codes, file contents, deployment hash). No HTTP.

import * as fs from "node:fs";
import * as path from "node:path";
import { hashDeploymentFolder, Type, Visibility } from "../../sdk";
import { checkConfigSchema, formatSchemaProblem } from "../../sdk/config-schema";
import { checkAdopt } from "../adopt";
import { claimName, resourceNameOf } from "../check-names";
import { messageOf } from "../errors";
import {
  type CheckFailure,
  checkBoolean,
  checkEnum,
  checkIdNumber,
  checkJsonValue,
  checkString,
  Failures,
  forEngine,
  idFromNumber,
  isPlainObject,
  isUnknown,
  pickKnownKeys,
  show,
  UNKNOWN,
} from "../inputs";
import { APPLICATION_INPUT_KEYS, NULLABLE_REQUEST_KEYS, STAGING_CONFIG_KEYS } from "./application-fields";

const NAME = /^[0-9a-z_]*$/;
const NAME_TEXT = "must contain only lower-case letters, digits and underscores (^[0-9a-z_]*$)";

const EMPTY_TEXT = "omit it to leave it unmanaged, or set null to clear it";

export function checkApplication(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const f = new Failures();
  const inputs = pickKnownKeys(f, news, APPLICATION_INPUT_KEYS);
  delete inputs.deploymentHash; // computed below, never taken from the program
  const resource = resourceNameOf(news);

  checkName(f, inputs, resource);
  checkString(f, inputs, "displayName", { required: true, max: 100 });
  checkEnum(f, inputs, "type", Type as unknown as Record<string, string>, { required: true });
  checkEnum(f, inputs, "visibility", Visibility as unknown as Record<string, string>, { dflt: Visibility.private });
  checkBoolean(f, inputs, "allowMany", false);
  checkString(f, inputs, "description", { required: true });
  checkString(f, inputs, "longDescription", { required: false });
  if (inputs.longDescription === "") f.add("longDescription", "longDescription must not be empty (omit it instead)");
  if (!checkIdNumber(f, inputs, "organisationId"))
    checkString(f, inputs, "organisationId", { max: 40, pattern: /^\S+$/, patternText: "must be an organisation id" });
  if (!checkIdNumber(f, inputs, "containerRegistryProfileId"))
    checkString(f, inputs, "containerRegistryProfileId", {
      nullable: true,
      pattern: /^\S+$/,
      patternText: "must be an id",
    });
  checkString(f, inputs, "imageName", { nullable: true, max: 255, emptyText: EMPTY_TEXT });
  checkString(f, inputs, "iconUrl", { nullable: true, max: 500, emptyText: EMPTY_TEXT });
  checkString(f, inputs, "bannerUrl", { nullable: true, max: 500, emptyText: EMPTY_TEXT });
  checkString(f, inputs, "repositoryUrl", { nullable: true, max: 500, emptyText: EMPTY_TEXT });
  if (
    typeof inputs.repositoryUrl === "string" &&
    inputs.repositoryUrl !== "" &&
    !isUnknown(inputs.repositoryUrl) &&
    !URL.canParse(inputs.repositoryUrl)
  ) {
    f.add("repositoryUrl", "repositoryUrl must be an absolute URL");
  }
  checkBoolean(f, inputs, "staging", false);
  checkAdopt(f, inputs);
  checkDependsOn(f, inputs);
  checkSchemas(f, inputs);
  checkStagingConfig(f, inputs);
  checkLongDescriptionFile(f, inputs);
  checkDeploymentFolder(f, inputs);
  checkDuplicate(f, inputs, resource);
  return { inputs, failures: forEngine(f.list, news) };
}

/** The name pattern, with a fixed name to use (and where the bad name came from). */
function checkName(f: Failures, inputs: Record<string, unknown>, resource: string | undefined): void {
  const before = f.list.length;
  checkString(f, inputs, "name", { required: true, max: 100, pattern: NAME, patternText: NAME_TEXT });
  const failure = f.list.slice(before).find((x) => x.property === "name");
  const name = inputs.name;
  if (!failure || typeof name !== "string" || name === "") return;
  const fixed = fixName(name);
  const suggestion = fixed ? `"${fixed}"` : 'a name such as "my_app"';
  if (resource === undefined) {
    failure.reason += ` (name defaults to the Pulumi resource name; set \`name\`, e.g. ${suggestion})`;
  } else if (name === resource) {
    failure.reason += `: it defaults to the Pulumi resource name "${resource}"; set \`name: ${suggestion}\``;
  } else {
    failure.reason += `: use ${suggestion}`;
  }
}

/** `sensor-monitor` → `sensor_monitor`: lower case, other characters as `_`, at most 100 characters. */
export function fixName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^0-9a-z_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 100);
}

/** Two resources of this program with one application name would collide at `up`: say so at preview. */
function checkDuplicate(f: Failures, inputs: Record<string, unknown>, resource: string | undefined): void {
  const staging = inputs.staging === true;
  const overlay = isPlainObject(inputs.stagingConfig) ? inputs.stagingConfig : {};
  const name = staging && typeof overlay.name === "string" ? overlay.name : inputs.name;
  const other = claimName(`application ${staging ? "staging" : "main"}`, name, resource);
  if (other === undefined) return;
  f.add(
    "name",
    `DooverApplication "${resource}" and DooverApplication "${other}" both have the application name ` +
      `"${String(name)}"; names are unique across Doover, so the second create would fail at \`pulumi up\`. ` +
      "Give one of them another `name`.",
  );
}

/** Warnings for a config schema that compiles but holds keywords validators ignore (one line each). */
export function configSchemaWarnings(schema: unknown): string[] {
  if (schema === undefined || schema === null || isUnknown(schema)) return [];
  return checkConfigSchema(schema).warnings.map((w) => `configSchema ${formatSchemaProblem(w)}`);
}

function checkDependsOn(f: Failures, inputs: Record<string, unknown>): void {
  const v = inputs.dependsOn;
  if (v === undefined || v === null) {
    inputs.dependsOn = [];
    return;
  }
  if (v === UNKNOWN) return;
  if (!Array.isArray(v)) {
    f.add("dependsOn", "dependsOn must be a list of application names");
    return;
  }
  v.forEach((n, i) => {
    if (isUnknown(n)) return;
    if (typeof n !== "string" || n === "" || !NAME.test(n) || n.length > 100) {
      f.add(`dependsOn[${i}]`, `dependsOn[${i}] must be an application name (^[0-9a-z_]*$, 1-100 characters)`);
    }
  });
}

/** JSON inputs: objects (or null, which clears the field) holding nothing the API cannot store or read back. */
const JSON_INPUTS = ["configSchema", "uiSchema", "tagSchema", "notificationSchema", "lambdaConfig"];

function checkSchemas(f: Failures, inputs: Record<string, unknown>): void {
  for (const key of JSON_INPUTS) {
    const v = inputs[key];
    if (v === undefined || v === null || isUnknown(v)) continue;
    if (!isPlainObject(v)) f.add(key, `${key} must be an object (or null to clear it)`);
    else if (!checkJsonValue(f, key, v) && key === "configSchema") {
      for (const problem of checkConfigSchema(v).errors) f.add(key, `${key} ${formatSchemaProblem(problem)}`);
    }
  }
}

function checkStagingConfig(f: Failures, inputs: Record<string, unknown>): void {
  const sc = inputs.stagingConfig;
  if (sc === undefined || sc === null) {
    delete inputs.stagingConfig;
    return;
  }
  if (isUnknown(sc) && !isPlainObject(sc)) return;
  if (!isPlainObject(sc)) {
    f.add("stagingConfig", "stagingConfig must be an object of application fields (snake_case, as the API names them)");
    return;
  }
  if (checkJsonValue(f, "stagingConfig", sc)) return;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sc)) {
    if (!STAGING_CONFIG_KEYS.includes(k)) {
      f.add(`stagingConfig.${k}`, stagingKeyText(k, v));
    } else if (k === "id" && v === null) {
      // no staging application named: the same as leaving `id` out
    } else if (k === "id" && v !== undefined && !isUnknown(v)) {
      const before = f.list.length;
      const id = idFromNumber(f, "stagingConfig.id", v);
      if (f.list.length === before && !/^\d+$/.test(String(id)))
        f.add("stagingConfig.id", "stagingConfig.id must be an application id");
      out.id = String(id);
    } else if ((k === "organisation_id" || k === "container_registry_profile_id") && typeof v === "number") {
      out[k] = idFromNumber(f, `stagingConfig.${k}`, v);
    } else if (k === "name" && typeof v === "string" && !isUnknown(v) && !NAME.test(v)) {
      f.add("stagingConfig.name", `stagingConfig.name ${NAME_TEXT}: use "${fixName(v)}"`);
    } else if (v === "" && STAGING_NON_EMPTY.includes(k)) {
      f.add(`stagingConfig.${k}`, `stagingConfig.${k} must not be empty: ${stagingEmptyAdvice(k)}`);
    } else if (v === null && !NULLABLE_REQUEST_KEYS.includes(k)) {
      f.add(`stagingConfig.${k}`, `stagingConfig.${k} cannot be null (the API needs a value): omit it instead`);
    } else if (v !== undefined) {
      out[k] = v;
    }
  }
  inputs.stagingConfig = out;
}

/** Overlay keys the API refuses as "" (a value or null only). */
const STAGING_NON_EMPTY = [
  "name",
  "display_name",
  "description",
  "long_description",
  "organisation_id",
  "container_registry_profile_id",
  "image_name",
  "lambda_arn",
  "icon_url",
  "banner_url",
  "repository_url",
];

function stagingEmptyAdvice(key: string): string {
  return NULLABLE_REQUEST_KEYS.includes(key) ? "omit it, or set null to clear it" : "omit it";
}

/** An unknown stagingConfig key: its value, the keys accepted, and where per-environment app config goes. */
function stagingKeyText(key: string, value: unknown): string {
  const accepted = STAGING_CONFIG_KEYS.join(", ");
  return (
    `stagingConfig.${key} = ${show(value)} is not an application field. stagingConfig overlays the ` +
    `application's own fields (snake_case, as the API names them) when it goes to staging; accepted keys: ` +
    `${accepted}. To vary the app's config per environment, give the setting a default in \`config_schema\` ` +
    `and override that in staging: stagingConfig: { config_schema: { ...schema, properties: { ${key}: ` +
    `{ type: ..., default: ${show(value, 30)} } } } } (or set it per device in the app install's config).`
  );
}

function checkLongDescriptionFile(f: Failures, inputs: Record<string, unknown>): void {
  const file = inputs.longDescriptionFile;
  if (file === undefined || file === null) {
    delete inputs.longDescriptionFile;
    return;
  }
  if (isUnknown(file)) {
    inputs.longDescription = UNKNOWN;
    return;
  }
  if (inputs.longDescription !== undefined) {
    f.add("longDescriptionFile", "set either longDescription or longDescriptionFile, not both");
    return;
  }
  if (typeof file !== "string" || file === "") {
    f.add("longDescriptionFile", "longDescriptionFile must be a path");
    return;
  }
  try {
    const text = fs.readFileSync(path.resolve(file), "utf8");
    if (text === "") f.add("longDescriptionFile", `longDescriptionFile ${file} is empty`);
    else inputs.longDescription = text;
  } catch (e) {
    f.add(
      "longDescriptionFile",
      `longDescriptionFile ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
}

function checkDeploymentFolder(f: Failures, inputs: Record<string, unknown>): void {
  const folder = inputs.deploymentFolder;
  if (folder === undefined || folder === null) {
    delete inputs.deploymentFolder;
    return;
  }
  if (isUnknown(folder)) {
    inputs.deploymentHash = UNKNOWN;
    return;
  }
  if (typeof folder !== "string" || folder === "") {
    f.add("deploymentFolder", "deploymentFolder must be a path");
    return;
  }
  const abs = path.resolve(folder);
  if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
    f.add("deploymentFolder", `deploymentFolder ${folder} is not a directory`);
    return;
  }
  try {
    inputs.deploymentHash = hashDeploymentFolder(folder).hash; // streamed, no zip; fails over the size limit
  } catch (e) {
    f.add("deploymentFolder", `deploymentFolder ${messageOf(e)}`);
  }
}
