// doover-probe under faults (issue 19): behind the fault proxy (429 with Retry-After, 503 bursts, connection
// resets before and after the API commits) the probe reports the same behaviours as on a quiet network, says
// what it waits for, never makes a duplicate with its own creates, and leaves nothing behind. An API that goes
// down mid-run makes it give up within its retry budget and list what it could not remove.
import assert from "node:assert/strict";
import { formatReport, type ProbeReport } from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { startTestEmulator, useEmulator } from "./support/emulator";
import { FaultProxy } from "./support/fault-proxy";
import { objectsNamed, probeClient, row, runProbe } from "./support/probe";

/** The outcomes of the 409 emulator on a quiet network (tests/probe.test.ts). */
function assertQuietOutcomes(report: ProbeReport): void {
  const outcome = (id: string) => (row(report, id).observed as any)?.outcome;
  const text = formatReport(report);
  assert.equal(outcome("applications.post-taken-name"), "conflict", text);
  assert.equal(outcome("applications.post-archived-name"), "conflict", text);
  assert.equal(outcome("installs.post-taken-name"), "conflict", text);
  assert.equal(outcome("tunnels.post-taken-name"), "duplicate", text);
  for (const id of ["applications.create-path", "installs.create-path"]) {
    assert.notEqual(row(report, id).verdict, "MISMATCH", `${id}: ${row(report, id).server}`);
  }
  assert.ok(!report.rows.some((r) => r.verdict === "ERROR"), text);
}

/** Exactly one application (archived), no install, no tunnel: nothing duplicated, nothing left. */
async function assertNothingLeft(emulator: Parameters<typeof objectsNamed>[0], report: ProbeReport): Promise<void> {
  const left = await objectsNamed(emulator, report.prefix!);
  assert.equal(left.apps.length, 1, "one application: the probe's creates never duplicate");
  assert.ok(left.apps[0].archived, "archived at the end");
  assert.deepEqual(left.installs, []);
  assert.deepEqual(left.tunnels, []);
  assert.deepEqual(report.leftovers, []);
}

