// DooverRollout's pure pieces: waves → device sets, thresholds with a minimum sample, packed records,
// what each device needs (classify), and check's validation (no HTTP).

import assert from "node:assert/strict";
import { UNKNOWN } from "../provider/inputs";
import { checkRolloutInputs } from "../provider/rollout/rollout-check";
import { classify } from "../provider/rollout/rollout-classify";
import { deviceResults, packRecords, releaseHash, releaseOf, unpackRecords } from "../provider/rollout/rollout-records";
import { failureTable } from "../provider/rollout/rollout-report";
import { splitWaves, thresholdCrossed, waveEnds, waveSizesText } from "../provider/rollout/rollout-waves";
import type { AppInstallData } from "../sdk";

const ids = (n: number) => Array.from({ length: n }, (_, i) => String(1000 + i));

describe("rollout waves", () => {
  it("are cumulative: a canary count, then percentages of the fleet, the last taking the rest", () => {
    const waves = [{ devices: 2 }, { percent: 30 }, { percent: 100 }];
    assert.deepEqual(waveEnds(waves, 1000), [2, 300, 1000]);
    assert.equal(waveSizesText(waves, 1000), "2, 298, 700");
    const split = splitWaves(waves, ids(10));
    assert.deepEqual(
      split.map((w) => w.length),
      [2, 1, 7],
    );
    assert.deepEqual(split[0], ["1000", "1001"]);
  });

  it("round percentages up, give an empty wave when a percentage is below the canary, and cap at the fleet", () => {
    assert.deepEqual(waveEnds([{ devices: 2 }, { percent: 30 }, { percent: 100 }], 5), [2, 2, 5]);
    assert.deepEqual(waveEnds([{ devices: 5 }, { percent: 100 }], 3), [3, 3]);
    assert.deepEqual(waveEnds([{ percent: 10 }, { percent: 50 }], 7), [1, 7]);
    assert.deepEqual(waveEnds([{ devices: 2 }, { percent: 30 }], 100), [2, 100], "the last takes the rest");
    assert.deepEqual(waveEnds([{ devices: 1 }, { percent: 100 }], 0), [0, 0]);
  });
});

describe("rollout failure threshold", () => {
  const t = { percent: 10, minDevices: 5 };
  it("is not judged before minDevices finished (no false stop on 1 failure of the first 2)", () => {
    assert.equal(thresholdCrossed(t, { size: 50, succeeded: 1, failed: 1 }), false);
    assert.equal(thresholdCrossed(t, { size: 50, succeeded: 3, failed: 1 }), false);
    assert.equal(thresholdCrossed(t, { size: 50, succeeded: 4, failed: 1 }), true, "1 of 5 = 20% > 10%");
  });

  it("crosses only above the percentage (10% of 10 is not more than 10%)", () => {
    assert.equal(thresholdCrossed(t, { size: 10, succeeded: 9, failed: 1 }), false);
    assert.equal(thresholdCrossed(t, { size: 10, succeeded: 8, failed: 2 }), true);
  });

  it("judges a wave smaller than minDevices once all of it finished (a failed canary stops)", () => {
    assert.equal(thresholdCrossed(t, { size: 2, succeeded: 0, failed: 1 }), false, "canary still running");
    assert.equal(thresholdCrossed(t, { size: 2, succeeded: 1, failed: 1 }), true);
    assert.equal(thresholdCrossed({ percent: 0, minDevices: 1 }, { size: 300, succeeded: 0, failed: 1 }), true);
    assert.equal(thresholdCrossed({ percent: 100, minDevices: 1 }, { size: 3, succeeded: 0, failed: 3 }), false);
  });
});

