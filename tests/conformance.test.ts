// Every emulator response checked against the Doover OpenAPI document (pydoover 1.18.3's sdist from PyPI,
// `protos/Doover Control API.yaml`, fetched and cached by scripts/ensure-pydoover-sdist.sh):
// (a) the whole test run's traffic when DOOVER_EMULATOR_RECORD names a recording (run this file last);
// (b) always, a fresh session that exercises every implemented endpoint and status.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROUTES } from "../emulator";
import { exerciseAppInstalls } from "./support/app-installs-exercise";
import { applicationBody, type Emulator, emulatorFetch, startTestEmulator } from "./support/emulator";
import { exerciseFleet } from "./support/fleet-exercise";
import { type RecordedResponse, readRecording, SpecValidator } from "./support/openapi";
import { exercisePeople } from "./support/people-exercise";

function validateAll(validator: SpecValidator, records: RecordedResponse[]): string[] {
  const failures: string[] = [];
  for (const r of records) {
    const v = validator.validate(r);
    if (!v.ok) failures.push(`${r.method} ${r.path} → ${r.status} (${v.against}): ${v.errors}`);
  }
  return failures;
}

/** Drives every route and status the emulator implements. */
async function exercise(e: Emulator): Promise<void> {
  const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
    emulatorFetch(e, method, p, body, headers);
  const expect = async (status: number, pending: Promise<{ status: number; body: any }>) => {
    const r = await pending;
    assert.equal(r.status, status, JSON.stringify(r.body));
    return r.body;
  };
  const [d1, d2] = e.deviceIds;

  // Reads
  await expect(200, call("GET", "/organisations/"));
  await expect(200, call("GET", "/devices/?per_page=1"));
  await expect(404, call("GET", "/devices/?page=9"));
  await expect(200, call("GET", `/devices/${d1}/`));
  await expect(404, call("GET", "/devices/1/"));

  // Applications
  const full = applicationBody(e, "full_app", {
    long_description: "# Full",
    allow_many: true,
    config_schema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
    },
    ui_schema: { "ui:order": [] },
    tag_schema: {},
    depends_on: ["other_app"],
    stars: 4,
    container_registry_profile_id: "93955828574386692",
    deployment_data: "UEsDBA==",
    image_name: "spaneng/full:latest",
    lambda_arn: "arn:aws:lambda:ap-southeast-2:1:function:x",
    lambda_config: { memory: 256 },
    icon_url: "https://example.com/i.png",
    banner_url: "https://example.com/b.png",
    repository_url: "https://github.com/getdoover/full",
  });
  const app = await expect(201, call("POST", "/applications/", full));
  await expect(201, call("POST", "/applications/", applicationBody(e, "minimal_app")));
  await expect(
    201,
    call("POST", "/applications/", applicationBody(e, "third_app", { organisation_id: null }), {
      "X-Doover-Organisation": e.organisationId,
    }),
  );
  await expect(400, call("POST", "/applications/", { name: "Bad Name" }));
  await expect(401, call("POST", "/applications/", applicationBody(e, "no_org", { organisation_id: null })));
  await expect(
    403,
    call("POST", "/applications/", applicationBody(e, "no_org", { organisation_id: null }), {
      "X-Doover-Organisation": "7",
    }),
  );
  await expect(201, call("POST", "/applications/", applicationBody(e, "minimal_app"))); // an upsert (docs/live-api.md)
  await expect(415, call("POST", "/applications/", "name=x", { "Content-Type": "text/plain" }));
  const unauth = await fetch(`${e.url}/applications/`);
  assert.equal(unauth.status, 401);
  await expect(200, call("GET", "/applications/?per_page=2"));
  await expect(200, call("GET", "/applications/?per_page=2&page=2"));
  await expect(400, call("GET", "/applications/?archived=maybe"));
  await expect(404, call("GET", "/applications/?page=7"));
  await expect(200, call("GET", `/applications/${app.id}/`));
  await expect(404, call("GET", "/applications/1/"));
  await expect(
    200,
    call("PUT", `/applications/${app.id}/`, {
      ...full,
      description: "Replaced",
    }),
  );
  await expect(400, call("PUT", `/applications/${app.id}/`, { name: "full_app" }));
  await expect(409, call("PUT", `/applications/${app.id}/`, { ...full, name: "minimal_app" }));
  await expect(
    200,
    call("PATCH", `/applications/${app.id}/`, {
      display_name: "Patched",
      container_registry_profile_id: null,
    }),
  );
  await expect(400, call("PATCH", `/applications/${app.id}/`, { type: "BAD" }));
  await expect(404, call("PATCH", "/applications/1/", {}));
  await expect(405, call("DELETE", `/applications/${app.id}/`));
  await expect(200, call("POST", `/applications/${app.id}/archive/`));
  await expect(404, call("POST", "/applications/1/archive/"));
  await expect(200, call("POST", `/applications/${app.id}/unarchive/`, {}));
  // Form bodies and uploads (multipart: fetch sets the boundary)
  const form = async (method: string, p: string, fields: Record<string, string | Blob>) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v, ...(typeof v === "string" ? [] : ["f.bin"]));
    const r = await fetch(`${e.url}${p}`, { method, headers: { Authorization: `Bearer ${e.token}` }, body });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const blob = new Blob(["PK\x03\x04"]);
  await expect(200, form("PATCH", `/applications/${app.id}/`, { display_name: "Form", icon: blob }));
  await expect(200, form("PUT", `/applications/${app.id}/processor_source/`, { file: blob }));
  await expect(200, form("PUT", `/applications/${app.id}/widget/`, { file: blob }));
  await expect(400, form("PUT", `/applications/${app.id}/widget/`, {}));
  await expect(415, call("PUT", `/applications/${app.id}/processor_source/`, { file: "x" }));

  // Device-scoped tunnels
  const base = `/devices/${d1}/tunnels`;
  const body = {
    name: "cam",
    hostname: "192.168.1.20",
    port: 554,
    protocol: "rtsp",
    username: "u",
    password: "p",
    timeout: 30,
    ip_restricted: true,
    ip_whitelist: ["1.2.3.4"],
    is_favourite: true,
    disable_tls_verification: false,
  };
  const t = await expect(201, call("POST", `${base}/`, body));
  await expect(
    201,
    call("POST", `${base}/`, {
      name: "web",
      hostname: "localhost",
      port: 80,
      protocol: "http",
    }),
  );
  await expect(400, call("POST", `${base}/`, { name: "", port: -1.5 }));
  await expect(404, call("POST", "/devices/1/tunnels/", body));
  await expect(200, call("GET", `${base}/?per_page=1`));
  await expect(404, call("GET", "/devices/1/tunnels/"));
  await expect(200, call("GET", `${base}/${t.id}/`));
  await expect(404, call("GET", `/devices/${d2}/tunnels/${t.id}/`));
  await expect(200, call("PUT", `${base}/${t.id}/`, { ...body, name: "cam2" }));
  await expect(400, call("PUT", `${base}/${t.id}/`, { ...body, protocol: "tcp" }));
  await expect(200, call("PATCH", `${base}/${t.id}/`, { port: 8554, password: null }));
  await expect(400, call("PATCH", `${base}/${t.id}/`, { device_id: d2 }));
  await expect(200, call("POST", `${base}/${t.id}/activate/`, {}));
  await expect(404, call("POST", `${base}/1/activate/`, {}));
  await expect(200, call("POST", `${base}/${t.id}/deactivate/`, {}));
  await expect(204, call("DELETE", `${base}/${t.id}/`));
  await expect(404, call("DELETE", `${base}/${t.id}/`));

  // Flat tunnels
  const f = await expect(201, call("POST", "/tunnels/", { ...body, device_id: d2 }));
  await expect(400, call("POST", "/tunnels/", body));
  await expect(200, call("GET", "/tunnels/"));
  await expect(200, call("GET", `/tunnels/${f.id}/`));
  await expect(200, call("PUT", `/tunnels/${f.id}/`, { ...body, device_id: d2 }));
  await expect(200, call("PATCH", `/tunnels/${f.id}/`, { name: "flat" }));
  await expect(200, call("POST", `/tunnels/${f.id}/activate/`, {}));
  await expect(200, call("POST", `/tunnels/${f.id}/deactivate/`, {}));
  await expect(405, call("POST", `/tunnels/${f.id}/`, {}));
  await expect(204, call("DELETE", `/tunnels/${f.id}/`));

  await exerciseAppInstalls(e);
  await exerciseFleet(e);
  await exercisePeople(e);

  // Faults, unknown paths, broken JSON
  e.addFault({ path: "/applications/", status: 503, retryAfter: "0" });
  await expect(503, call("GET", "/applications/"));
  e.addFault({ path: "/tunnels/", status: 429, retryAfter: "1" });
  await expect(429, call("GET", "/tunnels/"));
  e.addFault({
    method: "POST",
    path: "/applications/",
    status: 502,
    afterCommit: true,
  });
  await expect(502, call("POST", "/applications/", applicationBody(e, "after_commit")));
  await expect(404, call("GET", "/no/such/path/"));
  const broken = await fetch(`${e.url}/applications/`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${e.token}`,
      "Content-Type": "application/json",
    },
    body: "{",
  });
  assert.equal(broken.status, 400);
}

describe("conformance with the Doover OpenAPI document", function () {
  this.timeout(20000);
  let validator: SpecValidator;

  before(function () {
    this.timeout(5 * 60_000); // a cold cache downloads pydoover's sdist from PyPI
    validator = SpecValidator.load();
  });

  it("checks against pydoover 1.18.3's document (its applications carry notification_schema)", () => {
    const schemas = (validator.spec.components as any).schemas;
    for (const name of [
      "ApplicationSerializerDetail",
      "ApplicationSerializerList",
      "ApplicationSerializerDetailRequest",
    ]) {
      assert.ok("notification_schema" in schemas[name].properties, `${name} has no notification_schema`);
    }
  });

  it("converts nullable, allOf and $ref so that ajv rejects wrong bodies", function () {
    const detail = (body: unknown) =>
      validator.validate({
        method: "GET",
        path: "/applications/1/",
        template: "/applications/{id}/",
        status: 200,
        body,
      });
    assert.equal(detail({ id: "1" }).ok, false, "missing required fields");
    const app = {
      id: "1",
      archived: false,
      name: "a",
      display_name: "A",
      description: "d",
      type: "PRO",
      visibility: "PRI",
      depends_on: [],
      organisation: { id: "2", name: "O", archived: false },
      approx_installs: 0,
      config_profiles: [],
      container_registry_profile: null,
      image_name: null,
    };
    assert.equal(detail(app).ok, true, "nullable fields accept null");
    assert.equal(detail({ ...app, organisation: null }).ok, false, "non-nullable allOf rejects null");
    assert.equal(
      detail({ ...app, container_registry_profile: { id: "3" } }).ok,
      false,
      "$ref inside allOf is enforced",
    );
    assert.equal(detail({ ...app, visibility: "XXX" }).ok, false);
    const err = { method: "GET", path: "/x/", template: null, status: 404 };
    assert.equal(validator.validate({ ...err, body: { detail: "Not found." } }).ok, true);
    assert.equal(validator.validate({ ...err, body: { detail: 5 } }).ok, false);
    const created = {
      method: "POST",
      path: "/applications/",
      template: "/applications/",
      body: {},
    };
    assert.equal(validator.validate({ ...created, status: 200 }).ok, false, "undocumented success status");
  });

  it("validates every response of a session that exercises each endpoint and status", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-"));
    const file = path.join(dir, "session.jsonl");
    const e = await startTestEmulator({ recordFile: file });
    try {
      await exercise(e);
    } finally {
      await e.close();
    }
    const records = readRecording(file);
    fs.rmSync(dir, { recursive: true, force: true });
    const failures = validateAll(validator, records);
    assert.deepEqual(failures, []);

    // Every implemented route/method answered a success at least once.
    const succeeded = new Set(records.filter((r) => r.status < 300).map((r) => `${r.method} ${r.template}`));
    const missing = ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.template}`)).filter(
      (k) => !succeeded.has(k),
    );
    assert.deepEqual(missing, []);
    const statuses = [...new Set(records.map((r) => r.status))].sort();
    assert.deepEqual(statuses, [200, 201, 204, 400, 401, 403, 404, 405, 409, 415, 429, 502, 503]);
    console.log(
      `conformance: validated ${records.length} responses of the exercise session (statuses ${statuses.join(", ")})`,
    );
  });

  it("validates every response recorded during the test run (DOOVER_EMULATOR_RECORD, set by scripts/test.sh)", function () {
    const file = process.env.DOOVER_EMULATOR_RECORD;
    assert.ok(
      file && fs.existsSync(file),
      `no test-run recording to check: DOOVER_EMULATOR_RECORD ${file ? `names a missing file ${file}` : "is not set"} ` +
        "(npm test sets it; alone, run this file with --grep 'exercises each endpoint')",
    );
    const records = readRecording(file);
    assert.ok(records.length > 0, `the recording ${file} is empty: no test recorded an emulator response`);
    const failures = validateAll(validator, records);
    assert.deepEqual(
      failures.slice(0, 20),
      [],
      `${failures.length} of ${records.length} recorded responses do not conform`,
    );
    console.log(`conformance: validated ${records.length} responses recorded during the test run`);
  });
});
