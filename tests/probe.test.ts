// doover-probe / client.probe() (issue 19) against the real emulator: it reports how the emulator behaves,
// it writes nothing unless told to, and with --write it never leaves an object behind (read back from the
// emulator's own data). API variants the emulator does not play (an upserting POST, ignored filters, extra
// headers, changed answers) come from a rewriting proxy in front of it (tests/support/variant-proxy.ts).
import assert from "node:assert/strict";
import { formatJson, formatReport, PROBE_EXIT_CODES, type RestEvent } from "../sdk";
import { APPLICATION_TAKEN_NAME, CREATE_STATUS, INSTALL_TAKEN_NAME, TUNNEL_TAKEN_NAME } from "../sdk/probe/assumptions";
import { compareFields } from "../sdk/probe/known-fields";
import { exitCodeOf } from "../sdk/probe/report";
import { APPLICATION_NOT_SENT, APPLICATION_SAMPLE_VALUES, applicationBody, verdictOf } from "../sdk/probe/write-checks";
import { resetLimiters } from "../sdk/request-limiter";
import { APPLICATION_REQUEST_KEYS } from "../sdk/types";
import { startTestEmulator, useEmulator } from "./support/emulator";
import { objectsNamed, probeClient, row, runProbe, seed, verdicts } from "./support/probe";
import { VariantProxy } from "./support/variant-proxy";

describe("doover-probe: what the package assumes", () => {
  it("every application request field is sent with a sample value or listed as not sent, with why", () => {
    const { body, notSent } = applicationBody("probe_x", "1");
    for (const key of APPLICATION_REQUEST_KEYS) {
      assert.ok(key in body || key in APPLICATION_NOT_SENT, `${key}: add a value to APPLICATION_SAMPLE_VALUES`);
    }
    assert.deepEqual(Object.keys(notSent).sort(), Object.keys(APPLICATION_NOT_SENT).sort());
    assert.equal(body.name, "probe_x");
    assert.ok(Object.keys(APPLICATION_SAMPLE_VALUES).every((k) => APPLICATION_REQUEST_KEYS.includes(k)));
  });

  it("a taken name: 409 and an upsert are handled (the create path looks names up first), a duplicate is a safety mismatch", () => {
    for (const a of [APPLICATION_TAKEN_NAME, INSTALL_TAKEN_NAME]) {
      assert.deepEqual(verdictOf(a, "conflict"), { verdict: "OK", safety: false });
      assert.deepEqual(verdictOf(a, "upsert"), { verdict: "NOTE", safety: false });
      assert.deepEqual(verdictOf(a, "duplicate"), { verdict: "MISMATCH", safety: true });
      assert.deepEqual(verdictOf(a, "rejected"), { verdict: "MISMATCH", safety: false });
      for (const o of ["upsert", "duplicate", "rejected", "forbidden", "other"] as const) assert.ok(a.meaning[o], o);
    }
    // Tunnels are looked up before their POST: whatever the server does with a second name is safe.
    for (const o of ["conflict", "duplicate", "rejected"] as const)
      assert.equal(verdictOf(TUNNEL_TAKEN_NAME, o).verdict, "OK");
    assert.equal(CREATE_STATUS.expected, 201);
  });

  it("fields are compared with the SDK's types both ways, required and optional apart", () => {
    const c = compareFields("Tunnel", { id: "1", name: "t", extra_field: 1, port: 22, timeout: 15 });
    assert.deepEqual(c.unknown, ["extra_field"]);
    assert.ok(c.missingRequired.includes("device") && c.missingRequired.includes("endpoint"));
    assert.ok(!c.missingRequired.includes("timeout") && c.missingOptional.includes("username"));
  });

  it("exit codes: leftovers 3, not probed 2, a MISMATCH or ERROR 1, else 0", () => {
    const r = (verdict: "OK" | "NOTE" | "SKIPPED" | "MISMATCH" | "ERROR") => ({
      id: "x",
      behaviour: "",
      server: "",
      assumes: "",
      verdict,
    });
    const left = { kind: "tunnel" as const, id: "1", name: "n", state: "exists", reason: "", removeWith: [] };
    assert.equal(exitCodeOf({ rows: [r("OK"), r("NOTE"), r("SKIPPED")], leftovers: [] }), 0);
    assert.equal(exitCodeOf({ rows: [r("OK"), r("MISMATCH")], leftovers: [] }), 1);
    assert.equal(exitCodeOf({ rows: [r("ERROR")], leftovers: [] }), 1);
    assert.equal(exitCodeOf({ rows: [r("MISMATCH")], leftovers: [], stopped: "x" }), 2);
    assert.equal(exitCodeOf({ rows: [r("MISMATCH")], leftovers: [left], stopped: "x" }), 3);
    assert.deepEqual(PROBE_EXIT_CODES, { ok: 0, mismatch: 1, unreachable: 2, leftovers: 3, usage: 64 });
  });
});

