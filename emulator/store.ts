// In-memory data with an optional JSON state file (rewritten atomically after every mutation).

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DeploymentOutcomeSwitch } from "./deployment-outcomes";
import { seedFleet, upgradeFleetState } from "./fleet-seed";
import { parseLossless } from "./json";
import { SnowflakeGenerator } from "./snowflake";
import type { EmulatorGroupSeed, EmulatorUpload, StateData, UpsertRecord } from "./types";

interface StateFile {
  version: 1;
  token: string;
  lastId: string;
  seed: StateData;
  data: StateData;
}

function clone<T>(v: T): T {
  return parseLossless(JSON.stringify(v)) as T;
}

function seedData(
  ids: SnowflakeGenerator,
  organisationId: string,
  fleet: { devices?: number; groups?: EmulatorGroupSeed[] },
): StateData {
  const org = {
    id: organisationId,
    name: "Emulated Organisation",
    archived: false,
    application_id: ids.next(),
    root_group: { id: ids.next(), name: "Emulated Organisation" },
  };
  const fleetSeed = seedFleet(ids, org, fleet.devices, fleet.groups);
  const { groups, device_types, device_type_access, group_roles, group_permissions, devices } = fleetSeed;
  const registries = [
    {
      id: ids.next(),
      name: "Default registry",
      description: "Emulated registry profile",
      archived: false,
    },
  ];
  return {
    organisations: [org],
    devices,
    groups,
    device_types,
    device_type_access,
    group_roles,
    group_permissions,
    registries,
    applications: [],
    tunnels: [],
    app_installs: [],
    deployments: [],
    config_profiles: [],
  };
}

export class Store {
  readonly ids: SnowflakeGenerator;
  readonly token: string;
  /** QUE and RUN duration of a new deployment (see EmulatorOptions.deploymentStepMs). */
  deploymentStepMs = 1000;
  /** Per-device deployment outcomes (runtime switch; not kept in the state file). */
  readonly deploymentOutcomes = new DeploymentOutcomeSwitch(this);
  /** A create on a taken name: 409 (true) or an upsert (see upserts.ts and EmulatorOptions). */
  postConflict = false;
  upsertStatus: 200 | 201 = 201;
  upsertInstalls = false;
  /** Creates that updated an existing object since the last reset (not kept in the state file). */
  upserts: UpsertRecord[] = [];
  private seed: StateData;
  data: StateData;

  constructor(
    private readonly statePath: string | undefined,
    opts: { token?: string; organisationId?: string; devices?: number; groups?: EmulatorGroupSeed[] },
  ) {
    const saved =
      statePath && fs.existsSync(statePath)
        ? (parseLossless(fs.readFileSync(statePath, "utf8")) as StateFile)
        : undefined;
    if (saved) {
      this.ids = new SnowflakeGenerator(saved.lastId);
      this.token = opts.token ?? saved.token;
      this.seed = saved.seed;
      this.data = saved.data;
      // State files written before app installs existed.
      this.data.app_installs ??= [];
      this.data.deployments ??= [];
      this.seed.app_installs ??= [];
      this.seed.deployments ??= [];
      this.data.config_profiles ??= []; // and before config profiles existed
      this.seed.config_profiles ??= [];
      upgradeFleetState(this.seed); // and before groups and device types were records
      upgradeFleetState(this.data);
    } else {
      this.ids = new SnowflakeGenerator();
      this.token = opts.token ?? `emu_${randomBytes(18).toString("base64url")}`;
      this.seed = seedData(this.ids, opts.organisationId ?? this.ids.next(), opts);
      this.data = clone(this.seed);
    }
    for (const list of Object.values(this.data)) for (const r of list as { id: string }[]) this.ids.observe(r.id);
    this.save();
  }

  get organisationId(): string {
    return this.seed.organisations[0].id;
  }

  get deviceIds(): string[] {
    return this.seed.devices.map((d) => d.id);
  }

  get rootGroupId(): string {
    return this.seed.organisations[0].root_group.id;
  }

  /** Seed group name → id (every seeded group but the root). */
  get groupIds(): Record<string, string> {
    return Object.fromEntries(this.seed.groups.filter((g) => g.parent_id !== null).map((g) => [g.name, g.id]));
  }

  /** Every application's latest upload per kind (oldest application first). */
  uploads(): EmulatorUpload[] {
    return this.data.applications.flatMap((a) =>
      Object.entries(a.uploads ?? {}).map(([kind, u]) => ({
        application_id: a.id,
        application_name: String(a.fields.name),
        kind,
        ...u,
      })),
    );
  }

  reset(): void {
    this.data = clone(this.seed);
    this.upserts = [];
    this.save();
  }

  /** Called after every mutation. */
  save(): void {
    if (!this.statePath) return;
    const file: StateFile = {
      version: 1,
      token: this.token,
      lastId: this.ids.lastId,
      seed: this.seed,
      data: this.data,
    };
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(path.resolve(this.statePath)), {
      recursive: true,
    });
    fs.writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n", {
      mode: 0o600,
    });
    fs.renameSync(tmp, this.statePath);
  }
}
