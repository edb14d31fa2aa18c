// DooverRollout provider methods called directly, against the real HTTP emulator (3 devices, fast
// deployments): waves, stop, rollback, hold/resume, timeouts, an interrupted `up`, adopt, devices that leave,
// refresh, delete — and what each costs in API calls.

import assert from "node:assert/strict";
import { resetNameClaims } from "../provider/check-names";
import { resetAdopted } from "../provider/create-path";
import { captureProgress, PROGRESS } from "../provider/progress";
import { unpackRecords } from "../provider/rollout/rollout-records";
import { ROLLOUT_POLL } from "../provider/rollout/rollout-run";
import * as runtime from "../provider/runtime";
import { DooverResourceInitError } from "../provider/runtime";
import { applicationBody, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, writes } from "./support/provider-host";

const rollout = runtime.rollouts;
const SCHEMA = {
  type: "object",
  properties: { max_kpa: { type: "number", minimum: 0 }, site: { type: "string", default: "north" } },
  required: ["max_kpa"],
};
type Props = Record<string, unknown>;

describe("DooverRollout provider", function () {
  this.timeout(30000);
  const emulator = useEmulator({ deploymentStepMs: 20 });
  const devices = () => emulator.current.deviceIds;
  let appId = "";
  let lines: string[] = [];
  const savedPoll = { ...ROLLOUT_POLL };
  const savedProgress = { ...PROGRESS };
  let restoreProgress = () => {};

  before(() => {
    Object.assign(ROLLOUT_POLL, { minMs: 20, perPageMs: 20, maxMs: 200 });
    restoreProgress = captureProgress((line) => void lines.push(line));
  });
  after(() => {
    Object.assign(ROLLOUT_POLL, savedPoll);
    Object.assign(PROGRESS, savedProgress);
    restoreProgress();
  });
  beforeEach(async () => {
    lines = [];
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    const r = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "pump_monitor", { type: "DEV", config_schema: SCHEMA, display_name: "Pump" }),
    );
    appId = r.body.id;
    emulator.current.clearLog();
  });
  afterEach(() => {
    runtime.resetConfiguration();
    resetAdopted();
    resetNameClaims();
  });

  const news = (extra: Props = {}): Props => ({
    applicationId: appId,
    devices: devices().join(" "),
    deploymentConfig: { max_kpa: 400 },
    __dooverResource: "fleet",
    ...extra,
  });

  async function checked(olds: Props, n: Props): Promise<Props> {
    const { inputs, failures } = await rollout.check(olds, n);
    assert.deepEqual(failures, []);
    return inputs;
  }

  async function initError(p: Promise<unknown>): Promise<DooverResourceInitError> {
    const e = await p.then(
      () => assert.fail("expected the operation to fail"),
      (x: unknown) => x,
    );
    assert.ok(e instanceof DooverResourceInitError, String(e));
    return e as DooverResourceInitError;
  }

  /** create, asserting success; returns [id, outs]. */
  async function created(n: Props): Promise<[string, Props]> {
    const { id, outs } = await rollout.create(await checked({}, n));
    return [id, outs];
  }

  const installs = async () =>
    (await emulatorFetch(emulator.current, "GET", `/app_installs/?application=${appId}&per_page=100`)).body
      .results as Record<string, any>[];
  const deploymentPosts = () => writes(emulator.current).filter((w) => /\/deployments\/$/.test(w));
  const installOf = (outs: Props, device: string) => unpackRecords(outs.records).get(device)!.installId!;
  const failDeploymentsOf = (installId: string, extra: Record<string, unknown> = {}) =>
    emulator.current.addFault({
      path: `/app_installs/${installId}/deployments/`,
      deployment: { status: "FAI", log: "pump controller rejected the config" },
      ...extra,
    });

  it("create: installs on every device wave by wave; status from one list per tick, never a GET per device", async () => {
    const inputs = await checked({}, news({ waves: [{ devices: 1 }, { percent: 100 }] }));
    assert.deepEqual(
      emulator.current.log().map((e) => `${e.method} ${e.path}`),
      ["GET /devices/", `GET /applications/${appId}/`, "GET /app_installs/", "GET /app_installs/"],
      "preview: the listed devices exist, the live schema, the app's installs, installs holding the name (one page each)",
    );
    emulator.current.clearLog();
    const { outs } = await rollout.create(inputs);
    assert.equal(outs.status, "completed");
    const live = await installs();
    assert.equal(live.length, 3);
    assert.ok(live.every((i) => i.latest_deployment.status === "SUC" && i.deployment_config.max_kpa === 400));
    const results = unpackRecords(outs.records);
    assert.deepEqual(
      devices().map((d) => results.get(d)!.code),
      ["SUC", "SUC", "SUC"],
    );
    assert.deepEqual(
      (outs.waveResults as Props[]).map((w) => [w.devices, w.succeeded, w.status]),
      [
        [1, 1, "passed"],
        [2, 2, "passed"],
      ],
    );
    assert.deepEqual((outs.totals as Props).deploymentsStarted, 3);
    const log = emulator.current.log();
    const gets = log.filter((e) => e.method === "GET");
    assert.ok(
      gets.every((e) => e.path === "/app_installs/" || e.path === `/applications/${appId}/`),
      gets.map((e) => e.path).join(" "),
    );
    assert.deepEqual(
      writes(emulator.current).filter((w) => w === "POST /app_installs/"),
      ["POST /app_installs/", "POST /app_installs/", "POST /app_installs/"],
    );
    assert.equal(deploymentPosts().length, 3);
    // The canary ended before wave 2 started: its deployment POST is before every other install POST.
    const order = writes(emulator.current);
    assert.ok(order.indexOf(deploymentPosts()[0]) < order.lastIndexOf("POST /app_installs/"));
    assert.ok(
      lines.some((l) => /wave 2\/2 passed: 2 succeeded, 0 failed/.test(l)),
      lines.join("\n"),
    );
  });

  it("an update with nothing to change writes nothing (never redeploys a device at the target)", async () => {
    const [id, outs] = await created(news());
    emulator.current.clearLog();
    const again = await checked(outs, news());
    assert.equal((again.plan as Props).changes, 0);
    assert.equal((await rollout.diff(id, outs, again)).changes, false);
    await rollout.update(id, outs, again);
    assert.deepEqual(writes(emulator.current), []);
  });

  it("the canary fails: nothing else is deployed, the up fails with a table, state keeps every device", async () => {
    const [id, outs] = await created(news());
    failDeploymentsOf(installOf(outs, devices()[0]));
    emulator.current.clearLog();
    const next = await checked(outs, news({ deploymentConfig: { max_kpa: 500 } }));
    assert.equal((next.plan as Props).deploy, `3 (${devices().join(", ")})`);
    const e = await initError(rollout.update(id, outs, next));
    assert.equal(deploymentPosts().length, 1, "only the canary");
    assert.match(e.message, /stopped at wave 1 of 2: 1 of 1 finished device\(s\) failed \(100%\)/);
    assert.match(e.message, /Wave 2 was not started/);
    assert.match(e.message, /device\s+install\s+deployment\s+status/);
    assert.match(e.message, /pump controller rejected the config/, "the tail of the device's log");
    const records = unpackRecords(e.properties.records);
    assert.deepEqual(
      devices().map((d) => records.get(d)!.code),
      ["FAI", "PEN", "PEN"],
    );
    assert.equal(e.properties.status, "stopped");
    assert.ok(e.properties.__provider === undefined || typeof e.properties.__provider === "string");

    // Fixed: the next up retries the canary and continues; devices 2-3 get exactly one deployment each.
    emulator.current.clearLog();
    const state = e.properties as Props;
    const fixed = await checked(state, news({ deploymentConfig: { max_kpa: 600 } }));
    const { outs: done } = await rollout.update(id, state, fixed);
    assert.equal(done.status, "completed");
    assert.equal(deploymentPosts().length, 3);
    assert.ok((await installs()).every((i) => i.deployment_config.max_kpa === 600));
  });

  it("rollback restores the previous config on exactly the devices this rollout changed", async () => {
    const [id, outs] = await created(news({ waves: [{ devices: 1 }, { percent: 100 }] }));
    // Device 3 fails the new config; the canary and device 2 take it before the wave is judged.
    failDeploymentsOf(installOf(outs, devices()[2]));
    emulator.current.clearLog();
    const next = await checked(
      outs,
      news({ deploymentConfig: { max_kpa: 999 }, onFailure: "rollback", maxParallelDeployments: 1 }),
    );
    const e = await initError(rollout.update(id, outs, next));
    assert.match(e.message, /stopped at wave 2 of 2/);
    assert.match(e.message, /onFailure is "rollback": 3 device\(s\) this rollout changed were returned/);
    const live = await installs();
    assert.ok(
      live.every((i) => i.deployment_config.max_kpa === 400 && i.latest_deployment.status === "SUC"),
      JSON.stringify(live.map((i) => [i.deployment_config, i.latest_deployment.status])),
    );
    assert.equal(e.properties.status, "rolledBack");
    const records = unpackRecords(e.properties.records);
    assert.deepEqual(
      devices().map((d) => records.get(d)!.code),
      ["RBK", "RBK", "RBK"],
    );
    assert.deepEqual(
      devices().map((d) => records.get(d)!.release),
      devices().map(() => outs.configHash),
    );
    // 3 deployments of 999, then 3 of the previous config.
    assert.equal(deploymentPosts().length, 6);
  });

  it("rollback leaves devices the rollout did not reach alone, and uninstalls where it made the install", async () => {
    // A fresh rollout whose canary fails: the canary had no install before, so rollback removes it.
    emulator.current.addFault({ path: "/app_installs/", deployment: { status: "FAI" } });
    const e = await initError(rollout.create(await checked({}, news({ onFailure: "rollback" }))));
    assert.match(e.message, /0 redeployed with their previous config and version, 1 uninstalled/);
    assert.deepEqual(await installs(), []);
    const records = unpackRecords(e.properties.records);
    assert.deepEqual(
      devices().map((d) => records.get(d)!.code),
      ["RBK", "PEN", "PEN"],
    );
  });

  it("hold after wave 1, then continue: the canary is not deployed again", async () => {
    const [id, outs] = await created(news({ holdAfterWave: 1 }));
    assert.equal(outs.status, "held");
    assert.deepEqual(
      (outs.waveResults as Props[]).map((w) => w.status),
      ["passed", "held"],
    );
    assert.equal((await installs()).length, 1);
    // Held is a steady state: no changes while the program keeps the hold.
    const same = await checked(outs, news({ holdAfterWave: 1 }));
    assert.deepEqual([(same.plan as Props).changes, (same.plan as Props).held], [0, 2]);
    assert.equal((await rollout.diff(id, outs, same)).changes, false);
    emulator.current.clearLog();
    const go = await checked(outs, news());
    assert.equal((await rollout.diff(id, outs, go)).changes, true);
    const { outs: done } = await rollout.update(id, outs, go);
    assert.equal(done.status, "completed");
    assert.equal(deploymentPosts().length, 2, "devices 2 and 3 only");
    assert.deepEqual(
      (done.waveResults as Props[]).map((w) => [w.alreadyAtTarget, w.status]),
      [
        [1, "passed"],
        [0, "passed"],
      ],
    );
  });

  it("work only the live plan shows (inputs unchanged) is a change, never left to the engine's input diff", async () => {
    const [id, outs] = await created(news());
    await emulatorFetch(emulator.current, "DELETE", `/app_installs/${installOf(outs, devices()[1])}/`);
    const next = await checked(outs, news());
    assert.equal((next.plan as Props).changes, 1);
    // The last `up` planned exactly this (say it retried a device that failed again): every input is equal.
    const olds: Props = { ...outs, plan: next.plan };
    assert.equal(olds.__inputsEchoed, true, "outputs written by this code echo the inputs");
    assert.equal((await rollout.diff(id, olds, next)).changes, true);
  });

  it("a new display name is a PATCH per install, no deployment; a hold over devices at the target is complete", async () => {
    const [id, outs] = await created(news());
    emulator.current.clearLog();
    const renamed = await checked(outs, news({ displayName: "Pump (fleet)", holdAfterWave: 1 }));
    assert.equal((await rollout.diff(id, outs, renamed)).changes, true);
    const { outs: after } = await rollout.update(id, outs, renamed);
    assert.deepEqual(
      writes(emulator.current).map((w) => w.replace(/\d+/, "#")),
      ["PATCH /app_installs/#/", "PATCH /app_installs/#/", "PATCH /app_installs/#/"],
    );
    assert.ok((await installs()).every((i) => i.display_name === "Pump (fleet)"));
    assert.equal(after.status, "completed", "nothing waits behind the hold");
    assert.deepEqual(
      (after.waveResults as Props[]).map((w) => w.status),
      ["passed", "passed"],
    );
  });

  it("a deployment still queued or running after deviceTimeoutSeconds counts as failed", async () => {
    emulator.current.addFault({ path: "/app_installs/", deployment: { stepMs: 60_000 } });
    const e = await initError(rollout.create(await checked({}, news({ deviceTimeoutSeconds: 1 }))));
    assert.match(e.message, /TIMEOUT/);
    assert.match(e.message, /still (QUE|RUN) after deviceTimeoutSeconds = 1 s/);
    const records = unpackRecords(e.properties.records);
    assert.equal(records.get(devices()[0])!.code, "TMO");
    assert.equal(deploymentPosts().length, 1);
  });

  it("an interrupted up (config written, deployment started) resumes with no device deployed twice", async () => {
    const [id, outs] = await created(news());
    // What a killed `up` leaves: device 1 PATCHed and deployed (still running), device 2 PATCHed only.
    const slow = installOf(outs, devices()[0]);
    emulator.current.addFault({ path: `/app_installs/${slow}/deployments/`, deployment: { stepMs: 300 } });
    await emulatorFetch(emulator.current, "PATCH", `/app_installs/${slow}/`, { deployment_config: { max_kpa: 700 } });
    await emulatorFetch(emulator.current, "POST", `/app_installs/${slow}/deployments/`, {});
    const second = installOf(outs, devices()[1]);
    await emulatorFetch(emulator.current, "PATCH", `/app_installs/${second}/`, { deployment_config: { max_kpa: 700 } });
    emulator.current.clearLog();
    const next = await checked(outs, news({ deploymentConfig: { max_kpa: 700 } }));
    assert.deepEqual(
      [(next.plan as Props).running, (next.plan as Props).deploy],
      [1, `2 (${devices()[1]}, ${devices()[2]})`],
    );
    const { outs: done } = await rollout.update(id, outs, next);
    assert.equal(done.status, "completed");
    assert.deepEqual(
      deploymentPosts().sort(),
      [
        `POST /app_installs/${second}/deployments/`,
        `POST /app_installs/${installOf(outs, devices()[2])}/deployments/`,
      ].sort(),
    );
    assert.ok(!writes(emulator.current).includes(`PATCH /app_installs/${second}/`), "already holds the config");
    const live = await installs();
    assert.ok(live.every((i) => i.latest_deployment.status === "SUC" && i.deployment_config.max_kpa === 700));
  });

  it("existing installs not managed by the rollout: preview fails without adopt; adopt takes them over", async () => {
    const first = devices()[0];
    await emulatorFetch(emulator.current, "POST", "/app_installs/", {
      application_id: appId,
      device_id: first,
      display_name: "Hand made",
      deployment_config: { max_kpa: 1 },
    });
    const { failures } = await rollout.check({}, news());
    assert.equal(failures.length, 1);
    assert.match(failures[0].reason, new RegExp(`devices: 1 \\(${first}\\) already have an install`));
    assert.match(failures[0].reason, /adopt: true/);
    emulator.current.clearLog();
    const [id, outs] = await created(news({ adopt: true }));
    assert.equal(outs.status, "completed");
    assert.ok(writes(emulator.current).some((w) => /^PATCH \/app_installs\/\d+\/$/.test(w)));
    assert.ok(
      lines.some((l) => /took over 1 existing install/.test(l)),
      lines.join("\n"),
    );
    const records = unpackRecords(outs.records);
    assert.ok(records.get(first)!.previous && records.get(first)!.previous !== "-", "rollback restores its config");
    assert.equal(records.get(first)!.adopted, true);
    // It existed before the stack: while `adopt` is declared, destroy leaves it (the other two go).
    emulator.current.clearLog();
    await rollout.delete(id, outs);
    assert.equal(writes(emulator.current).length, 2);
    assert.deepEqual(
      (await installs()).map((i) => String(i.device.id)),
      [first],
    );
    assert.ok(lines.some((l) => /not deleting 1 install\(s\) it took over with `adopt: true`/.test(l)));
  });

  it("a device where another application's install holds the name fails preview (one list, not a GET per device)", async () => {
    const other = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "other_app", { type: "DEV" }),
    );
    await emulatorFetch(emulator.current, "POST", "/app_installs/", {
      application_id: other.body.id,
      device_id: devices()[2],
      display_name: "Other",
      name: "pump_monitor",
    });
    emulator.current.clearLog();
    const { failures } = await rollout.check({}, news());
    assert.equal(failures.length, 1);
    assert.match(
      failures[0].reason,
      new RegExp(
        `name: 1 \\(${devices()[2]}\\) already have an install named "pump_monitor" of another application \\(other_app\\)`,
      ),
    );
    assert.ok(!emulator.current.log().some((e) => e.path.startsWith("/devices/") && e.path.endsWith("/app_installs/")));
  });

  it("a device that leaves the list is uninstalled (or kept with onDeviceRemoved: keep)", async () => {
    const [id, outs] = await created(news());
    const gone = installOf(outs, devices()[2]);
    const fewer = await checked(outs, news({ devices: devices().slice(0, 2).join(" ") }));
    assert.equal((fewer.plan as Props).left, `1 (${devices()[2]}): uninstalled`);
    emulator.current.clearLog();
    const { outs: after } = await rollout.update(id, outs, fewer);
    assert.deepEqual(writes(emulator.current), [`DELETE /app_installs/${gone}/`]);
    assert.equal(unpackRecords(after.records).size, 2);

    const kept = installOf(after, devices()[1]);
    const keep = await checked(after, news({ devices: devices()[0], onDeviceRemoved: "keep" }));
    emulator.current.clearLog();
    const { outs: last } = await rollout.update(id, after, keep);
    assert.deepEqual(writes(emulator.current), []);
    assert.ok((await installs()).some((i) => i.id === kept));
    assert.deepEqual([...unpackRecords(last.records).keys()], [devices()[0]]);
  });

  it("a device managed by a DooverAppInstall and a rollout at once fails check, naming both", async () => {
    const { failures: ok } = await runtime.appInstalls.check(
      {},
      { applicationId: appId, deviceId: devices()[1], __dooverResource: "pump-2" },
    );
    assert.deepEqual(ok, []);
    const { failures } = await rollout.check({}, news());
    assert.equal(failures.length, 1);
    assert.match(
      failures[0].reason,
      new RegExp(
        `DooverAppInstall "pump-2" and DooverRollout "fleet" both manage the install of application ${appId} on device ${devices()[1]}`,
      ),
    );
  });

  it("installs under other names on the same devices do not clash (an application that allows many)", async () => {
    const a = await runtime.appInstalls.check(
      {},
      { applicationId: appId, deviceId: devices()[1], name: "pump_a", __dooverResource: "a" },
    );
    const b = await runtime.appInstalls.check(
      {},
      { applicationId: appId, deviceId: devices()[1], name: "pump_b", __dooverResource: "b" },
    );
    const same = await runtime.appInstalls.check(
      {},
      { applicationId: appId, deviceId: devices()[1], name: "pump_a", __dooverResource: "c" },
    );
    assert.deepEqual([a.failures, b.failures], [[], []]);
    assert.match(
      same.failures[0].reason,
      /DooverAppInstall "a" and DooverAppInstall "c" both manage the install "pump_a"/,
    );
    const { failures } = await rollout.check({}, news({ name: "fleet_monitor" }));
    assert.equal(
      failures.filter((f) => /both manage/.test(f.reason)).length,
      0,
      "the rollout's installs are named fleet_monitor",
    );
  });

  it("refresh restores per-device truth from one list; delete removes every install", async () => {
    const [id, outs] = await created(news());
    const removed = installOf(outs, devices()[1]);
    await emulatorFetch(emulator.current, "DELETE", `/app_installs/${removed}/`);
    emulator.current.clearLog();
    const { props } = await rollout.read(id, outs);
    assert.deepEqual(
      emulator.current.log().map((e) => `${e.method} ${e.path}`),
      ["GET /app_installs/"],
    );
    const records = unpackRecords(props!.records);
    assert.deepEqual([records.get(devices()[1])!.code, records.get(devices()[1])!.installId], ["PEN", undefined]);
    assert.equal((props!.totals as Props).pending, 1);
    const next = await checked(props!, news());
    assert.equal((next.plan as Props).install, `1 (${devices()[1]})`);
    assert.equal((await rollout.diff(id, props!, next)).changes, true);

    emulator.current.clearLog();
    await rollout.delete(id, props!);
    assert.equal(writes(emulator.current).filter((w) => w.startsWith("DELETE")).length, 2);
    assert.deepEqual(await installs(), []);
  });

  it("status lines: milestones at once, the counts of a running wave at most every PROGRESS.intervalMs", async () => {
    Object.assign(PROGRESS, { intervalMs: 150 });
    try {
      // Deployments of ~1 s: a handful of count lines per wave, not one per 20 ms tick.
      emulator.current.addFault({ path: "/app_installs/", deployment: { stepMs: 500 }, times: 3 });
      await created(news({ deploymentConfig: { max_kpa: 424242 } }));
    } finally {
      Object.assign(PROGRESS, savedProgress);
    }
    assert.ok(lines.every((l) => l.startsWith("doover: ")));
    assert.ok(!lines.some((l) => l.includes("424242")), "no config values");
    const milestones = lines.filter((l) => / (deploying to|passed:)/.test(l));
    assert.deepEqual(
      milestones.map((l) => l.replace(/^.*wave (\d)\/2(:)? ?(\w+).*$/, "$1 $3")),
      ["1 deploying", "1 passed", "2 deploying", "2 passed"],
    );
    const counts = lines.filter((l) => /succeeded, \d+ failed, \d+ running/.test(l));
    assert.ok(counts.length >= 2 && counts.length <= 14, `${counts.length} count lines:\n${lines.join("\n")}`);
  });

  it("configProfileIds: each id must be a profile of the application (preview); every install gets them", async () => {
    const { failures } = await rollout.check({}, news({ configProfileIds: ["123456789"] }));
    assert.equal(failures.length, 1);
    assert.match(failures[0].reason, /^configProfileIds\[0\]: 123456789 is not a config profile of application/);
    const profile = await emulatorFetch(emulator.current, "POST", `/applications/${appId}/config_profiles/`, {
      application_id: appId,
      display_name: "Fast polling",
      deployment_config: { site: "south" },
    });
    const [, outs] = await created(news({ configProfileIds: [profile.body.id] }));
    assert.equal(outs.status, "completed");
    const live = await installs();
    assert.ok(live.every((i) => i.config_profiles.map((p: { id: string }) => p.id).join() === profile.body.id));
    // Nothing changed: the profiles are compared as a set, no PATCH, no deployment.
    emulator.current.clearLog();
    const again = await checked(outs, news({ configProfileIds: [profile.body.id] }));
    assert.equal((again.plan as Props).changes, 0);
  });

  it("staging: true rolls out through the staging API (preview and up), nothing on the main one", async () => {
    const staging = await startTestEmulator({ token: "staging-token", deploymentStepMs: 10 });
    try {
      runtime.configure(
        stackConfig(
          emulatorConfig(emulator.current, {
            "doover:stagingApiUrl": staging.url,
            "doover:stagingToken": staging.token,
          }),
        ),
      );
      const app = await emulatorFetch(
        staging,
        "POST",
        "/applications/",
        applicationBody(staging, "staged_monitor", { type: "DEV" }),
      );
      emulator.current.clearLog();
      const { failures } = await rollout.check({}, news({ staging: true, applicationStaging: false }));
      assert.match(failures[0].reason, /staging is true but the application's is false/);
      const inputs = await checked(
        {},
        news({ applicationId: app.body.id, devices: staging.deviceIds.join(" "), staging: true }),
      );
      const { id, outs } = await rollout.create(inputs);
      assert.equal(outs.status, "completed");
      assert.deepEqual(emulator.current.log(), [], "the main API saw nothing");
      const live = (await emulatorFetch(staging, "GET", `/app_installs/?application=${app.body.id}`)).body.results;
      assert.equal(live.length, 3);
      await rollout.delete(id, outs);
      assert.equal((await emulatorFetch(staging, "GET", `/app_installs/?application=${app.body.id}`)).body.count, 0);
    } finally {
      await staging.close();
    }
  });

  it("deploymentConfig is checked against the live schema when only an application id is given", async () => {
    const { failures } = await rollout.check({}, news({ deploymentConfig: { max_kpa: -5 } }));
    assert.equal(failures[0].property, "deploymentConfig/max_kpa");
    assert.match(failures[0].reason, /must be >= 0/);
  });
});
