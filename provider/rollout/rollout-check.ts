// DooverRollout `check`, the part without HTTP: every input's shape and defaults, waves and thresholds, and
// deploymentConfig against the application's declared configSchema (passed as `__configSchema`, never stored) (the same rules as DooverAppInstall,
// from app-install-check.ts). The live part (group resolution, the plan, existing installs) is
// rollout-preview.ts.

import {
  checkConfigProfileIds,
  checkDeploymentConfig,
  checkSameApi,
  firstPerProperty,
} from "../app-install/app-install-check";
import { CONFIG_SCHEMA_KEY } from "../app-install/app-install-fields";
import { RESOURCE_NAME_KEY } from "../check-names";
import {
  type CheckFailure,
  checkBoolean,
  checkInteger,
  checkString,
  Failures,
  isPlainObject,
  isUnknown,
  pickKnownKeys,
  show,
} from "../inputs";
import {
  DEFAULT_DEVICE_TIMEOUT_SECONDS,
  DEFAULT_MAX_PARALLEL_DEPLOYMENTS,
  DEFAULT_THRESHOLD,
  DEFAULT_WAVES,
  ON_DEVICE_REMOVED,
  ON_FAILURE,
  ROLLOUT_INPUT_KEYS,
} from "./rollout-fields";
import { packDeviceIds, unpackDeviceIds } from "./rollout-records";

const ID = /^\d+$/;

/** Validates inputs and applies defaults; no HTTP. */
export function checkRolloutInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const f = new Failures();
  // The application's declared schema is only checked against, never stored (as for DooverAppInstall).
  const schema = news[CONFIG_SCHEMA_KEY];
  const { plan: _plan, ...declared } = news; // computed by check, never declared
  const inputs = pickKnownKeys(f, declared, ROLLOUT_INPUT_KEYS);
  // Kept (the engine hides `__` keys): create/update name the resource in their status lines.
  if (typeof news[RESOURCE_NAME_KEY] === "string") inputs[RESOURCE_NAME_KEY] = news[RESOURCE_NAME_KEY];
  if (typeof inputs.applicationId === "number" && Number.isSafeInteger(inputs.applicationId))
    inputs.applicationId = String(inputs.applicationId);
  checkString(f, inputs, "applicationId", {
    required: true,
    pattern: ID,
    patternText: "must be an application id (digits), or pass the DooverApplication itself as `application`",
  });
  checkDevices(f, inputs);
  if (inputs.displayName === undefined && typeof inputs.applicationDisplayName === "string")
    inputs.displayName = inputs.applicationDisplayName;
  checkString(f, inputs, "displayName", { max: 100 });
  if (inputs.displayName === "") f.add("displayName", "displayName must not be empty (omit it for the application's)");
  if (inputs.name === undefined && typeof inputs.applicationName === "string") inputs.name = inputs.applicationName;
  checkString(f, inputs, "name", { max: 100 });
  if (inputs.name === "") f.add("name", "name must not be empty (omit it for the application's name)");
  checkString(f, inputs, "version", { nullable: true, max: 20 });
  checkConfigProfileIds(f, inputs);
  checkBoolean(f, inputs, "staging", false);
  checkBoolean(f, inputs, "adopt", false);
  checkBoolean(f, inputs, "applicationStaging");
  checkSameApi(f, inputs);
  checkWaves(f, inputs);
  checkThreshold(f, inputs);
  checkInteger(f, inputs, "deviceTimeoutSeconds", { min: 1, max: 86400 });
  inputs.deviceTimeoutSeconds ??= DEFAULT_DEVICE_TIMEOUT_SECONDS;
  checkInteger(f, inputs, "maxParallelDeployments", { min: 1, max: 256 });
  inputs.maxParallelDeployments ??= DEFAULT_MAX_PARALLEL_DEPLOYMENTS;
  checkChoice(f, inputs, "onFailure", ON_FAILURE);
  checkChoice(f, inputs, "onDeviceRemoved", ON_DEVICE_REMOVED);
  checkInteger(f, inputs, "holdAfterWave", { min: 1, max: 1000 });
  checkDeploymentConfig(f, inputs, schema);
  return { inputs, failures: firstPerProperty(f.list) };
}

/**
 * `devices` is a group (`{ group, subgroups }`) and stays as such; an explicit list arrives as `deviceIds`
 * (the constructor packs it) and is checked here: digits, no device twice.
 */
