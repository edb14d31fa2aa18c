// DooverAppInstall's configProfileIds, provider methods called directly against the real HTTP emulator
// (which now serves config profiles and checks an install's config_profile_ids).

import assert from "node:assert/strict";
import { resetAdopted } from "../provider/create-path";
import * as runtime from "../provider/runtime";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, useFastDeploymentPolling, writes } from "./support/provider-host";

const install = runtime.appInstalls;

describe("DooverAppInstall provider: configProfileIds", function () {
  this.timeout(30000);
  const emulator = useEmulator({ deploymentStepMs: 20 });
  let appId = "";
  let profiles: string[] = [];
  useFastDeploymentPolling();

  beforeEach(async () => {
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    const r = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "pump_monitor", { type: "DEV", display_name: "Pump Monitor" }),
    );
    appId = r.body.id;
    profiles = [];
    for (const name of ["Fast", "Slow", "Night"]) {
      const p = await emulatorFetch(emulator.current, "POST", `/applications/${appId}/config_profiles/`, {
        application_id: appId,
        display_name: name,
        deployment_config: { mode: name },
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      profiles.push(p.body.id);
    }
    emulator.current.clearLog();
  });
  afterEach(() => {
    runtime.resetConfiguration();
    resetAdopted();
  });

  async function checked(extra: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { inputs, failures } = await install.check(
      {},
      {
        applicationId: appId,
        applicationName: "pump_monitor",
        applicationDisplayName: "Pump Monitor",
        applicationStaging: false,
        configSchema: null,
        deviceId: emulator.current.deviceIds[0],
        deploymentConfig: { n: 1 },
        ...extra,
      },
    );
    assert.deepEqual(failures, []);
    return inputs;
  }

  const liveProfiles = async (id: string) => {
    const r = await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`);
    return r.body.config_profiles.map((p: { id: string }) => p.id);
  };

  it("create with two profiles: the install holds them, and so do the outputs", async () => {
    const { id, outs } = await install.create(await checked({ configProfileIds: [profiles[0], profiles[1]] }));
    assert.deepEqual(await liveProfiles(id), [profiles[0], profiles[1]]);
    assert.deepEqual(outs.configProfileIds, [profiles[0], profiles[1]]);
    assert.deepEqual(writes(emulator.current), ["POST /app_installs/", `POST /app_installs/${id}/deployments/`]);
  });

  it("update to one profile: one PATCH carrying config_profile_ids, then a deployment", async () => {
    const { id, outs } = await install.create(await checked({ configProfileIds: [profiles[0], profiles[1]] }));
    emulator.current.clearLog();
    const news = await checked({ configProfileIds: [profiles[1]] });
    // An in-place update of outputs this code wrote: "unknown", so the engine marks the changed keys itself.
    assert.equal((await install.diff(id, outs, news)).changes, undefined);
    const next = await install.update(id, outs, news);
    assert.deepEqual(writes(emulator.current), [`PATCH /app_installs/${id}/`, `POST /app_installs/${id}/deployments/`]);
    assert.deepEqual(await liveProfiles(id), [profiles[1]]);
    assert.deepEqual(next.outs.configProfileIds, [profiles[1]]);
    // Nothing declared differently: no change, no write.
    emulator.current.clearLog();
    assert.equal(
      (await install.diff(id, next.outs, await checked({ configProfileIds: [profiles[1]] }))).changes,
      false,
    );
  });

  it("an unknown profile id fails the create with an error naming configProfileIds; nothing is created", async () => {
    const e = await install.create(await checked({ configProfileIds: ["424242"] })).then(
      () => assert.fail("expected the create to fail"),
      (x: unknown) => x as Error,
    );
    assert.match(e.message, /^configProfileIds: Invalid pk "424242" - object does not exist\./);
    assert.match(e.message, new RegExp(`config profile of application ${appId}`));
    assert.match(e.message, /nothing was installed\. Fix configProfileIds and run `pulumi up` again\./);
    const list = await emulatorFetch(emulator.current, "GET", "/app_installs/");
    assert.equal(list.body.count, 0);
  });

  it("an update to an unknown profile id fails naming configProfileIds and leaves the install as it was", async () => {
    const { id, outs } = await install.create(await checked({ configProfileIds: [profiles[0]], deploy: false }));
    const e = await install.update(id, outs, await checked({ configProfileIds: ["424242"], deploy: false })).then(
      () => assert.fail("expected the update to fail"),
      (x: unknown) => x as Error,
    );
    assert.match(e.message, /^configProfileIds: Invalid pk "424242"/);
    assert.match(e.message, /the install was not changed\. Fix configProfileIds/);
    assert.deepEqual(await liveProfiles(id), [profiles[0]]);
  });

  it("a profile of another application is refused with an error naming configProfileIds", async () => {
    const other = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "other"),
    );
    const p = await emulatorFetch(emulator.current, "POST", `/applications/${other.body.id}/config_profiles/`, {
      application_id: other.body.id,
      display_name: "Foreign",
    });
    const e = await install.create(await checked({ configProfileIds: [p.body.id] })).then(
      () => assert.fail("expected the create to fail"),
      (x: unknown) => x as Error,
    );
    assert.match(e.message, /^configProfileIds: Config profile "\d+" belongs to another application\./);
  });

  it("read after an out-of-band change of the profiles shows the drift; the next diff wants it back", async () => {
    const declared = await checked({ configProfileIds: [profiles[0], profiles[1]], deploy: false });
    const { id, outs } = await install.create(declared);
    const r0 = await emulatorFetch(emulator.current, "PATCH", `/app_installs/${id}/`, {
      config_profile_ids: [profiles[2]],
    });
    assert.equal(r0.status, 200);
    const r = await install.read(id, outs);
    assert.deepEqual(r.inputs!.configProfileIds, [profiles[2]]);
    assert.deepEqual(r.props!.configProfileIds, [profiles[2]]);
    const d = await install.diff(id, r.props!, declared);
    assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
    emulator.current.clearLog();
    await install.update(id, r.props!, declared);
    assert.deepEqual(writes(emulator.current), [`PATCH /app_installs/${id}/`]);
    assert.deepEqual(await liveProfiles(id), [profiles[0], profiles[1]]);
  });
});
