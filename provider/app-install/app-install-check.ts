// DooverAppInstall `check`: what the API would refuse, and deploymentConfig against the application's
// config schema (the one the program declared on its DooverApplication), each failure naming
// `deploymentConfig/<JSON pointer>`. No HTTP: with only an application id, create/update fetch the schema.

import { validateDeploymentConfig } from "../../sdk";
import { checkAdopt } from "../adopt";
import { resourceNameOf } from "../check-names";
import {
  type CheckFailure,
  checkBoolean,
  checkIdNumber,
  checkInteger,
  checkJsonValue,
  checkString,
  Failures,
  idFromNumber,
  isPlainObject,
  isUnknown,
  pickKnownKeys,
} from "../inputs";
import { claimInstall, installOwner, installWhat, twoOwnersReason } from "../install-claims";
import {
  APP_INSTALL_INPUT_KEYS,
  CONFIG_CHECKED_KEY,
  CONFIG_SCHEMA_KEY,
  DEFAULT_DEPLOY_TIMEOUT_SECONDS,
} from "./app-install-fields";

const ID = /^\d+$/;

/** Check failures for a config that does not fit `schema` (empty when it fits or the schema is unknown). */
export function deploymentConfigFailures(schema: unknown, config: unknown): CheckFailure[] {
  if (isUnknown(schema) || isUnknown(config)) return [];
  return validateDeploymentConfig(schema, config ?? {}).problems.map((p) => ({
    property: `deploymentConfig${p.pointer}`,
    reason: `deploymentConfig${p.pointer} ${p.message} (checked against the application's configSchema)`,
  }));
}

/**
 * `deploymentConfig` (DooverAppInstall, DooverRollout): an object (unset: `{}`) the API can store (depth, text),
 * and valid against the application's schema when that is known; marks the inputs checked then.
 */
export function checkDeploymentConfig(f: Failures, inputs: Record<string, unknown>, schema: unknown): void {
  const config = inputs.deploymentConfig;
  if (config === undefined || config === null) inputs.deploymentConfig = {};
  else if (!isUnknown(config) && !isPlainObject(config)) {
    f.add("deploymentConfig", "deploymentConfig must be an object (the app's config values)");
    return;
  }
  // Too deep (or text the API refuses): reported here, before validation or a RangeError on the way out.
  if (checkJsonValue(f, "deploymentConfig", inputs.deploymentConfig)) return;
  if (schema !== undefined) {
    for (const x of deploymentConfigFailures(schema, inputs.deploymentConfig)) f.add(x.property, x.reason);
    if (!isUnknown(schema) && !isUnknown(inputs.deploymentConfig)) inputs[CONFIG_CHECKED_KEY] = true;
  }
}

export function checkAppInstall(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const f = new Failures();
  // The schema is only checked against, never stored (see CONFIG_SCHEMA_KEY); 0.3.0 programs sent `configSchema`.
  const schema = news[CONFIG_SCHEMA_KEY] !== undefined ? news[CONFIG_SCHEMA_KEY] : news.configSchema;
  const { configSchema: _legacy, ...rest } = news;
  const inputs = pickKnownKeys(f, rest, APP_INSTALL_INPUT_KEYS);
  const lost = new Set(["applicationId", "deviceId"].filter((key) => checkIdNumber(f, inputs, key)));
  if (!lost.has("applicationId"))
    checkString(f, inputs, "applicationId", {
      required: true,
      pattern: ID,
      patternText: "must be an application id (digits), or pass the DooverApplication itself as `application`",
    });
  if (!lost.has("deviceId"))
    checkString(f, inputs, "deviceId", { required: true, pattern: ID, patternText: "must be a device id (digits)" });
  if (inputs.displayName === undefined && typeof inputs.applicationDisplayName === "string")
    inputs.displayName = inputs.applicationDisplayName; // the API requires one: the app's, like the Doover UI
  checkString(f, inputs, "displayName", { max: 100 });
  if (inputs.displayName === "") f.add("displayName", "displayName must not be empty (omit it for the application's)");
  if (inputs.name === undefined && typeof inputs.applicationName === "string") inputs.name = inputs.applicationName;
  checkString(f, inputs, "name", { max: 100 });
  if (inputs.name === "") f.add("name", "name must not be empty (omit it for the application's name)");
  checkString(f, inputs, "version", { nullable: true, max: 20 });
  checkBoolean(f, inputs, "deploy", true);
  checkInteger(f, inputs, "deployTimeoutSeconds", { min: 1, max: 86400 });
  if (inputs.deployTimeoutSeconds === undefined) inputs.deployTimeoutSeconds = DEFAULT_DEPLOY_TIMEOUT_SECONDS;
  checkBoolean(f, inputs, "staging", false);
  checkAdopt(f, inputs);
  checkBoolean(f, inputs, "applicationStaging");
  checkConfigProfileIds(f, inputs);
  checkSameApi(f, inputs);
  checkSingleOwner(f, news, inputs);
  checkDeploymentConfig(f, inputs, schema);
  return { inputs, failures: firstPerProperty(f.list) };
}

/** The device's install (by name) is not also managed by a DooverRollout or another install (install-claims.ts). */
function checkSingleOwner(f: Failures, news: Record<string, unknown>, inputs: Record<string, unknown>): void {
  const owner = installOwner("DooverAppInstall", resourceNameOf(news));
  const install = { name: inputs.name, applicationId: inputs.applicationId };
  const other = claimInstall(owner, inputs.staging, install, inputs.deviceId);
  if (other === undefined || owner === undefined) return;
  f.add("deviceId", twoOwnersReason(other, owner, [String(inputs.deviceId)], installWhat(install)));
}

/** `configProfileIds`: a list of config profile ids (digits); null is "not managed". */
export function checkConfigProfileIds(f: Failures, inputs: Record<string, unknown>): void {
  const ids = inputs.configProfileIds;
  if (ids === null) delete inputs.configProfileIds;
  else if (ids !== undefined && !isUnknown(ids)) {
    if (!Array.isArray(ids)) f.add("configProfileIds", "configProfileIds must be a list of config profile ids");
    else
      ids.forEach((raw, i) => {
        const before = f.list.length;
        const id = (ids[i] = idFromNumber(f, `configProfileIds[${i}]`, raw));
        if (f.list.length === before && !isUnknown(id) && !(typeof id === "string" && ID.test(id)))
          f.add(`configProfileIds[${i}]`, `configProfileIds[${i}] must be a config profile id (digits)`);
      });
  }
}

/** `staging` must be the application's: installs live on the same API as their application. */
export function checkSameApi(f: Failures, inputs: Record<string, unknown>): void {
  const staging = inputs.staging;
  const appStaging = inputs.applicationStaging;
  if (typeof staging === "boolean" && typeof appStaging === "boolean" && staging !== appStaging) {
    f.add(
      "staging",
      `staging is ${staging} but the application's is ${appStaging}: an install lives on the same API as its ` +
        "application; set the same `staging` on both",
    );
  }
}

/** One failure per property (e.g. an empty id is not also reported as "not digits"). */
export function firstPerProperty(list: CheckFailure[]): CheckFailure[] {
  const seen = new Set<string>();
  return list.filter((x) => !seen.has(x.property) && seen.add(x.property));
}