function checkDevices(f: Failures, inputs: Record<string, unknown>): void {
  const devices = inputs.devices;
  if (typeof devices === "string" && !isUnknown(devices)) {
    inputs.deviceIds = devices; // the class packs a list into one string
    delete inputs.devices;
  } else if (Array.isArray(devices)) {
    // A program that registers the list itself (e.g. an older copy of the class): same as `deviceIds`.
    inputs.deviceIds = isUnknown(devices) ? devices : packDeviceIds(devices.map(String));
    delete inputs.devices;
  } else if (devices !== undefined && devices !== null) {
    if (isUnknown(devices)) return;
    if (!isPlainObject(devices) || devices.group === undefined) {
      f.add(
        "devices",
        `devices must be a list of device ids or a device group ({ group: "<group id>", subgroups?: boolean }), got ${show(devices)}`,
      );
      return;
    }
    const extra = Object.keys(devices).filter((k) => k !== "group" && k !== "subgroups");
    if (extra.length > 0)
      f.add("devices", `devices: unknown key ${extra[0]} (a group takes \`group\` and \`subgroups\`)`);
    const group = typeof devices.group === "number" ? String(devices.group) : devices.group;
    if (!isUnknown(group) && !(typeof group === "string" && ID.test(group)))
      f.add("devices", `devices.group must be a device group id (digits), got ${show(devices.group)}`);
    const subgroups = devices.subgroups ?? true;
    if (!isUnknown(subgroups) && typeof subgroups !== "boolean")
      f.add("devices", `devices.subgroups must be a boolean, got ${show(devices.subgroups)}`);
    inputs.devices = { group, subgroups };
    return;
  } else if (inputs.deviceIds === undefined) {
    f.add("devices", 'devices is required: a list of device ids, or a device group ({ group: "<group id>" })');
    return;
  }
  const packed = inputs.deviceIds;
  if (isUnknown(packed)) return;
  if (typeof packed !== "string" && !Array.isArray(packed)) {
    f.add("devices", "devices must be a list of device ids");
    return;
  }
  const ids = unpackDeviceIds(packed);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (!ID.test(id)) f.add("devices", `devices[${i}] must be a device id (digits), got ${show(id)}`);
    else if (seen.has(id)) f.add("devices", `devices lists device ${id} twice (devices[${i}])`);
    seen.add(id);
  });
  inputs.deviceIds = packDeviceIds(ids);
}

function checkWaves(f: Failures, inputs: Record<string, unknown>): void {
  const waves = inputs.waves;
  if (waves === undefined || waves === null) {
    inputs.waves = DEFAULT_WAVES.map((w) => ({ ...w }));
    return;
  }
  if (isUnknown(waves)) return;
  if (!Array.isArray(waves) || waves.length === 0) {
    f.add("waves", "waves must be a non-empty list like [{ devices: 2 }, { percent: 30 }, { percent: 100 }]");
    return;
  }
  let lastDevices = 0;
  let lastPercent = 0;
  waves.forEach((w, i) => {
    const problem = waveProblem(w, `waves[${i}]`, lastDevices, lastPercent);
    if (problem) f.add("waves", problem);
    else if (isPlainObject(w) && w.devices !== undefined) lastDevices = w.devices as number;
    else if (isPlainObject(w)) lastPercent = w.percent as number;
  });
}

/** What is wrong with one wave, given the largest count and percentage before it. */
function waveProblem(w: unknown, at: string, lastDevices: number, lastPercent: number): string | undefined {
  if (!isPlainObject(w)) return `${at} must be { devices: <count> } or { percent: <1-100> }`;
  const keys = Object.keys(w).filter((k) => w[k] !== undefined);
  if (keys.length !== 1 || !["devices", "percent"].includes(keys[0]))
    return `${at} must have exactly one of \`devices\` or \`percent\` (got ${show(w)})`;
  const cumulative = "waves are cumulative (each counts every device deployed so far)";
  if (w.devices !== undefined) {
    const n = w.devices;
    if (!Number.isInteger(n) || (n as number) < 1)
      return `${at}.devices must be a whole number of devices >= 1 (got ${show(n)})`;
    if ((n as number) <= lastDevices)
      return `${at}.devices is ${n}, not more than an earlier wave's ${lastDevices}: ${cumulative}`;
    return undefined;
  }
  const p = w.percent;
  if (typeof p !== "number" || !(p > 0 && p <= 100))
    return `${at}.percent must be a number above 0 and at most 100 (got ${show(p)})`;
  if (p <= lastPercent) return `${at}.percent is ${p}, not more than an earlier wave's ${lastPercent}%: ${cumulative}`;
  return undefined;
}

function checkThreshold(f: Failures, inputs: Record<string, unknown>): void {
  const t = inputs.failureThreshold;
  if (t === undefined || t === null) {
    inputs.failureThreshold = { ...DEFAULT_THRESHOLD };
    return;
  }
  if (isUnknown(t)) return;
  if (!isPlainObject(t)) {
    f.add("failureThreshold", "failureThreshold must be { percent: <0-100>, minDevices: <count> }");
    return;
  }
  const extra = Object.keys(t).filter((k) => k !== "percent" && k !== "minDevices");
  if (extra.length > 0) f.add("failureThreshold", `failureThreshold: unknown key ${extra[0]} (percent, minDevices)`);
  const percent = t.percent ?? DEFAULT_THRESHOLD.percent;
  const minDevices = t.minDevices ?? DEFAULT_THRESHOLD.minDevices;
  if (typeof percent !== "number" || percent < 0 || percent > 100)
    f.add("failureThreshold", `failureThreshold.percent must be a number from 0 to 100 (got ${show(t.percent)})`);
  if (!Number.isInteger(minDevices) || (minDevices as number) < 1)
    f.add("failureThreshold", `failureThreshold.minDevices must be a whole number >= 1 (got ${show(t.minDevices)})`);
  inputs.failureThreshold = { percent, minDevices };
}

function checkChoice(f: Failures, inputs: Record<string, unknown>, key: string, choices: readonly string[]): void {
  const v = inputs[key];
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    inputs[key] = choices[0];
    return;
  }
  if (typeof v !== "string" || !choices.includes(v))
    f.add(key, `${key} must be ${choices.map((c) => `"${c}"`).join(" or ")} (got ${show(v)})`);
}
