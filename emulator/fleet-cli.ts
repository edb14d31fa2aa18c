// The emulator CLI's fleet flags: seeding (--devices, --group, --groups) and per-device deployment outcomes
// (--deploy-…). Kept apart from cli.ts so the generic flags stay short.

import { deploymentOutcomesProblem } from "./deployment-outcomes";
import { fleetSeedProblem } from "./fleet-seed";
import type { DeploymentOutcomes, EmulatorGroupSeed, EmulatorOptions } from "./types";

export const FLEET_USAGE =
  "[--devices N] [--group PATH=COUNT]… [--groups JSON] [--deploy-fail-devices ID,…] [--deploy-fail-percent P] " +
  "[--deploy-fail-among ID,…] [--deploy-seed S] [--deploy-never-devices ID,…] [--deploy-cancel-devices ID,…] " +
  "[--deploy-after-ms ID=MS,…] [--deploy-log TEXT] [--deploy-when-config JSON] [--deployment-outcomes JSON]";

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function json(flag: string, v: string): unknown {
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new Error(`${flag} must be JSON: ${(e as Error).message}`);
  }
}

/** `--group pumps/north=4`: declares pumps (if new) and north under it, with 4 devices in north. */
function addGroupPath(groups: EmulatorGroupSeed[], value: string): void {
  const m = /^(.+?)(?:=(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`bad --group ${value} (want PATH=COUNT, e.g. pumps/north=4)`);
  const names = m[1]
    .split("/")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`bad --group ${value} (want PATH=COUNT, e.g. pumps/north=4)`);
  let parent: string | undefined;
  names.forEach((name, i) => {
    let g = groups.find((x) => x.name === name);
    if (g && g.parent !== parent)
      throw new Error(`--group ${value}: a group named "${name}" is already declared under another parent`);
    if (!g) {
      g = { name, ...(parent !== undefined ? { parent } : {}) };
      groups.push(g);
    }
    if (i === names.length - 1 && m[2] !== undefined) g.devices = Number(m[2]);
    parent = name;
  });
}

function outcomes(opts: EmulatorOptions): DeploymentOutcomes {
  opts.deploymentOutcomes ??= {};
  return opts.deploymentOutcomes;
}

/** Applies one fleet flag; false when `flag` is not one. Throws with the flag's name on a bad value. */
export function parseFleetFlag(flag: string, value: string, opts: EmulatorOptions): boolean {
  switch (flag) {
    case "--devices":
      opts.devices = Number(value);
      if (!Number.isInteger(opts.devices) || opts.devices < 0) throw new Error(`bad --devices ${value}`);
      break;
    case "--group":
      opts.groups ??= [];
      addGroupPath(opts.groups, value);
      break;
    case "--groups": {
      const seeds = json(flag, value);
      if (!Array.isArray(seeds)) throw new Error("--groups must be a JSON list of { name, parent?, devices? }");
      opts.groups = [...(opts.groups ?? []), ...(seeds as EmulatorGroupSeed[])];
      break;
    }
    case "--deploy-fail-devices":
      outcomes(opts).fail = list(value);
      break;
    case "--deploy-cancel-devices":
      outcomes(opts).cancel = list(value);
      break;
    case "--deploy-never-devices":
      outcomes(opts).never = list(value);
      break;
    case "--deploy-fail-among":
      outcomes(opts).among = list(value);
      break;
    case "--deploy-fail-percent":
      outcomes(opts).failPercent = Number(value);
      break;
    case "--deploy-seed":
      outcomes(opts).seed = value;
      break;
    case "--deploy-log":
      outcomes(opts).log = value;
      break;
    case "--deploy-after-ms": {
      const after: Record<string, number> = {};
      for (const pair of list(value)) {
        const [device, ms] = pair.split("=");
        if (!device || ms === undefined || !(Number(ms) >= 0))
          throw new Error(`bad --deploy-after-ms ${pair} (want ID=MS)`);
        after[device] = Number(ms);
      }
      outcomes(opts).afterMs = after;
      break;
    }
    case "--deploy-when-config":
      outcomes(opts).whenConfig = json(flag, value) as Record<string, unknown>;
      break;
    case "--deployment-outcomes":
      opts.deploymentOutcomes = { ...outcomes(opts), ...(json(flag, value) as DeploymentOutcomes) };
      break;
    default:
      return false;
  }
  return true;
}

/** Checks the fleet options once every flag is read (messages name the flag's field). */
export function checkFleetOptions(opts: EmulatorOptions): void {
  const seed = fleetSeedProblem(opts.devices, opts.groups);
  if (seed) throw new Error(`bad fleet seed: ${seed}`);
  if (opts.deploymentOutcomes) {
    const problem = deploymentOutcomesProblem(opts.deploymentOutcomes);
    if (problem) throw new Error(`bad deployment outcomes: ${problem}`);
  }
}