describe("rollout records", () => {
  it("pack one device per space-separated entry and unpack to the program's view", () => {
    const records = new Map([
      ["11", { installId: "21", code: "SUC" as const, deploymentId: "31", release: "abc", previous: "-" }],
      ["12", { code: "PEN" as const, previous: "-" }],
      ["13", { installId: "23", code: "TMO" as const, deploymentId: "33", release: "abc", previous: "def" }],
    ]);
    const packed = packRecords(records);
    assert.equal(packed, "11:21:SUC:31:abc:- 12::PEN:::- 13:23:TMO:33:abc:def");
    assert.deepEqual(unpackRecords(packed), records);
    assert.deepEqual(deviceResults(packed)["13"], {
      installId: "23",
      status: "TIMEOUT",
      deploymentId: "33",
      configHash: "abc",
    });
    assert.deepEqual(deviceResults(packed)["12"].status, "PENDING");
  });

  it("hash a release whatever the key order, and tell versions apart only when managed", () => {
    const a = releaseOf({ a: 1, b: { c: 2 } }, "1.0", undefined, { version: true, configProfileIds: false });
    const b = releaseOf({ b: { c: 2 }, a: 1 }, "1.0", undefined, { version: true, configProfileIds: false });
    assert.equal(releaseHash(a), releaseHash(b));
    const c = releaseOf({ a: 1, b: { c: 2 } }, "1.1", undefined, { version: true, configProfileIds: false });
    assert.notEqual(releaseHash(a), releaseHash(c));
    const unmanaged = (v: string) => releaseOf({ a: 1 }, v, undefined, { version: false, configProfileIds: false });
    assert.equal(releaseHash(unmanaged("1")), releaseHash(unmanaged("2")));
    assert.match(releaseHash(a), /^[0-9a-f]{12}$/);
  });
});

describe("rollout classify: what a device needs", () => {
  const managed = { version: false, configProfileIds: false };
  const target = releaseOf({ k: 2 }, undefined, undefined, managed);
  const hash = releaseHash(target);
  const install = (config: unknown, latest: { id: string; status: string; config: unknown } | null, synced = "OK") =>
    ({
      id: "500",
      deployment_config: config,
      config_profiles: [],
      synced,
      latest_deployment: latest && {
        id: latest.id,
        status: latest.status,
        deployment_config: latest.config,
        app_install: "500",
        created_at: "",
        log_output: "",
        docker_message_id: null,
      },
    }) as unknown as AppInstallData;

  it("no install: install", () => {
    assert.equal(classify(undefined, undefined, target, managed).kind, "install");
  });

  it("runs the target (config and a succeeded deployment of it): nothing to do", () => {
    assert.equal(
      classify(install({ k: 2 }, { id: "9", status: "SUC", config: { k: 2 } }), undefined, target, managed).kind,
      "atTarget",
    );
  });

  it("a deployment of the target still running (an interrupted up): wait, do not deploy again", () => {
    const need = classify(install({ k: 2 }, { id: "9", status: "RUN", config: { k: 2 } }), undefined, target, managed);
    assert.equal(need.kind, "inFlight");
  });

  it("the config was written but not deployed, or the last deployment was of another config: deploy", () => {
    const written = classify(
      install({ k: 2 }, { id: "9", status: "SUC", config: { k: 1 } }, "NO"),
      undefined,
      target,
      managed,
    );
    assert.deepEqual([written.kind, written.kind === "deploy" && written.patch], ["deploy", false]);
    const old = classify(install({ k: 1 }, { id: "9", status: "SUC", config: { k: 1 } }), undefined, target, managed);
    assert.deepEqual([old.kind, old.kind === "deploy" && old.patch], ["deploy", true]);
  });

  it("a failed deployment of the target: retry", () => {
    const need = classify(install({ k: 2 }, { id: "9", status: "FAI", config: { k: 2 } }), undefined, target, managed);
    assert.deepEqual([need.kind, need.kind === "deploy" && need.retry], ["deploy", true]);
  });

  it("the deployment state recorded for an older release is not one of the target (version-only change)", () => {
    const v = { version: true, configProfileIds: false };
    const t2 = releaseOf({ k: 2 }, "2.0", undefined, v);
    const live = {
      ...install({ k: 2 }, { id: "9", status: "SUC", config: { k: 2 } }),
      version: "2.0",
    } as AppInstallData;
    const record = { code: "SUC" as const, installId: "500", deploymentId: "9", release: "oldrelease123" };
    assert.equal(classify(live, record, t2, v).kind, "deploy", "PATCHed to 2.0 but never deployed since");
    assert.equal(classify(live, { ...record, deploymentId: "8" }, t2, v).kind, "atTarget", "deployed after");
  });

  it("a deployment this rollout timed out on is retried, not waited for again", () => {
    const live = install({ k: 2 }, { id: "9", status: "RUN", config: { k: 2 } });
    const record = { code: "TMO" as const, installId: "500", deploymentId: "9", release: hash };
    assert.equal(classify(live, record, target, managed).kind, "deploy");
  });
});

