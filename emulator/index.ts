// Local Doover 2.0 Control API emulator over real HTTP (see README "Emulator").

import "../sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

import type { AddressInfo } from "node:net";
import { AuthServer } from "./auth-server";
import { Faults } from "./faults";
import { Recorder } from "./recorder";
import { createServer } from "./server";
import { Store } from "./store";
import type { DeploymentOutcomes, Emulator, EmulatorFault, EmulatorLogEntry, EmulatorOptions } from "./types";

export type { RecordedResponse } from "./recorder";
export { ROUTES } from "./routes";
export type {
  DeploymentOutcomes,
  EmulatedDeployment,
  Emulator,
  EmulatorFault,
  EmulatorGroupSeed,
  EmulatorLogEntry,
  EmulatorOptions,
  EmulatorUpload,
  ResolvedDeploymentOutcomes,
  UpsertRecord,
} from "./types";

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const store = new Store(opts.statePath, {
    token: opts.token,
    organisationId: opts.organisationId,
    devices: opts.devices,
    groups: opts.groups,
  });
  store.deploymentOutcomes.setInitial(opts.deploymentOutcomes);
  store.deploymentStepMs =
    opts.deploymentStepMs ??
    (Number(process.env.DOOVER_EMULATOR_DEPLOY_STEP_MS || NaN) >= 0
      ? Number(process.env.DOOVER_EMULATOR_DEPLOY_STEP_MS)
      : 1000);
  const auth = new AuthServer({ tokenTtlSeconds: opts.tokenTtlSeconds, rotateRefreshTokens: opts.rotateRefreshTokens });
  store.postConflict = opts.postConflict ?? false;
  store.upsertStatus = opts.upsertStatus ?? 201;
  store.upsertInstalls = opts.upsertInstalls ?? false;
  const faults = new Faults();
  const requestLog: EmulatorLogEntry[] = [];
  // Read here, not at module load, so a test run can set it late.
  const recordFile =
    opts.recordFile === undefined ? process.env.DOOVER_EMULATOR_RECORD || undefined : (opts.recordFile ?? undefined);
  const reset = () => {
    store.reset();
    store.deploymentOutcomes.restoreInitial();
    auth.reset();
    requestLog.length = 0;
    faults.clear();
  };
  const server = createServer({
    store,
    auth,
    faults,
    recorder: new Recorder(recordFile),
    requestLog,
    perPageDefault: opts.perPageDefault ?? 50,
    reset,
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    token: store.token,
    authServerUrl: url,
    clientId: auth.clientId,
    refreshToken: auth.initialRefreshToken,
    revokeRefreshTokens: (refreshToken?: string) => auth.revoke(refreshToken),
    organisationId: store.organisationId,
    deviceIds: store.deviceIds,
    rootGroupId: store.rootGroupId,
    groupIds: store.groupIds,
    setDeploymentOutcomes: (o: DeploymentOutcomes) => store.deploymentOutcomes.set(o),
    clearDeploymentOutcomes: () => store.deploymentOutcomes.clear(),
    deploymentOutcomes: () => store.deploymentOutcomes.get(),
    log: () => requestLog.map((e) => ({ ...e })),
    clearLog: () => {
      requestLog.length = 0;
    },
    reset,
    uploads: () => store.uploads(),
    upserts: () => store.upserts.map((u) => ({ ...u, fields: [...u.fields] })),
    addFault: (f: EmulatorFault) => faults.add(f),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