describe("RestClient.observe: what the probe hears", function () {
  this.timeout(30_000);
  const emu = useEmulator({ token: "observe-tok" });
  beforeEach(() => resetLimiters());

  it("every answer with its headers, every attempt without one, every retry wait; a throwing listener changes nothing", async () => {
    const client = probeClient(emu.current);
    const events: RestEvent[] = [];
    const stop = client.rest.observe((e) => events.push(e));
    client.rest.observe(() => {
      throw new Error("a broken listener");
    });
    emu.current.addFault({ method: "GET", path: "/applications/", status: 503, retryAfter: "0", times: 1 });
    emu.current.addFault({ method: "GET", path: "/applications/", dropConnection: true, times: 1 });
    assert.deepEqual(await client.applications.list(), []);
    const kinds = events.map((e) => (e.kind === "answer" ? `answer ${e.status}` : e.kind));
    assert.deepEqual(kinds, ["answer 503", "retry", "no-answer", "retry", "answer 200"]);
    const first = events[0] as Extract<RestEvent, { kind: "answer" }>;
    assert.equal(first.header("retry-after"), "0");
    assert.equal(first.path, "/applications/");
    const retry = events[1] as Extract<RestEvent, { kind: "retry" }>;
    assert.match(retry.reason, /503/);
    assert.equal(retry.budgetMs, 20_000);
    assert.equal(retry.budget, "retry budget");
    stop();
    await client.applications.list();
    assert.equal(events.length, 5, "no events after the listener is removed");
  });

  it("waits for an API never reached are events too, against their own window", async () => {
    const closed = await VariantProxy.start({ target: emu.current.url });
    const url = closed.url;
    await closed.close();
    const client = probeClient(emu.current, url, { retryBudgetMs: 400 });
    const events: RestEvent[] = [];
    client.rest.observe((e) => events.push(e));
    await assert.rejects(client.applications.list());
    const retries = events.filter((e): e is Extract<RestEvent, { kind: "retry" }> => e.kind === "retry");
    assert.ok(retries.length > 0);
    assert.ok(retries.every((r) => r.budget === "window for an API not reached yet" && /ECONNREFUSED/.test(r.reason)));
    assert.equal(events.filter((e) => e.kind === "no-answer").length, retries.length + 1);
  });
});