describe("doover-probe under faults", function () {
  this.timeout(120_000);
  const emu = useEmulator({ token: "probe-faults-tok", postConflict: true });
  let proxy: FaultProxy | undefined;
  beforeEach(() => resetLimiters());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it("rate limited (429 + Retry-After): the same outcomes; the 429s are reported and honoured", async () => {
    proxy = await FaultProxy.start({ target: emu.current.url, ratePerSecond: 8 });
    const { report } = await runProbe(probeClient(emu.current, proxy.url), {
      write: true,
      deviceId: emu.current.deviceIds[0],
    });
    assert.ok(proxy.stats.rateLimited > 0, "the proxy refused requests");
    assertQuietOutcomes(report);
    const rate = row(report, "api.rate-limits");
    assert.equal((rate.observed as any).throttled, proxy.stats.rateLimited, rate.server);
    assert.equal((rate.observed as any).throttledWithoutRetryAfter, 0);
    assert.match(rate.server, /× 429 during the run, each with Retry-After/);
    await assertNothingLeft(emu.current, report);
    assert.equal(report.exitCode, 0, formatReport(report));
  });

  it("503 bursts (Retry-After: 2) and resets before/after the API commits: same outcomes, no duplicate, waits said", async () => {
    proxy = await FaultProxy.start({
      target: emu.current.url,
      fail503: { probability: 0.15, max: 3, retryAfter: "2" },
      resetBefore: { probability: 0.1, max: 4 },
      resetAfter: { probability: 0.15, max: 6 },
      seed: 19,
    });
    const { report, log } = await runProbe(probeClient(emu.current, proxy.url), {
      write: true,
      deviceId: emu.current.deviceIds[0],
    });
    assert.ok(
      proxy.stats.failed503 > 0 && proxy.stats.resetBefore > 0 && proxy.stats.resetAfter > 0,
      JSON.stringify(proxy.stats),
    );
    assertQuietOutcomes(report);
    await assertNothingLeft(emu.current, report);
    // A Retry-After of 2 s is a wait worth saying: what failed, how long, how much of the budget is used.
    const waits = log.filter((l) =>
      /^doover-probe: waiting \d+\.\d s before trying again \(attempt \d+; .* retry budget used\): /.test(l),
    );
    assert.ok(waits.length > 0, log.join("\n"));
    assert.ok((row(report, "api.rate-limits").observed as any).noAnswer > 0, "resets are counted");
  });

  it("answers lost after the API committed (every kind's first create and the second tunnel): never a duplicate", async () => {
    const e = emu.current;
    e.addFault({ method: "POST", path: "/applications/", afterCommit: true, dropConnection: true, times: 1 });
    e.addFault({ method: "POST", path: "/app_installs/", afterCommit: true, status: 503, times: 1 });
    e.addFault({
      method: "POST",
      path: `/devices/${e.deviceIds[0]}/tunnels/`,
      afterCommit: true,
      dropConnection: true,
      times: 2,
    });
    const { report } = await runProbe(probeClient(e), { write: true, deviceId: e.deviceIds[0] });
    assertQuietOutcomes(report);
    // The creates whose answers were lost were found by name, so their status is unknown.
    assert.match(
      row(report, "create.status").server,
      /application answer lost \(found by name\), app install answer lost/,
    );
    assert.match(row(report, "tunnels.post-taken-name").server, /after a lost answer/);
    await assertNothingLeft(e, report);
    assert.deepEqual(
      report.cleaned.filter((c) => c.kind === "tunnel").length,
      2,
      "both tunnels were found and removed",
    );
  });

  it("upsert mode (the emulator's default) behind 503s and resets: upserts reported, never a duplicate", async () => {
    const e = await startTestEmulator({ token: "probe-faults-upsert" });
    const p = await FaultProxy.start({
      target: e.url,
      fail503: { probability: 0.1, max: 3 },
      resetBefore: { probability: 0.1, max: 4 },
      resetAfter: { probability: 0.15, max: 6 },
      seed: 7,
    });
    try {
      const { report } = await runProbe(probeClient(e, p.url), { write: true, deviceId: e.deviceIds[0] });
      assert.ok(p.stats.resetAfter > 0, JSON.stringify(p.stats));
      const outcome = (id: string) => (row(report, id).observed as any)?.outcome;
      assert.equal(outcome("applications.post-taken-name"), "upsert", formatReport(report));
      assert.equal(outcome("applications.post-archived-name"), "conflict");
      assert.equal(outcome("installs.post-taken-name"), "conflict");
      assert.equal(outcome("tunnels.post-taken-name"), "duplicate");
      assert.ok(!report.rows.some((r) => r.verdict === "ERROR" || r.verdict === "MISMATCH"), formatReport(report));
      await assertNothingLeft(e, report);
    } finally {
      await p.close();
      await e.close();
    }
  });

  it("the API goes down mid-run: gives up within its retry budget, lists what it left behind, exit 3", async () => {
    proxy = await FaultProxy.start({ target: emu.current.url });
    const p = proxy;
    const started = Date.now();
    const { report } = await runProbe(probeClient(emu.current, proxy.url, { retryBudgetMs: 1000 }), {
      write: true,
      log: (line) => {
        if (/made application/.test(line)) p.configure({ fail503: { probability: 1, max: 100_000 } });
      },
    });
    assert.ok(Date.now() - started < 60_000, "bounded by the retry budget");
    assert.equal(report.exitCode, 3, formatReport(report));
    assert.equal(report.leftovers.length, 1);
    const [app] = report.leftovers;
    assert.equal(app.kind, "application");
    assert.match(app.reason, /503/);
    assert.match(app.reason, /retry budget/);
    assert.deepEqual(app.removeWith[0], `doover app archive ${app.id}`);
    assert.ok(report.rows.some((r) => r.verdict === "ERROR"));
    // What the report says is left is what the emulator holds.
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.deepEqual(
      left.apps.filter((a) => !a.archived).map((a) => a.id),
      [app.id],
    );
  });
});