describe("rollout check (no HTTP)", () => {
  const base = { applicationId: "123", devices: "11 12 13", deploymentConfig: { k: 1 } };

  it("applies the defaults and keeps a listed fleet as one string", () => {
    const { inputs, failures } = checkRolloutInputs(base);
    assert.deepEqual(failures, []);
    assert.equal(inputs.deviceIds, "11 12 13");
    assert.equal(inputs.devices, undefined);
    assert.deepEqual(inputs.waves, [{ devices: 1 }, { percent: 100 }]);
    assert.deepEqual(inputs.failureThreshold, { percent: 0, minDevices: 1 });
    assert.deepEqual(
      [inputs.deviceTimeoutSeconds, inputs.onFailure, inputs.onDeviceRemoved, inputs.maxParallelDeployments],
      [600, "stop", "uninstall", 16],
    );
  });

  it("takes a group with subgroups by default", () => {
    const { inputs, failures } = checkRolloutInputs({ ...base, devices: { group: "77" } });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs.devices, { group: "77", subgroups: true });
  });

  it("names each bad input", () => {
    const bad = (extra: Record<string, unknown>) =>
      checkRolloutInputs({ ...base, ...extra }).failures.map((f) => f.reason);
    assert.match(bad({ waves: [{ devices: 2 }, { devices: 2 }] })[0], /waves\[1\]\.devices is 2, not more than/);
    assert.match(bad({ waves: [{ percent: 50 }, { percent: 30 }] })[0], /cumulative/);
    assert.match(bad({ waves: [{ devices: 2, percent: 5 }] })[0], /exactly one of/);
    assert.match(bad({ waves: [] })[0], /non-empty/);
    assert.match(bad({ failureThreshold: { percent: 120 } })[0], /percent must be a number from 0 to 100/);
    assert.match(bad({ failureThreshold: { minDevices: 0 } })[0], /minDevices must be a whole number >= 1/);
    assert.match(bad({ onFailure: "abort" })[0], /onFailure must be "stop" or "rollback"/);
    assert.match(bad({ onDeviceRemoved: "delete" })[0], /"uninstall" or "keep"/);
    assert.match(bad({ deviceTimeoutSeconds: 0 })[0], /deviceTimeoutSeconds must be an integer from 1/);
    assert.match(bad({ devices: "11 11" })[0], /lists device 11 twice/);
    assert.match(bad({ devices: "11 abc" })[0], /devices\[1\] must be a device id/);
    assert.match(bad({ devices: { group: "x" } })[0], /devices.group must be a device group id/);
    assert.match(bad({ devices: undefined })[0], /devices is required/);
    assert.match(bad({ deploymentConfig: [1] })[0], /deploymentConfig must be an object/);
    assert.match(bad({ waveSizes: [1] })[0], /unknown property waveSizes/);
    assert.match(bad({ deploymentConfig: { site: "a\u0000b" } })[0], /deploymentConfig/);
  });

  it("checks deploymentConfig against the application's declared schema, as DooverAppInstall does", () => {
    const schema = { type: "object", properties: { k: { type: "number", minimum: 5 } } };
    const { inputs, failures } = checkRolloutInputs({ ...base, __configSchema: schema });
    assert.equal(failures[0].property, "deploymentConfig/k");
    assert.match(
      failures[0].reason,
      /deploymentConfig\/k must be >= 5 \(checked against the application's configSchema\)/,
    );
    assert.equal(inputs.__configSchema, undefined, "the schema is not stored");
    const ok = checkRolloutInputs({ ...base, deploymentConfig: { k: 6 }, __configSchema: schema });
    assert.deepEqual([ok.failures, ok.inputs.__configChecked], [[], true]);
  });

  it("leaves unknown values (preview) alone", () => {
    const { failures } = checkRolloutInputs({ ...base, devices: UNKNOWN, waves: UNKNOWN, deploymentConfig: UNKNOWN });
    assert.deepEqual(failures, []);
  });

  it("never takes a plan from the program (check computes it)", () => {
    const { inputs } = checkRolloutInputs({ ...base, plan: { changes: 0 } });
    assert.equal(inputs.plan, undefined);
  });
});

describe("rollout failure table", () => {
  it("lists device, install, deployment and status, then the end of each log; 20 rows at most", () => {
    const failures = Array.from({ length: 22 }, (_, i) => ({
      device: String(100 + i),
      installId: String(200 + i),
      deploymentId: String(300 + i),
      status: "FAI",
      log: `line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nboom ${i}\n`,
    }));
    const table = failureTable(failures);
    assert.match(table, /^ {2}device {2}install {2}deployment {2}status$/m);
    assert.match(table, /^ {2}100 {5}200 {6}300 {9}FAI$/m);
    assert.match(table, /^ {6}boom 0$/m);
    assert.doesNotMatch(table, /line 1/, "only the last 5 lines");
    assert.match(table, /… and 2 more/);
  });
});
