// The emulator over real HTTP with plain fetch (not the sdk client).

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import {
  applicationBody,
  type Emulator,
  emulatorFetch,
  SECOND_ORGANISATION_ID,
  startTestEmulator,
  startTwoOrganisationEmulator,
  useEmulator,
} from "./support/emulator";

const TWO_POW_53 = 2n ** 53n;

function assertSnowflake(id: unknown): void {
  assert.equal(typeof id, "string");
  assert.match(id as string, /^\d+$/);
  assert.ok(BigInt(id as string) > TWO_POW_53, `${id} should exceed 2^53`);
}

describe("emulator", function () {
  const emu = useEmulator();
  const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
    emulatorFetch(emu.current, method, p, body, headers);
  const createApp = async (name: string, extra: Record<string, unknown> = {}) => {
    const r = await call("POST", "/applications/", applicationBody(emu.current, name, extra));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const tunnelBody = (extra: Record<string, unknown> = {}) => ({
    name: "ssh",
    hostname: "127.0.0.1",
    port: 22,
    protocol: "tcp",
    password: "s3cret",
    ...extra,
  });

  describe("seed and reads", function () {
    it("seeds one organisation and at least two devices with snowflake ids", async function () {
      const e = emu.current;
      assertSnowflake(e.organisationId);
      assert.ok(e.deviceIds.length >= 2);
      e.deviceIds.forEach(assertSnowflake);
      assert.match(e.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const orgs = await call("GET", "/organisations/");
      assert.equal(orgs.status, 200);
      assert.deepEqual(
        orgs.body.results.map((o: { id: string }) => o.id),
        [e.organisationId],
      );
      const devices = await call("GET", "/devices/");
      assert.deepEqual(
        devices.body.results.map((d: { id: string }) => d.id),
        e.deviceIds,
      );
      const one = await call("GET", `/devices/${e.deviceIds[1]}/`);
      assert.equal(one.status, 200);
      assert.equal(one.body.id, e.deviceIds[1]);
      assert.equal(one.body.organisation.id, e.organisationId);
      assert.equal((await call("GET", "/devices/1/")).status, 404);
    });
  });

  describe("auth and routing", function () {
    it("answers 401 without or with a wrong Bearer token", async function () {
      const url = `${emu.current.url}/applications/`;
      const none = await fetch(url);
      assert.equal(none.status, 401);
      assert.deepEqual(await none.json(), {
        detail: "Authentication credentials were not provided.",
      });
      const wrong = await fetch(url, {
        headers: { Authorization: "Bearer nope" },
      });
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), { detail: "Invalid token." });
      const scheme = await fetch(url, {
        headers: { Authorization: `Token ${emu.current.token}` },
      });
      assert.equal(scheme.status, 401);
    });

    it("answers 404 for unknown paths and ids, 405 for wrong methods", async function () {
      const unknown = await call("GET", "/nothing/here/");
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { detail: "Not found." });
      assert.equal((await call("GET", "/applications")).status, 404); // no trailing slash
      const missing = await call("GET", "/applications/123/");
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { detail: "Not found." });
      const app = await createApp("deletable");
      const del = await call("DELETE", `/applications/${app.id}/`);
      assert.equal(del.status, 405);
      assert.deepEqual(del.body, { detail: 'Method "DELETE" not allowed.' });
      assert.equal(del.headers.get("allow"), "GET, PUT, PATCH");
    });

    it("rejects malformed JSON and non-object bodies with 400", async function () {
      const r = await fetch(`${emu.current.url}/applications/`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${emu.current.token}`,
          "Content-Type": "application/json",
        },
        body: "{nope",
      });
      assert.equal(r.status, 400);
      assert.match(((await r.json()) as { detail: string }).detail, /JSON parse error/);
      const list = await call("POST", "/applications/", [1, 2]);
      assert.equal(list.status, 400);
      assert.deepEqual(list.body.error, {
        non_field_errors: ["Invalid data. Expected a dictionary, but got list."],
      });
    });
  });

  describe("applications", function () {
    it("creates with 201 and increasing snowflake ids, then retrieves", async function () {
      const a = await createApp("first_app", {
        long_description: "Long",
        config_schema: { type: "object" },
      });
      const b = await createApp("second_app");
      assertSnowflake(a.id);
      assertSnowflake(b.id);
      assert.ok(BigInt(b.id) > BigInt(a.id));
      assert.equal(a.archived, false);
      assert.deepEqual(a.organisation, {
        id: emu.current.organisationId,
        name: "Emulated Organisation",
        archived: false,
      });
      assert.equal(a.container_registry_profile, null);
      assert.deepEqual(a.config_schema, { type: "object" });
      const got = await call("GET", `/applications/${a.id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, a);
    });

    it("validates request bodies and names every bad field", async function () {
      const missing = await call("POST", "/applications/", {});
      assert.equal(missing.status, 400);
      assert.deepEqual(Object.keys(missing.body.error).sort(), [
        "container_registry_profile_id",
        "depends_on",
        "description",
        "display_name",
        "name",
        "organisation_id",
        "type",
        "visibility",
      ]);
      assert.deepEqual(missing.body.error.name, ["This field is required."]);
      assert.equal(typeof missing.body.detail, "string");

      const bad = await call(
        "POST",
        "/applications/",
        applicationBody(emu.current, "Bad-Name", {
          display_name: "x".repeat(101),
          description: "",
          type: "XYZ",
          visibility: null,
          depends_on: "other",
          stars: "many",
          allow_many: "perhaps",
          repository_url: "not a url",
          image_name: 42,
        }),
      );
      assert.equal(bad.status, 400);
      const e = bad.body.error;
      assert.match(e.name[0], /\^\[0-9a-z_\]\*\$/);
      assert.deepEqual(e.display_name, ["Ensure this field has no more than 100 characters."]);
      assert.deepEqual(e.description, ["This field may not be blank."]);
      assert.deepEqual(e.type, ['"XYZ" is not a valid choice.']);
      assert.deepEqual(e.visibility, ["This field may not be null."]);
      assert.deepEqual(e.depends_on, ['Expected a list of items but got type "str".']);
      assert.deepEqual(e.stars, ["A valid integer is required."]);
      assert.deepEqual(e.allow_many, ["Must be a valid boolean."]);
      assert.deepEqual(e.repository_url, ["Enter a valid URL."]);
      assert.equal(e.image_name, undefined, "numbers are valid strings, as in DRF");
      assert.equal((await call("GET", "/applications/")).body.count, 0);
    });

    it("ignores unknown and read-only keys like DRF", async function () {
      const app = await createApp("ignores_extras", {
        id: "1",
        archived: true,
        approx_installs: 9,
        colour: "red",
      });
      assert.notEqual(app.id, "1");
      assert.equal(app.archived, false);
      assert.equal(app.approx_installs, 0);
      assert.equal("colour" in app, false);
    });

    it("keeps snowflake ids sent as JSON numbers exact", async function () {
      const e = emu.current;
      const text =
        `{"name":"numeric_ids","display_name":"N","description":"d","type":"DEV","visibility":"PRI","depends_on":[],` +
        `"organisation_id":${e.organisationId},"container_registry_profile_id":93955828574386692}`;
      const r = await fetch(`${e.url}/applications/`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${e.token}`,
          "Content-Type": "application/json",
        },
        body: text,
      });
      const raw = await r.text();
      assert.equal(r.status, 201, raw);
      assert.match(raw, /"container_registry_profile":\{"id":"93955828574386692"/);
      assert.match(raw, new RegExp(`"organisation":\\{"id":"${e.organisationId}"`));
    });

    it("resolves the organisation from the body, else the header, else 401", async function () {
      const e = emu.current;
      const viaHeader = await call(
        "POST",
        "/applications/",
        applicationBody(e, "via_header", { organisation_id: null }),
        {
          "X-Doover-Organisation": e.organisationId,
        },
      );
      assert.equal(viaHeader.status, 201);
      assert.equal(viaHeader.body.organisation.id, e.organisationId);
      const none = await call("POST", "/applications/", applicationBody(e, "no_org", { organisation_id: null }));
      assert.equal(none.status, 401);
      assert.deepEqual(none.body, {
        detail: "X-Doover-Organisation header missing",
      });
      const foreignHeader = await call(
        "POST",
        "/applications/",
        applicationBody(e, "no_org", { organisation_id: null }),
        {
          "X-Doover-Organisation": "42",
        },
      );
      assert.equal(foreignHeader.status, 403);
      const unknown = await call("POST", "/applications/", applicationBody(e, "no_org", { organisation_id: "42" }));
      assert.equal(unknown.status, 400);
      assert.ok(unknown.body.error.organisation_id);
    });

    it("a taken name upserts by default: that app updated with only the fields sent (doover-cli's partial body), same id", async function () {
      const a = await createApp("taken", { long_description: "kept", image_name: "org/app:1" });
      emu.current.clearLog();
      // What doover-cli 0.7.1 sends on a second publish: name + what the config declares, create-only fields dropped.
      const org = { "X-Doover-Organisation": emu.current.organisationId }; // doover-cli pins it to the app's
      const again = await call("POST", "/applications/", { name: "taken", image_name: "org/app:2" }, org);
      assert.equal(again.status, 201, JSON.stringify(again.body)); // upsertStatus default: the spec's only status
      assert.equal(again.body.id, a.id, "same application");
      assert.equal(again.body.image_name, "org/app:2");
      assert.equal(again.body.display_name, a.display_name, "fields not sent stay");
      assert.equal(again.body.long_description, "kept");
      assert.deepEqual(
        emu.current.log().map((e) => [e.method, e.path, e.status, e.upsert]),
        [["POST", "/applications/", 201, true]],
        "the log marks the upsert",
      );
      assert.deepEqual(emu.current.upserts(), [
        { kind: "application", id: a.id, name: "taken", status: 201, fields: ["name", "image_name"] },
      ]);
      assert.deepEqual((await call("GET", "/_emulator/upserts/")).body, emu.current.upserts());
      assert.equal((await call("GET", "/applications/?name=taken")).body.count, 1, "no duplicate");
      // A free name is a create: the spec's required fields apply, and nothing is marked.
      const partial = await call("POST", "/applications/", { name: "fresh", image_name: "x" });
      assert.equal(partial.status, 400);
      assert.match(partial.body.detail, /display_name: This field is required/);
      // A PATCH-shaped body is validated like a PATCH.
      assert.equal((await call("POST", "/applications/", { name: "taken", type: "BAD" }, org)).status, 400);
      // The name of an archived application: 409 (doover-cli looks names up with archived=False).
      assert.equal((await call("POST", `/applications/${a.id}/archive/`)).status, 200);
      const archived = await call("POST", "/applications/", applicationBody(emu.current, "taken"));
      assert.equal(archived.status, 409);
      assert.match(archived.body.detail, new RegExp(`archived application named "taken" \\(id ${a.id}\\)`));
      // PATCH to another app's name stays a 409.
      const b = await createApp("other");
      assert.equal((await call("PATCH", `/applications/${b.id}/`, { name: "taken" })).status, 409);
      assert.equal((await call("PATCH", `/applications/${b.id}/`, { name: "other" })).status, 200, "own name is fine");
      assert.equal(emu.current.upserts().length, 1);
      emu.current.reset();
      assert.deepEqual(emu.current.upserts(), [], "reset clears them");
    });

    it("two parallel creates of one name: one application, one create and one upsert", async function () {
      const answers = await Promise.all(
        [1, 2].map(() => call("POST", "/applications/", applicationBody(emu.current, "raced"))),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        [201, 201],
      );
      assert.equal(answers[0].body.id, answers[1].body.id);
      assert.equal((await call("GET", "/applications/?name=raced")).body.count, 1);
      assert.equal(emu.current.upserts().length, 1);
    });

    describe("taken names, switched", function () {
      let dir: string;
      before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-upsert-"));
      });
      after(() => fs.rmSync(dir, { recursive: true, force: true }));

      it("postConflict: 409 for a taken name, archived applications included (the spec)", async function () {
        const e = await startTestEmulator({ postConflict: true });
        try {
          const body = applicationBody(e, "taken");
          const a = await emulatorFetch(e, "POST", "/applications/", body);
          const dup = await emulatorFetch(e, "POST", "/applications/", { ...body, display_name: "Other" });
          assert.equal(dup.status, 409);
          assert.ok(dup.body.error.name);
          assert.equal((await emulatorFetch(e, "GET", `/applications/${a.body.id}/`)).body.display_name, "App taken");
          await emulatorFetch(e, "POST", `/applications/${a.body.id}/archive/`);
          assert.equal((await emulatorFetch(e, "POST", "/applications/", body)).status, 409);
          const raced = await Promise.all(
            [1, 2].map(() => emulatorFetch(e, "POST", "/applications/", applicationBody(e, "raced"))),
          );
          assert.deepEqual(raced.map((r) => r.status).sort(), [201, 409]);
          assert.deepEqual(e.upserts(), []);
          assert.ok(e.log().every((x) => x.upsert === undefined));
        } finally {
          await e.close();
        }
      });

      it("upsertStatus 200; another organisation's application: 403, unchanged", async function () {
        const e = await startTwoOrganisationEmulator(dir, { upsertStatus: 200, recordFile: null });
        try {
          const a = await emulatorFetch(e, "POST", "/applications/", applicationBody(e, "mine"));
          assert.equal(a.status, 201);
          const again = await emulatorFetch(
            e,
            "POST",
            "/applications/",
            { name: "mine", description: "v2" },
            {
              "X-Doover-Organisation": e.organisationId,
            },
          );
          assert.equal(again.status, 200);
          assert.equal(again.body.id, a.body.id);
          assert.equal(again.body.description, "v2");
          const foreign = await emulatorFetch(
            e,
            "POST",
            "/applications/",
            { name: "mine", description: "hijack" },
            { "X-Doover-Organisation": SECOND_ORGANISATION_ID },
          );
          assert.equal(foreign.status, 403);
          assert.match(foreign.body.detail, /belongs to an application of another organisation/);
          const viaBody = await emulatorFetch(e, "POST", "/applications/", {
            ...applicationBody(e, "mine"),
            organisation_id: SECOND_ORGANISATION_ID,
          });
          assert.equal(viaBody.status, 403, "the body's organisation_id acts when no header is sent");
          assert.equal((await emulatorFetch(e, "GET", `/applications/${a.body.id}/`)).body.description, "v2");
          assert.deepEqual(
            e.upserts().map((u) => [u.id, u.status]),
            [[a.body.id, 200]],
          );
        } finally {
          await e.close();
        }
      });
    });

    it("PATCH validates only the given fields; PUT needs the full body", async function () {
      const a = await createApp("patchable", {
        long_description: "keep me",
        stars: 3,
      });
      const p = await call("PATCH", `/applications/${a.id}/`, {
        display_name: "Renamed",
        type: "INT",
      });
      assert.equal(p.status, 200);
      assert.equal(p.body.display_name, "Renamed");
      assert.equal(p.body.type, "INT");
      assert.equal(p.body.description, a.description);
      const badPatch = await call("PATCH", `/applications/${a.id}/`, {
        visibility: "NOPE",
      });
      assert.equal(badPatch.status, 400);
      assert.deepEqual(Object.keys(badPatch.body.error), ["visibility"]);
      const partialPut = await call("PUT", `/applications/${a.id}/`, {
        display_name: "Only this",
      });
      assert.equal(partialPut.status, 400);
      assert.ok(partialPut.body.error.name && partialPut.body.error.depends_on);
      const put = await call(
        "PUT",
        `/applications/${a.id}/`,
        applicationBody(emu.current, "patchable", { description: "New" }),
      );
      assert.equal(put.status, 200);
      assert.equal(put.body.description, "New");
      assert.equal(put.body.long_description, "keep me", "optional fields left out of a PUT stay");
      assert.equal((await call("PATCH", "/applications/999/", {})).status, 404);
    });

    it("archives and unarchives; lists filter on archived and show all by default", async function () {
      const a = await createApp("archivable");
      await createApp("stays");
      const arch = await call("POST", `/applications/${a.id}/archive/`, {});
      assert.equal(arch.status, 200);
      assert.equal(arch.body.archived, true);
      const names = async (q: string) =>
        (await call("GET", `/applications/${q}`)).body.results.map((x: { name: string }) => x.name);
      assert.deepEqual(await names(""), ["archivable", "stays"]);
      assert.deepEqual(await names("?archived=true"), ["archivable"]);
      assert.deepEqual(await names("?archived=false"), ["stays"]);
      assert.deepEqual(await names("?name=stays"), ["stays"]);
      assert.deepEqual(await names(`?organisation=${emu.current.organisationId}&type=PRO&visibility=PRI`), [
        "archivable",
        "stays",
      ]);
      assert.equal((await call("GET", "/applications/?archived=maybe")).status, 400);
      assert.equal((await call("GET", "/applications/?type=XXX")).status, 400);
      const un = await call("POST", `/applications/${a.id}/unarchive/`);
      assert.equal(un.body.archived, false);
      assert.deepEqual(await names("?archived=false"), ["archivable", "stays"]);
      assert.equal((await call("POST", "/applications/404/archive/")).status, 404);
    });
  });

  describe("pagination", function () {
    let small: Emulator;
    before(async () => {
      small = await startTestEmulator({ perPageDefault: 2 });
    });
    after(() => small.close());

    it("pages with absolute next/previous links across 3 pages", async function () {
      for (const n of [1, 2, 3, 4, 5]) {
        const r = await emulatorFetch(small, "POST", "/applications/", applicationBody(small, `paged_${n}`));
        assert.equal(r.status, 201);
      }
      const seen: string[] = [];
      let url: string | null = `${small.url}/applications/?archived=false`;
      const pages: { previous: string | null }[] = [];
      while (url) {
        assert.ok(url.startsWith(`${small.url}/applications/?`), url);
        const r = await emulatorFetch(small, "GET", url.slice(small.url.length));
        assert.equal(r.status, 200);
        assert.equal(r.body.count, 5);
        seen.push(...r.body.results.map((a: { name: string }) => a.name));
        pages.push(r.body);
        url = r.body.next;
      }
      assert.equal(pages.length, 3);
      assert.deepEqual(seen, ["paged_1", "paged_2", "paged_3", "paged_4", "paged_5"]);
      assert.equal(pages[0].previous, null);
      assert.equal(pages[1].previous, `${small.url}/applications/?archived=false`);
      assert.equal(pages[2].previous, `${small.url}/applications/?archived=false&page=2`);
      const big = await emulatorFetch(small, "GET", "/applications/?per_page=10");
      assert.equal(big.body.results.length, 5);
      assert.equal(big.body.next, null);
      const last = await emulatorFetch(small, "GET", "/applications/?page=last");
      assert.equal(last.body.results.length, 1);
      for (const page of ["4", "0", "x"]) {
        const r = await emulatorFetch(small, "GET", `/applications/?page=${page}`);
        assert.equal(r.status, 404);
        assert.deepEqual(r.body, { detail: "Invalid page." });
      }
      const empty = await emulatorFetch(small, "GET", "/applications/?name=none");
      assert.deepEqual(empty.body, {
        count: 0,
        next: null,
        previous: null,
        results: [],
      });
    });
  });

  describe("tunnels", function () {
    it("runs the whole lifecycle on the device-scoped and flat routes", async function () {
      const [d1, d2] = emu.current.deviceIds;
      const created = await call("POST", `/devices/${d1}/tunnels/`, tunnelBody());
      assert.equal(created.status, 201);
      const t = created.body;
      assertSnowflake(t.id);
      assert.equal(t.device.id, d1);
      assert.equal(t.is_active, false);
      assert.equal(t.password, "s3cret");
      assert.ok(t.endpoint_id.length > 0);
      assert.ok(t.endpoint.includes(t.endpoint_id));

      const list = await call("GET", `/devices/${d1}/tunnels/`);
      assert.deepEqual(
        list.body.results.map((x: { id: string }) => x.id),
        [t.id],
      );
      assert.equal((await call("GET", `/devices/${d2}/tunnels/`)).body.count, 0);
      assert.equal((await call("GET", "/tunnels/")).body.count, 1);
      assert.deepEqual((await call("GET", `/tunnels/${t.id}/`)).body, t);
      assert.equal((await call("GET", `/devices/${d2}/tunnels/${t.id}/`)).status, 404, "wrong device");

      const on = await call("POST", `/devices/${d1}/tunnels/${t.id}/activate/`, {});
      assert.equal(on.status, 200);
      assert.equal(on.body.is_active, true);
      const ignored = await call("PATCH", `/tunnels/${t.id}/`, {
        is_active: false,
        port: 2222,
      });
      assert.equal(ignored.body.is_active, true, "is_active is read-only");
      assert.equal(ignored.body.port, 2222);
      const off = await call("POST", `/tunnels/${t.id}/deactivate/`, {});
      assert.equal(off.body.is_active, false);

      const put = await call("PUT", `/devices/${d1}/tunnels/${t.id}/`, tunnelBody({ name: "renamed", timeout: 60 }));
      assert.equal(put.status, 200);
      assert.equal(put.body.name, "renamed");
      assert.equal(put.body.timeout, 60);
      const partialPut = await call("PUT", `/tunnels/${t.id}/`, { name: "x" });
      assert.equal(partialPut.status, 400);
      assert.deepEqual(Object.keys(partialPut.body.error).sort(), ["hostname", "port", "protocol"]);

      const del = await call("DELETE", `/devices/${d1}/tunnels/${t.id}/`);
      assert.equal(del.status, 204);
      assert.equal(del.body, null);
      assert.equal((await call("GET", `/tunnels/${t.id}/`)).status, 404);
      assert.equal((await call("DELETE", `/tunnels/${t.id}/`)).status, 404);
    });

    it("keeps protocol and device fixed after creation", async function () {
      const [d1, d2] = emu.current.deviceIds;
      const t = (await call("POST", `/devices/${d1}/tunnels/`, tunnelBody())).body;
      const proto = await call("PATCH", `/devices/${d1}/tunnels/${t.id}/`, {
        protocol: "http",
      });
      assert.equal(proto.status, 400);
      assert.deepEqual(Object.keys(proto.body.error), ["protocol"]);
      assert.match(proto.body.detail, /protocol/i);
      const putProto = await call("PUT", `/tunnels/${t.id}/`, tunnelBody({ protocol: "https" }));
      assert.equal(putProto.status, 400);
      assert.ok(putProto.body.error.protocol);
      const device = await call("PATCH", `/tunnels/${t.id}/`, {
        device_id: d2,
      });
      assert.equal(device.status, 400);
      assert.deepEqual(Object.keys(device.body.error), ["device_id"]);
      const same = await call("PATCH", `/tunnels/${t.id}/`, {
        protocol: "tcp",
        device_id: d1,
        name: "same",
      });
      assert.equal(same.status, 200);
      assert.equal((await call("GET", `/tunnels/${t.id}/`)).body.protocol, "tcp");
    });

    it("validates tunnel bodies and devices", async function () {
      const [d1] = emu.current.deviceIds;
      assert.equal((await call("POST", "/devices/999/tunnels/", tunnelBody())).status, 404);
      assert.equal((await call("POST", "/devices/abc/tunnels/", tunnelBody())).status, 404);
      const bad = await call("POST", `/devices/${d1}/tunnels/`, {
        name: "",
        port: "x",
        protocol: "ssh",
        hostname: "h".repeat(201),
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.error, {
        name: ["This field may not be blank."],
        hostname: ["Ensure this field has no more than 200 characters."],
        port: ["A valid integer is required."],
        protocol: ['"ssh" is not a valid choice.'],
      });
      const flatMissing = await call("POST", "/tunnels/", tunnelBody());
      assert.equal(flatMissing.status, 400);
      assert.deepEqual(flatMissing.body.error, {
        device_id: ["This field is required."],
      });
      const flatUnknown = await call("POST", "/tunnels/", tunnelBody({ device_id: "1" }));
      assert.equal(flatUnknown.status, 400);
      assert.ok(flatUnknown.body.error.device_id);
      const flat = await call("POST", "/tunnels/", tunnelBody({ device_id: d1, protocol: "https", port: 443 }));
      assert.equal(flat.status, 201);
      assert.equal(flat.body.device.id, d1);
      assert.equal("device_id" in flat.body, false, "device_id is write-only");
    });
  });

  describe("faults", function () {
    it("fails twice with 503 and Retry-After, then succeeds", async function () {
      emu.current.addFault({
        method: "GET",
        path: "/applications/",
        status: 503,
        times: 2,
        retryAfter: "1",
      });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await call("GET", "/applications/");
        statuses.push(r.status);
        if (r.status === 503) assert.equal(r.headers.get("retry-after"), "1");
      }
      assert.deepEqual(statuses, [503, 503, 200]);
      assert.equal(
        (await call("POST", "/applications/", applicationBody(emu.current, "not_faulted"))).status,
        201,
        "method filter",
      );
    });

    it("arms faults over HTTP and rejects bad ones", async function () {
      const url = `${emu.current.url}/_emulator/faults`;
      const post = (body: unknown) => fetch(url, { method: "POST", body: JSON.stringify(body) });
      assert.equal((await post({ path: "/organisations/", status: 429, retryAfter: "2" })).status, 201);
      assert.equal((await post({ status: 500 })).status, 400);
      assert.equal((await post({ path: "/x/", status: 99 })).status, 400);
      const r = await call("GET", "/organisations/");
      assert.equal(r.status, 429);
      assert.equal(r.headers.get("retry-after"), "2");
      assert.equal((await call("GET", "/organisations/")).status, 200);
    });

    it("drops connections and commits before failing when asked", async function () {
      emu.current.addFault({ path: "/devices/", dropConnection: true });
      await assert.rejects(call("GET", "/devices/"));
      emu.current.addFault({
        method: "POST",
        path: "/applications/",
        status: 502,
        afterCommit: true,
      });
      const r = await call("POST", "/applications/", applicationBody(emu.current, "ambiguous"));
      assert.equal(r.status, 502);
      const found = await call("GET", "/applications/?name=ambiguous");
      assert.equal(found.body.count, 1, "the create happened before the 502");
      emu.current.addFault({
        method: "POST",
        path: "/applications/",
        dropConnection: true,
        afterCommit: true,
        delayMs: 5,
      });
      await assert.rejects(call("POST", "/applications/", applicationBody(emu.current, "dropped_after_commit")));
      assert.equal((await call("GET", "/applications/?name=dropped_after_commit")).body.count, 1);
      const statuses = emu.current.log().map((e) => e.status);
      assert.deepEqual(statuses, [0, 502, 200, 0, 200]);
      assert.throws(() => emu.current.addFault({ path: "no-slash" }));
    });
  });

  describe("log, reset and recording", function () {
    it("logs API requests (not control ones) and resets over HTTP", async function () {
      await createApp("logged");
      await call("GET", "/applications/?name=logged&archived=false");
      const res = await fetch(`${emu.current.url}/_emulator/log`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), [
        { method: "POST", path: "/applications/", query: "", status: 201 },
        {
          method: "GET",
          path: "/applications/",
          query: "name=logged&archived=false",
          status: 200,
        },
      ]);
      assert.deepEqual(emu.current.log().length, 2);
      emu.current.clearLog();
      assert.deepEqual(emu.current.log(), []);
      await createApp("forgotten");
      assert.equal((await fetch(`${emu.current.url}/_emulator/reset`, { method: "POST" })).status, 200);
      assert.deepEqual(emu.current.log(), []);
      assert.equal((await call("GET", "/applications/")).body.count, 0);
      assert.equal((await call("GET", "/devices/")).body.count, emu.current.deviceIds.length, "seed kept");
    });

    it("records every API response as a JSON line", async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-rec-"));
      const file = path.join(dir, "record.jsonl");
      const saved = process.env.DOOVER_EMULATOR_RECORD;
      process.env.DOOVER_EMULATOR_RECORD = file; // read when the emulator starts
      let e: Emulator | undefined;
      try {
        e = await startTestEmulator();
        await emulatorFetch(e, "POST", "/applications/", applicationBody(e, "recorded"));
        const t = await emulatorFetch(e, "POST", `/devices/${e.deviceIds[0]}/tunnels/`, tunnelBody());
        await emulatorFetch(e, "DELETE", `/tunnels/${t.body.id}/`);
        await fetch(`${e.url}/_emulator/log`);
      } finally {
        if (saved === undefined) delete process.env.DOOVER_EMULATOR_RECORD;
        else process.env.DOOVER_EMULATOR_RECORD = saved;
        await e?.close();
      }
      const lines = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.method, l.template, l.status]),
        [
          ["POST", "/applications/", 201],
          ["POST", "/devices/{parent_lookup_device}/tunnels/", 201],
          ["DELETE", "/tunnels/{id}/", 204],
        ],
      );
      assert.equal(lines[0].body.name, "recorded");
      assert.equal(lines[2].body, null);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("CLI", function () {
    this.timeout(10000);
    const cli = path.resolve(__dirname, "../emulator/cli.js");
    let dir: string;
    let child: ChildProcess | undefined;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-cli-"));
    });
    afterEach(() => {
      child?.kill("SIGKILL");
      child = undefined;
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function startCli(
      args: string[],
      env: NodeJS.ProcessEnv = process.env,
    ): Promise<{
      url: string;
      token: string;
      organisationId: string;
      deviceIds: string[];
    }> {
      child = spawn(process.execPath, [cli, ...args], {
        stdio: ["ignore", "pipe", "inherit"],
        env,
      });
      const lines = createInterface({ input: child.stdout! });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once("line", resolve);
        child!.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      return JSON.parse(first);
    }

    function stopCli(): Promise<number | null> {
      const c = child!;
      child = undefined;
      return new Promise((resolve) => {
        c.once("exit", (code) => resolve(code));
        c.kill("SIGTERM");
      });
    }

    it("prints its address first, serves, and keeps --state across restarts", async function () {
      const state = path.join(dir, "state.json");
      const info = await startCli(["--port", "0", "--token", "cli-token", "--state", state]);
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.token, "cli-token");
      assertSnowflake(info.organisationId);
      assert.ok(info.deviceIds.length >= 2);
      const asEmu = { ...info } as unknown as Emulator;
      const app = await emulatorFetch(asEmu, "POST", "/applications/", applicationBody(asEmu, "persisted"));
      assert.equal(app.status, 201);
      const t = await emulatorFetch(asEmu, "POST", `/devices/${info.deviceIds[0]}/tunnels/`, tunnelBody());
      assert.equal(t.status, 201);
      assert.equal(await stopCli(), 0);

      const again = await startCli(["--port", "0", "--state", state]); // token comes from the state file
      assert.equal(again.token, "cli-token");
      assert.equal(again.organisationId, info.organisationId);
      assert.deepEqual(again.deviceIds, info.deviceIds);
      const emu2 = { ...again } as unknown as Emulator;
      const got = await emulatorFetch(emu2, "GET", `/applications/${app.body.id}/`);
      assert.deepEqual(got.body, app.body);
      assert.equal((await emulatorFetch(emu2, "GET", `/tunnels/${t.body.id}/`)).body.password, "s3cret");
      const next = await emulatorFetch(emu2, "POST", "/applications/", applicationBody(emu2, "after_restart"));
      assert.ok(BigInt(next.body.id) > BigInt(app.body.id), "ids keep increasing after a restart");
      assert.equal(await stopCli(), 0);
    });

    it("--post-conflict (a flag without a value) switches taken names to 409; --upsert-status 200", async function () {
      const conflicting = await startCli(["--post-conflict", "--port", "0"]);
      const asEmu = { ...conflicting } as unknown as Emulator;
      assert.equal(
        (await emulatorFetch(asEmu, "POST", "/applications/", applicationBody(asEmu, "cli_app"))).status,
        201,
      );
      assert.equal(
        (await emulatorFetch(asEmu, "POST", "/applications/", applicationBody(asEmu, "cli_app"))).status,
        409,
      );
      assert.equal(await stopCli(), 0);
      // A 200 is not in the spec's responses of this operation: not recorded for the conformance run.
      const { DOOVER_EMULATOR_RECORD: _record, ...env } = process.env;
      const upserting = await startCli(["--port", "0", "--upsert-status", "200", "--post-conflict=false"], env);
      const emu2 = { ...upserting } as unknown as Emulator;
      assert.equal((await emulatorFetch(emu2, "POST", "/applications/", applicationBody(emu2, "cli_app"))).status, 201);
      assert.equal((await emulatorFetch(emu2, "POST", "/applications/", applicationBody(emu2, "cli_app"))).status, 200);
      assert.equal(await stopCli(), 0);
    });

    it("fails clearly on a bad option", async function () {
      child = spawn(process.execPath, [cli, "--bogus", "1"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      child.stderr!.on("data", (c) => (err += c));
      const code = await new Promise((resolve) => child!.once("exit", resolve));
      child = undefined;
      assert.equal(code, 2);
      assert.match(err, /unknown option --bogus/);
      child = spawn(process.execPath, [cli, "--per-page", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      err = "";
      child.stderr!.on("data", (c) => (err += c));
      assert.equal(await new Promise((resolve) => child!.once("exit", resolve)), 2);
      child = undefined;
      assert.match(err, /bad --per-page 0/);
    });
  });
});