describe("doover-probe against the emulator with --post-conflict (a taken name answers 409)", function () {
  this.timeout(60_000);
  const emu = useEmulator({ token: "probe-tok-41d", postConflict: true });
  beforeEach(() => resetLimiters());

  it("read-only: reports every behaviour as the package assumes and sends nothing but GETs", async () => {
    await seed(emu.current);
    emu.current.clearLog();
    const { report } = await runProbe(probeClient(emu.current));
    const methods = new Set(emu.current.log().map((e) => e.method));
    assert.deepEqual([...methods], ["GET"], "read-only means GETs only");
    assert.equal(report.exitCode, 0, formatReport(report));
    assert.equal(report.write, false);
    for (const id of [
      "api.reachable",
      "api.token",
      "organisation",
      "pagination",
      "filter.applications.name",
      "filter.applications.archived",
      "filter.installs.name",
      "filter.unknown",
      "filter.devices.group",
      "api.version",
      "api.rate-limits",
    ]) {
      assert.equal(row(report, id).verdict, "OK", `${id}: ${row(report, id).server}`);
    }
    assert.match(row(report, "pagination").server, /page=2 gave the next one/);
    assert.match(row(report, "filter.applications.archived").server, /archived=true gave 1, archived=false gave 1/);
    assert.equal(row(report, "filter.devices.group").server, "group=<id> honoured; group_tree=<id> honoured");
    for (const model of ["Application", "AppInstall", "Tunnel", "Device", "Group"]) {
      const r = row(report, `fields.${model}`);
      assert.notEqual(r.verdict, "MISMATCH", `${model}: ${r.server}`);
      assert.notEqual(r.verdict, "SKIPPED", `${model} was sampled`);
      assert.deepEqual((r.observed as any).missingRequired, [], model);
    }
    assert.equal(row(report, "writes").verdict, "SKIPPED");
    assert.match(row(report, "writes").meaning!, /--write/);
    assert.deepEqual(report.cleaned, []);
    assert.deepEqual(report.leftovers, []);
  });

  it("--write --device: 409 for apps and installs, tunnels accepted twice; every object removed", async () => {
    const device = emu.current.deviceIds[0];
    const { report, log } = await runProbe(probeClient(emu.current), { write: true, deviceId: device });
    const text = formatReport(report);
    assert.equal(report.exitCode, 0, text);
    const outcome = (id: string) => (row(report, id).observed as any).outcome;
    assert.equal(outcome("applications.post-taken-name"), "conflict");
    assert.equal(outcome("applications.post-archived-name"), "conflict");
    assert.equal(outcome("applications.post-partial"), "rejected");
    assert.equal(outcome("installs.post-taken-name"), "conflict");
    assert.equal(outcome("tunnels.post-taken-name"), "duplicate");
    for (const id of [
      "applications.create-path",
      "installs.create-path",
      "applications.create-path-race",
      "installs.create-path-race",
    ]) {
      assert.equal(row(report, id).verdict, "OK", row(report, id).server);
      assert.match(row(report, id).server, /reports "already exists"/);
    }
    assert.deepEqual(emu.current.upserts(), [], "409 mode: nothing was upserted");
    assert.equal(row(report, "create.status").server, "application 201, app install 201, tunnel 201");
    assert.equal(row(report, "applications.fields-echo").verdict, "OK", row(report, "applications.fields-echo").server);
    assert.equal(row(report, "tunnels.fields-echo").verdict, "OK", row(report, "tunnels.fields-echo").server);
    assert.equal(row(report, "filter.installs.name").verdict, "OK");
    // Nothing left: the application archived (no DELETE for applications), install and tunnels gone.
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.deepEqual(left.installs, []);
    assert.deepEqual(left.tunnels, []);
    assert.equal(left.apps.length, 1, "one application, never a duplicate");
    assert.ok(left.apps.every((a) => a.archived));
    assert.deepEqual(report.leftovers, []);
    assert.deepEqual(report.cleaned.map((c) => `${c.kind} ${c.how}`).sort(), [
      "app install deleted",
      "application already archived",
      "tunnel deleted",
      "tunnel deleted",
    ]);
    // Each object is announced when made, before anything else is sent.
    assert.equal(log.filter((l) => /made (application|app install|tunnel) probe_/.test(l)).length, 4);
    assert.match(text, /Made and removed:/);
  });

  it("--write without --device: install and tunnel rows say how to check them", async () => {
    const { report } = await runProbe(probeClient(emu.current), { write: true });
    assert.equal(report.exitCode, 0, formatReport(report));
    for (const id of ["installs.post-taken-name", "tunnels.post-taken-name"]) {
      assert.equal(row(report, id).verdict, "SKIPPED");
      assert.match(row(report, id).meaning!, /--device/);
    }
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.ok(left.apps.every((a) => a.archived));
  });

  it("--write without a named organisation writes nothing and says which one to name", async () => {
    emu.current.clearLog();
    const { report } = await runProbe(probeClient(emu.current, emu.current.url, { organisationId: undefined }), {
      write: true,
    });
    assert.equal(row(report, "writes").verdict, "SKIPPED");
    assert.match(row(report, "writes").meaning!, /--organisation/);
    assert.match(
      row(report, "organisation").meaning!,
      new RegExp(`doover:organisationId ${emu.current.organisationId}`),
    );
    assert.deepEqual(
      emu.current.log().filter((e) => e.method !== "GET"),
      [],
      "nothing written",
    );
    assert.equal(report.exitCode, 0);
  });

  it("a --device the token cannot see is an ERROR row; the application checks still run", async () => {
    const { report } = await runProbe(probeClient(emu.current), { write: true, deviceId: "999" });
    assert.equal(row(report, "device").verdict, "ERROR");
    assert.equal(row(report, "installs.post-taken-name").verdict, "SKIPPED");
    assert.equal((row(report, "applications.post-taken-name").observed as any).outcome, "conflict");
    assert.equal(report.exitCode, PROBE_EXIT_CODES.mismatch);
  });

  it("interrupted: stops, removes what it made, exit 2", async () => {
    const stop = new AbortController();
    const { report } = await runProbe(probeClient(emu.current), {
      write: true,
      deviceId: emu.current.deviceIds[0],
      signal: stop.signal,
      log: (line) => {
        if (/made app install/.test(line)) stop.abort();
      },
    });
    assert.equal(report.stopped, "interrupted");
    assert.equal(report.exitCode, PROBE_EXIT_CODES.unreachable);
    assert.deepEqual(report.leftovers, []);
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.deepEqual(left.installs, []);
    assert.ok(left.apps.length === 1 && left.apps[0].archived, "the live application was archived on the way out");
    assert.deepEqual(report.cleaned.map((c) => `${c.kind} ${c.how}`).sort(), [
      "app install deleted",
      "application archived",
    ]);
  });

  it("a clean-up that fails is reported: each leftover with its id and the commands to remove it, exit 3", async () => {
    const stop = new AbortController();
    const { report } = await runProbe(probeClient(emu.current), {
      write: true,
      deviceId: emu.current.deviceIds[0],
      signal: stop.signal,
      log: (line) => {
        if (/made tunnel/.test(line)) stop.abort();
        if (/removing the/.test(line)) {
          // Every removal fails from here on (500 is not retried).
          emu.current.addFault({ method: "POST", path: "/applications/", status: 500, times: 50 });
          emu.current.addFault({ method: "DELETE", path: "/app_installs/", status: 500, times: 50 });
          emu.current.addFault({ method: "DELETE", path: "/tunnels/", status: 500, times: 50 });
        }
      },
    });
    assert.equal(report.exitCode, PROBE_EXIT_CODES.leftovers);
    const left = await objectsNamed(emu.current, report.prefix!);
    const live = left.apps.filter((a) => !a.archived);
    assert.deepEqual(
      report.leftovers.map((l) => `${l.kind} ${l.id}`).sort(),
      [
        ...live.map((a) => `application ${a.id}`),
        ...left.installs.map((i) => `app install ${i.id}`),
        ...left.tunnels.map((t) => `tunnel ${t.id}`),
      ].sort(),
      "the leftovers are exactly what is still in the emulator",
    );
    assert.equal(report.leftovers.length, 3);
    const text = formatReport(report);
    assert.match(text, /LEFT BEHIND/);
    for (const l of report.leftovers) {
      assert.ok(
        l.removeWith.some((c) => c.includes(l.id)),
        `${l.kind}: ${l.removeWith.join(" / ")}`,
      );
      assert.ok(text.includes(l.removeWith[0]));
    }
    const app = report.leftovers.find((l) => l.kind === "application")!;
    assert.equal(app.removeWith[0], `doover app archive ${app.id}`);
    assert.match(
      report.leftovers.find((l) => l.kind === "tunnel")!.removeWith[0],
      /^doover device tunnels delete \d+ \d+ --yes$/,
    );
  });

  it("unreachable, refused token, not the API: exit 2 with what to fix", async () => {
    const closed = await VariantProxy.start({ target: emu.current.url });
    const url = closed.url;
    await closed.close();
    const down = await runProbe(probeClient(emu.current, url, { retryBudgetMs: 300 }));
    assert.equal(down.report.exitCode, 2);
    assert.equal(row(down.report, "api.reachable").verdict, "ERROR");
    assert.match(row(down.report, "api.reachable").meaning!, /--api-url/);

    const refused = await runProbe(probeClient(emu.current, emu.current.url, { token: "wrong" }));
    assert.equal(refused.report.exitCode, 2);
    assert.equal(row(refused.report, "api.token").verdict, "MISMATCH");
    assert.match(row(refused.report, "api.token").meaning!, /DOOVER_API_TOKEN/);
    assert.doesNotMatch(JSON.stringify(refused.report), /wrong/, "no token in the report");

    const notApi = await runProbe(probeClient(emu.current, `${emu.current.url}/v9`));
    assert.equal(notApi.report.exitCode, 2);
    assert.equal(row(notApi.report, "api.reachable").verdict, "MISMATCH");
    assert.match(row(notApi.report, "api.reachable").meaning!, /Control API root/);
  });
});

describe("doover-probe against the emulator in upsert mode (its default: POST /applications/ upserts on the name)", function () {
  this.timeout(60_000);
  const emu = useEmulator({ token: "probe-upsert-tok" });
  beforeEach(() => resetLimiters());

  it("--write --device: the upserts are reported (NOTE), the create path says 'already exists', nothing left", async () => {
    const device = emu.current.deviceIds[0];
    const { report } = await runProbe(probeClient(emu.current), { write: true, deviceId: device });
    const text = formatReport(report);
    assert.equal(report.exitCode, 0, text);
    const outcome = (id: string) => (row(report, id).observed as any).outcome;
    const taken = row(report, "applications.post-taken-name");
    assert.equal(outcome("applications.post-taken-name"), "upsert");
    assert.equal(taken.verdict, "NOTE");
    assert.match(taken.server, /^201 with the existing id \d+ \(an upsert\); the fields sent were applied$/);
    assert.match(taken.meaning!, /doover app publish/);
    assert.equal(outcome("applications.post-partial"), "upsert");
    assert.match(
      row(report, "applications.post-partial").server,
      /accepted: 201, the existing id, the fields sent applied/,
    );
    assert.equal(outcome("applications.post-archived-name"), "conflict", "archived applications keep their names");
    assert.equal(outcome("installs.post-taken-name"), "conflict");
    assert.equal(outcome("tunnels.post-taken-name"), "duplicate");
    assert.match(row(report, "applications.create-path").server, /^reports "already exists"/);
    const race = row(report, "applications.create-path-race");
    assert.equal(race.verdict, "OK");
    assert.match(race.server, /^recognised the upsert \(fields it did not send are set: long_description, /);
    // What the probe calls upserts is what the emulator did: the second POST, the partial one and the race.
    const appId = (row(report, "applications.post-taken-name").observed as any).answeredId;
    assert.deepEqual(
      emu.current.upserts().map((u) => `${u.kind} ${u.id} ${u.status}`),
      [1, 2, 3].map(() => `application ${appId} 201`),
    );
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.deepEqual([left.apps.length, left.installs, left.tunnels], [1, [], []]);
    assert.ok(left.apps[0].archived);
    assert.deepEqual(report.leftovers, []);
  });

  it("upserts answered 200: the status is reported and is the create path's first sign", async () => {
    // 200 is not a documented status of applications_create: this emulator's answers stay out of conformance.
    const e = await startTestEmulator({ token: "probe-upsert-200", upsertStatus: 200, recordFile: null });
    try {
      const { report } = await runProbe(probeClient(e), { write: true });
      assert.equal(report.exitCode, 0, formatReport(report));
      assert.match(row(report, "applications.post-taken-name").server, /^200 with the existing id/);
      assert.match(
        row(report, "applications.create-path-race").server,
        /^recognised the upsert \(the API answered 200, not 201 Created;/,
      );
      assert.ok(e.upserts().every((u) => u.status === 200) && e.upserts().length === 3);
      const left = await objectsNamed(e, report.prefix!);
      assert.ok(left.apps.length === 1 && left.apps[0].archived);
    } finally {
      await e.close();
    }
  });

  it("--upsert-installs: install upserts reported; a 201 upsert with no older sign is a NOTE on the race row", async () => {
    const e = await startTestEmulator({ token: "probe-upsert-inst", upsertInstalls: true });
    try {
      const { report } = await runProbe(probeClient(e), { write: true, deviceId: e.deviceIds[1] });
      assert.equal(report.exitCode, 0, formatReport(report));
      assert.equal((row(report, "installs.post-taken-name").observed as any).outcome, "upsert");
      assert.equal(row(report, "installs.post-taken-name").verdict, "NOTE");
      assert.match(row(report, "installs.create-path").server, /^reports "already exists"/);
      const race = row(report, "installs.create-path-race");
      assert.equal(race.verdict, "NOTE");
      assert.match(race.server, /took the upsert for a create: answered 201/);
      assert.match(race.meaning!, /racing another program's/);
      assert.deepEqual(
        e.upserts().map((u) => u.kind),
        ["application", "application", "application", "app install", "app install"],
      );
      const left = await objectsNamed(e, report.prefix!);
      assert.deepEqual([left.installs, left.tunnels], [[], []]);
      assert.deepEqual(report.leftovers, []);
    } finally {
      await e.close();
    }
  });
});

describe("doover-probe against API variants (a rewriting proxy in front of the emulator)", function () {
  this.timeout(60_000);
  const emu = useEmulator({ token: "probe-variant-tok" });
  let proxy: VariantProxy | undefined;
  beforeEach(() => resetLimiters());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it("a server that upserts archived names too, answering 200: reported, handled by the create path", async () => {
    proxy = await VariantProxy.start({ target: emu.current.url, upsertApplications: true });
    const { report } = await runProbe(probeClient(emu.current, proxy.url), { write: true });
    const taken = row(report, "applications.post-taken-name");
    assert.equal((taken.observed as any).outcome, "upsert");
    assert.match(taken.server, /^200 with the existing id .*the fields sent were applied/);
    assert.equal(taken.verdict, "NOTE");
    assert.equal((row(report, "applications.post-partial").observed as any).outcome, "upsert");
    assert.match(row(report, "applications.create-path").server, /^reports "already exists"/);
    assert.match(row(report, "applications.create-path-race").server, /^recognised the upsert \(the API answered 200/);
    const archived = row(report, "applications.post-archived-name");
    assert.equal((archived.observed as any).outcome, "upsert-archived");
    assert.equal(archived.verdict, "NOTE");
    assert.match(archived.meaning!, /unarchives it/);
    assert.equal(report.exitCode, 0, formatReport(report));
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.equal(left.apps.length, 1);
    assert.ok(left.apps[0].archived);
  });

  it("ignored `name` filter, 200 on create, dropped and unknown fields, version and rate-limit headers", async () => {
    await seed(emu.current);
    proxy = await VariantProxy.start({
      target: emu.current.url,
      ignoreQuery: [
        { path: "/applications/", params: ["name"] },
        { path: "/devices/", params: ["name"] },
      ],
      headers: { "X-API-Version": "2.7.1", "X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "119" },
      rewrite: (req, answer) => {
        const strip = (o: any) => {
          if (o && typeof o === "object" && "visibility" in o) {
            delete o.image_name; // an application field the server drops
            o.alert_routing = null; // and one the package does not know
          }
          return o;
        };
        if (req.path.startsWith("/applications/") && answer.status < 300) {
          if (Array.isArray((answer.body as any)?.results)) (answer.body as any).results.forEach(strip);
          else strip(answer.body);
        }
        if (req.method === "POST" && req.path === "/applications/" && answer.status === 201) answer.status = 200;
        return answer;
      },
    });
    const { report } = await runProbe(probeClient(emu.current, proxy.url), {
      write: true,
      deviceId: emu.current.deviceIds[0],
    });
    const v = verdicts(report);
    assert.equal(v["filter.applications.name"], "MISMATCH");
    assert.notEqual(row(report, "filter.applications.name").safety, true, "an ignored filter costs time, not safety");
    assert.match(row(report, "filter.applications.name").meaning!, /read every application/);
    assert.equal(v["filter.installs.name"], "MISMATCH");
    assert.equal(v["create.status"], "MISMATCH");
    assert.match(row(report, "create.status").server, /application 200/);
    const echo = row(report, "applications.fields-echo");
    assert.equal(echo.verdict, "MISMATCH");
    assert.deepEqual((echo.observed as any).dropped, ["image_name"]);
    const fields = row(report, "fields.Application");
    assert.deepEqual((fields.observed as any).unknown, ["alert_routing"]);
    assert.ok((fields.observed as any).missingOptional.includes("image_name"));
    assert.match(row(report, "api.version").server, /x-api-version: 2\.7\.1/);
    assert.equal(v["api.version"], "NOTE");
    assert.match(row(report, "api.rate-limits").server, /x-ratelimit-limit: 120/);
    assert.match(row(report, "api.rate-limits").meaning!, /doover:maxRequestsPerSecond/);
    // A lookup by name that ignores the filter still finds the application: no duplicate, all removed.
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.equal(left.apps.length, 1);
    assert.deepEqual(left.tunnels, []);
    assert.deepEqual(left.installs, []);
    assert.equal(report.exitCode, 1);
  });

  it("an API that keeps a deleted install, archived: the install counts as removed", async () => {
    proxy = await VariantProxy.start({
      target: emu.current.url,
      reroute: ({ method, path }) =>
        method === "DELETE" && /^\/app_installs\/\d+\/$/.test(path)
          ? { method: "POST", path: `${path}archive/`, status: 204 }
          : undefined,
    });
    const { report } = await runProbe(probeClient(emu.current, proxy.url), {
      write: true,
      deviceId: emu.current.deviceIds[0],
    });
    assert.deepEqual(report.leftovers, []);
    assert.deepEqual(
      report.cleaned.filter((c) => c.kind === "app install").map((c) => c.how),
      ["archived"],
    );
    const left = await objectsNamed(emu.current, report.prefix!);
    assert.ok(left.installs.length === 1 && left.installs[0].archived, "kept, archived");
  });

  it("`page` ignored is a safety mismatch; a model without a field the package reads is a mismatch", async () => {
    await seed(emu.current);
    proxy = await VariantProxy.start({
      target: emu.current.url,
      ignoreQuery: [
        { path: "/applications/", params: ["page"] },
        { path: "/devices/", params: ["group"] },
      ],
      rewrite: (req, answer) => {
        const results = (answer.body as any)?.results;
        if (req.path.startsWith("/tunnels/") && answer.status === 200) {
          for (const t of Array.isArray(results) ? results : [answer.body]) delete t.endpoint;
        }
        return answer;
      },
    });
    const { report } = await runProbe(probeClient(emu.current, proxy.url));
    const page = row(report, "pagination");
    assert.equal(page.verdict, "MISMATCH");
    assert.equal(page.safety, true);
    assert.match(page.server, /page=2 answered the first page again/);
    const devices = row(report, "filter.devices.group");
    assert.equal(devices.verdict, "MISMATCH");
    assert.match(devices.server, /group=<id> ignored \(\d+ device\(s\) of other groups\)/);
    assert.match(devices.meaning!, /refuses a list that holds devices of other groups/);
    const tunnel = row(report, "fields.Tunnel");
    assert.equal(tunnel.verdict, "MISMATCH");
    assert.deepEqual((tunnel.observed as any).missingRequired, ["endpoint"]);
    assert.equal(report.exitCode, 1);
    const json = JSON.parse(formatJson(report));
    assert.equal(json.exitCode, 1);
    assert.equal(json.rows.find((r: any) => r.id === "pagination").safety, true);
  });
});
