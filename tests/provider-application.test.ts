// DooverApplication provider methods called directly, against the real HTTP emulator.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { deploymentHash } from "../provider/application/application-fields";
import { UNKNOWN } from "../provider/inputs";
import * as runtime from "../provider/runtime";
import { deploymentZip } from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { applicationBody, type Emulator, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";
import { calls, capturingStderr, emulatorConfig, stackConfig, writes } from "./support/provider-host";

const app = runtime.applications;

function args(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, displayName: `App ${name}`, type: "processor", description: "Made by a provider test.", ...extra };
}

/** check, failing the test on any failure, as the engine would before create/update. */
async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { inputs, failures } = await app.check({}, news);
  assert.deepEqual(failures, []);
  return inputs;
}

async function createApp(news: Record<string, unknown>) {
  const inputs = await checked(news);
  const { id, outs } = await app.create(inputs);
  return { id, inputs, outs };
}

describe("DooverApplication provider", function () {
  this.timeout(20000);
  const emulator = useEmulator();
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doover-app-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    resetLimiters();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  describe("check", () => {
    it("applies defaults and normalises enum names to wire codes", async () => {
      const inputs = await checked(args("demo_app", { visibility: "public", __provider: "x" }));
      assert.equal(inputs.type, "PRO");
      assert.equal(inputs.visibility, "PUB");
      assert.equal(inputs.allowMany, false);
      assert.deepEqual(inputs.dependsOn, []);
      assert.equal(inputs.staging, false);
      assert.equal(inputs.adopt, false);
      assert.equal(inputs.__provider, undefined);
      const dflt = await checked(args("other_app", { type: "DEV" }));
      assert.equal(dflt.visibility, "PRI");
      assert.deepEqual(emulator.current.log(), [], "check makes no HTTP call");
    });

    it("names every bad property in failures", async () => {
      const { failures } = await app.check(
        {},
        {
          name: "My-App",
          displayName: "x".repeat(101),
          type: "docker",
          visibility: "secret",
          description: "",
          dependsOn: ["ok_name", "Bad Name"],
          configSchema: { type: "object", properties: { a: { type: "no-such-type" } } },
          stagingConfig: { display_name: "ok", owner_org_key: "legacy" },
          deploymentFolder: path.join(tmp, "missing"),
          longDescriptionFile: path.join(tmp, "missing.md"),
          repositoryUrl: "not a url",
          colour: "blue",
        },
      );
      // Nested paths and object values go to the engine without a property; their reason starts with the path.
      const props = [...new Set(failures.map((f) => f.property || f.reason.split(" ")[0]))].sort();
      assert.deepEqual(props, [
        "colour",
        "configSchema",
        "dependsOn[1]",
        "deploymentFolder",
        "description",
        "displayName",
        "longDescriptionFile",
        "name",
        "repositoryUrl",
        "stagingConfig.owner_org_key",
        "type",
        "visibility",
      ]);
      assert.match(failures.find((f) => f.property === "name")!.reason, /\^\[0-9a-z_\]\*\$.*resource name/);
    });

    it("tolerates unknown values during preview", async () => {
      const { inputs, failures } = await app.check(
        {},
        {
          ...args(UNKNOWN),
          displayName: UNKNOWN,
          dependsOn: [UNKNOWN],
          deploymentFolder: UNKNOWN,
          organisationId: UNKNOWN,
          configSchema: { type: "object", properties: { a: { type: "string", default: UNKNOWN } } },
          stagingConfig: { id: UNKNOWN, name: UNKNOWN, organisation_id: UNKNOWN },
          imageName: UNKNOWN,
        },
      );
      assert.deepEqual(failures, []);
      assert.equal(inputs.deploymentHash, UNKNOWN);
      assert.equal(inputs.name, UNKNOWN);
    });

    it("reads the long description file and hashes the deployment folder", async () => {
      const dir = path.join(tmp, "check-files");
      fs.mkdirSync(path.join(dir, "deployment"), { recursive: true });
      fs.writeFileSync(path.join(dir, "README.md"), "# Hello\n");
      fs.writeFileSync(path.join(dir, "deployment", "docker-compose.yml"), "services: {}\n");
      const news = args("files_app", {
        longDescriptionFile: path.join(dir, "README.md"),
        deploymentFolder: path.join(dir, "deployment"),
        deploymentHash: "ignored",
      });
      const a = await checked(news);
      const b = await checked(news);
      assert.equal(a.longDescription, "# Hello\n");
      assert.match(String(a.deploymentHash), /^[0-9a-f]{64}$/);
      assert.equal(a.deploymentHash, b.deploymentHash, "deterministic");
      fs.writeFileSync(path.join(dir, "deployment", "docker-compose.yml"), "services: {a: {}}\n");
      assert.notEqual((await checked(news)).deploymentHash, a.deploymentHash);
      const both = await app.check({}, { ...news, longDescription: "text too" });
      assert.deepEqual(
        both.failures.map((f) => f.property),
        ["longDescriptionFile"],
      );
    });
  });

  describe("diff", () => {
    const base = async (): Promise<Record<string, unknown>> => {
      const inputs = await checked(
        args("diff_app", { configSchema: { type: "object", properties: { a: { type: "string" } } } }),
      );
      return { ...inputs, applicationId: "1", organisation: { id: "42", name: "Org" }, __provider: "old code" };
    };

    it("reports no change for equal inputs in another key order or provider code", async () => {
      const olds = await base();
      const news = await checked({
        ...args("diff_app"),
        configSchema: { properties: { a: { type: "string" } }, type: "object" },
        adopt: true,
      });
      news.__provider = "new code";
      assert.deepEqual(await app.diff("1", olds, news), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("updates in place for ordinary fields, including the name", async () => {
      const olds = await base();
      for (const change of [{ displayName: "Other" }, { name: "renamed_app" }, { dependsOn: ["x"] }]) {
        const news = await checked({ ...args("diff_app"), configSchema: olds.configSchema, ...change });
        assert.deepEqual(await app.diff("1", olds, news), { changes: true, replaces: [], deleteBeforeReplace: false });
      }
    });

    it("replaces on organisation or staging changes, deleting first when the name stays", async () => {
      const olds = await base();
      const cs = { configSchema: olds.configSchema };
      const org = await app.diff("1", olds, await checked({ ...args("diff_app"), ...cs, organisationId: "43" }));
      assert.deepEqual(org, { changes: true, replaces: ["organisationId"], deleteBeforeReplace: true });
      const same = await app.diff("1", olds, await checked({ ...args("diff_app"), ...cs, organisationId: "42" }));
      assert.equal(same.changes, false, "declaring the organisation the app is already in changes nothing");
      const staging = await app.diff("1", olds, await checked({ ...args("diff_app"), ...cs, staging: true }));
      assert.deepEqual(staging, { changes: true, replaces: ["staging"], deleteBeforeReplace: true });
      const renamed = await app.diff("1", olds, await checked({ ...args("new_name"), ...cs, organisationId: "43" }));
      assert.deepEqual(renamed, { changes: true, replaces: ["organisationId"], deleteBeforeReplace: false });
    });

    it("treats an unknown value as a change, and an unknown name as possibly the same (delete first)", async () => {
      const olds = await base();
      const d = await app.diff("1", olds, { ...olds, displayName: UNKNOWN });
      assert.equal(d.changes, true);
      const moved = await app.diff("1", olds, { ...olds, name: UNKNOWN, organisationId: "43" });
      assert.deepEqual(moved, { changes: true, replaces: ["organisationId"], deleteBeforeReplace: true });
    });
  });

  describe("create / read / update / delete", () => {
    it("creates with one POST and echoes the inputs in the outputs", async () => {
      const { id, inputs, outs } = await createApp(args("created_app", { longDescription: "Long text" }));
      assert.deepEqual(writes(emulator.current), ["POST /applications/"]);
      assert.match(id, /^\d+$/);
      assert.equal(outs.applicationId, id);
      assert.equal(outs.archived, false);
      assert.deepEqual(outs.organisation, {
        id: emulator.current.organisationId,
        name: (outs.organisation as any).name,
      });
      for (const [k, v] of Object.entries(inputs)) assert.deepEqual(outs[k], v, k);
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      assert.equal(live.body.display_name, "App created_app");
      assert.equal(live.body.long_description, "Long text");
      assert.equal(live.body.type, "PRO");
    });

    it("uploads the deployment folder, keeps only its hash in state and re-uploads on change", async () => {
      const dir = path.join(tmp, "deploy");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services: {}\n");
      const { id, inputs, outs } = await createApp(args("deploy_app", { deploymentFolder: dir }));
      assert.equal(JSON.stringify(outs).includes("deployment_data"), false);
      const hash = String(outs.deploymentHash);
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      assert.equal(deploymentHash(Buffer.from(live.body.deployment_data, "base64")), hash);

      // Same content: read reports no drift, diff no change.
      const read = await app.read(id, outs);
      assert.equal(read.props!.deploymentHash, hash);
      assert.equal(
        (await app.diff(id, read.props!, await checked(args("deploy_app", { deploymentFolder: dir })))).changes,
        false,
      );

      fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services: {web: {}}\n");
      const news = await checked(args("deploy_app", { deploymentFolder: dir }));
      assert.equal((await app.diff(id, outs, news)).changes, undefined, "an in-place update (see runtime.ts)");
      emulator.current.clearLog();
      const { outs: after } = await app.update(id, outs, news);
      assert.deepEqual(writes(emulator.current), [`PATCH /applications/${id}/`]);
      assert.equal(after.deploymentHash, news.deploymentHash);
      const live2 = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      assert.equal(deploymentHash(Buffer.from(live2.body.deployment_data, "base64")), news.deploymentHash);
      void inputs;
    });

    it("deploymentHash depends on the files, not on how zlib compressed them", async () => {
      const dir = path.join(tmp, "zlib");
      fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
      fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services:\n  web:\n    image: x\n".repeat(20));
      fs.writeFileSync(path.join(dir, "sub", "a.txt"), "hello hello hello hello\n".repeat(50));
      const { id, outs } = await createApp(args("zlib_app", { deploymentFolder: dir }));
      // Another machine whose zlib compresses differently: same files, other zip bytes.
      // The module object itself (the `import *` namespace only has getters), as the sdk sees it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const zlibModule: { deflateRawSync: typeof zlib.deflateRawSync } = require("node:zlib");
      const real = zlibModule.deflateRawSync;
      const patched = (b: zlib.InputType) => real(b, { level: 1, strategy: zlib.constants.Z_HUFFMAN_ONLY });
      zlibModule.deflateRawSync = patched as typeof real;
      let news: Record<string, unknown>;
      let other: Buffer;
      try {
        news = await checked(args("zlib_app", { deploymentFolder: dir }));
        other = deploymentZip(dir).data;
      } finally {
        zlibModule.deflateRawSync = real;
      }
      assert.notDeepEqual(other, deploymentZip(dir).data, "the zip bytes differ");
      assert.equal(news.deploymentHash, outs.deploymentHash);
      assert.equal((await app.diff(id, outs, news)).changes, false);
      assert.equal((await app.read(id, outs)).props!.deploymentHash, outs.deploymentHash);
      fs.chmodSync(path.join(dir, "sub", "a.txt"), 0o755); // not part of the archive
      assert.equal((await checked(args("zlib_app", { deploymentFolder: dir }))).deploymentHash, outs.deploymentHash);
      fs.renameSync(path.join(dir, "sub", "a.txt"), path.join(dir, "sub", "b.txt"));
      assert.notEqual((await checked(args("zlib_app", { deploymentFolder: dir }))).deploymentHash, outs.deploymentHash);
    });

    it("reads drift made outside Pulumi, and update puts the program's values back with one PATCH", async () => {
      const { id, outs } = await createApp(args("drift_app", { imageName: "org/app:1" }));
      const unchanged = await app.read(id, outs);
      assert.deepEqual(unchanged.props, outs);
      assert.equal(unchanged.inputs, undefined, "nothing drifted: the engine keeps the stored inputs");

      await emulatorFetch(emulator.current, "PATCH", `/applications/${id}/`, {
        display_name: "Changed by hand",
        image_name: null,
      });
      emulator.current.clearLog();
      const read = await app.read(id, outs);
      assert.deepEqual(
        emulator.current.log().map((e) => e.method),
        ["GET"],
        "read is one GET",
      );
      assert.equal(read.id, id);
      assert.equal(read.props!.displayName, "Changed by hand");
      assert.equal(read.props!.imageName, null);
      assert.equal(read.inputs!.displayName, "Changed by hand");
      assert.equal(read.inputs!.applicationId, undefined, "inputs hold inputs only");

      const news = await checked(args("drift_app", { imageName: "org/app:1" }));
      const d = await app.diff(id, read.props!, news);
      assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
      emulator.current.clearLog();
      const { outs: after } = await app.update(id, read.props!, news);
      assert.deepEqual(writes(emulator.current), [`PATCH /applications/${id}/`]);
      assert.equal(after.displayName, "App drift_app");
      assert.equal(after.applicationId, id, "update returns full outputs");
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      assert.equal(live.body.display_name, "App drift_app");
      assert.equal(live.body.image_name, "org/app:1");
    });

    it("update without wire changes makes no call and keeps the computed outputs", async () => {
      const { id, outs } = await createApp(args("quiet_app"));
      emulator.current.clearLog();
      const { outs: after } = await app.update(id, outs, await checked(args("quiet_app", { adopt: true })));
      assert.deepEqual(emulator.current.log(), []);
      assert.equal(after.applicationId, id);
      assert.equal(after.adopt, true);
    });

    it("clears an optional nullable field that is no longer declared", async () => {
      const { id, outs } = await createApp(args("clear_app", { iconUrl: "https://example.com/i.png" }));
      const news = await checked(args("clear_app"));
      assert.equal((await app.diff(id, outs, news)).changes, undefined, "an in-place update (see runtime.ts)");
      await app.update(id, outs, news);
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
      assert.equal(live.body.icon_url ?? null, null);
    });

    it("delete archives, read then reports it gone, and deleting again or a missing id succeeds", async () => {
      const { id, outs } = await createApp(args("doomed_app"));
      await app.delete(id, outs);
      assert.deepEqual(writes(emulator.current).slice(-1), [`POST /applications/${id}/archive/`]);
      assert.deepEqual(await app.read(id, outs), { id: "" });
      await app.delete(id, outs);
      await app.delete("999999999999999999", outs);
      assert.deepEqual(await app.read("999999999999999999", outs), { id: "" });
    });
  });

  describe("names, adopt and recovery", () => {
    it("after destroy, creating the same name looks it up (no POST), then unarchives the same app and says so", async () => {
      const first = await createApp(args("phoenix_app"));
      await app.delete(first.id, first.outs);
      emulator.current.clearLog();
      const printed = await capturingStderr(() => createApp(args("phoenix_app", { displayName: "Back again" })));
      const again = printed.result;
      assert.equal(again.id, first.id);
      assert.equal(again.outs.archived, false);
      assert.equal(again.outs.displayName, "Back again");
      assert.deepEqual(calls(emulator.current), [
        "GET /applications/ 200",
        `POST /applications/${first.id}/unarchive/ 200`,
        `PATCH /applications/${first.id}/ 200`,
      ]);
      assert.match(
        printed.lines.join("\n"),
        new RegExp(`took over the existing application "phoenix_app" \\(id ${first.id}\\).*unarchived`),
      );
    });

    it("a create is one lookup and one POST; 20 creates are 20 GETs and 20 POSTs", async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => createApp(args(`bulk_app_${i}`))));
      assert.deepEqual([...new Set(calls(emulator.current))].sort(), [
        "GET /applications/ 200",
        "POST /applications/ 201",
      ]);
      assert.equal(emulator.current.log().length, 40);
    });

    it("refuses a live name without adopt, with an error that says how", async () => {
      const outside = await emulatorFetch(
        emulator.current,
        "POST",
        "/applications/",
        applicationBody(emulator.current, "outside_app", { display_name: "Made by hand" }),
      );
      assert.equal(outside.status, 201);
      await assert.rejects(createApp(args("outside_app")), (e: any) => {
        assert.equal(e.code, "DooverProviderError");
        assert.match(e.message, /already exists.*adopt: true/s);
        return true;
      });
      const adopted = await createApp(args("outside_app", { adopt: true }));
      assert.equal(adopted.id, String(outside.body.id));
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${adopted.id}/`);
      assert.equal(live.body.display_name, "App outside_app");
      const all = await emulatorFetch(emulator.current, "GET", "/applications/?name=outside_app");
      assert.equal(all.body.count, 1);
    });

    it("an ambiguous create (committed, then 503) leaves exactly one app", async () => {
      emulator.current.addFault({ method: "POST", path: "/applications/", status: 503, afterCommit: true });
      const { id } = await createApp(args("ambiguous_app"));
      const all = await emulatorFetch(emulator.current, "GET", "/applications/?name=ambiguous_app");
      assert.equal(all.body.count, 1);
      assert.equal(String(all.body.results[0].id), id);
      assert.equal(emulator.current.log().filter((e) => e.method === "POST").length, 1, "nothing re-sent");
    });

    it("never puts the token in an error", async () => {
      runtime.configure(stackConfig(emulatorConfig(emulator.current, { "doover:token": "wrong-secret-token" })));
      await assert.rejects(createApp(args("denied_app")), (e: any) => {
        assert.equal(e.code, "DooverProviderError");
        assert.equal(String(e.message).includes("wrong-secret-token"), false);
        assert.equal(JSON.stringify(e).includes("wrong-secret-token"), false);
        return true;
      });
    });

    it("with no organisation anywhere, sends organisation_id null and says how to set one", async () => {
      const e = emulator.current;
      runtime.configure(stackConfig({ "doover:token": e.token, "doover:apiUrl": e.url }));
      const saved = process.env.DOOVER_ORGANISATION_ID;
      delete process.env.DOOVER_ORGANISATION_ID;
      runtime.environmentChanged();
      try {
        await assert.rejects(createApp(args("orgless_app")), (err: any) => {
          // The API's own answer (the organisation header is what it falls back on), plus our hint.
          assert.match(err.message, /401 Unauthorized: POST \/applications\/ — X-Doover-Organisation header missing/);
          assert.match(err.message, /set `doover:organisationId` in stack config or `organisationId` on the resource/);
          return true;
        });
      } finally {
        if (saved !== undefined) process.env.DOOVER_ORGANISATION_ID = saved;
        runtime.environmentChanged();
      }
      assert.deepEqual(writes(e), ["POST /applications/"], "one POST, nothing created");
      assert.equal((await emulatorFetch(e, "GET", "/applications/?name=orgless_app")).body.count, 0);
    });

    it("doover:profile picks a profile of the Doover config file", async () => {
      const file = path.join(tmp, "doover-config");
      const e = emulator.current;
      fs.writeFileSync(
        file,
        `[profile=other]\nTOKEN=nope\n\n[profile=emu]\nTOKEN=${e.token}\nBASE_URL=${e.url}\n` +
          `ORGANISATION_ID=${e.organisationId}\n`,
      );
      const saved = process.env.DOOVER_CONFIG;
      process.env.DOOVER_CONFIG = file;
      try {
        runtime.configure(stackConfig({ "doover:profile": "emu" }));
        const { id } = await createApp(args("profile_app"));
        assert.equal((await emulatorFetch(e, "GET", `/applications/${id}/`)).body.name, "profile_app");
      } finally {
        if (saved === undefined) delete process.env.DOOVER_CONFIG;
        else process.env.DOOVER_CONFIG = saved;
      }
    });

    it("without configure, falls back to the environment", async () => {
      runtime.resetConfiguration();
      const saved = { ...process.env };
      Object.assign(process.env, {
        DOOVER_API_TOKEN: emulator.current.token,
        DOOVER_CONTROL_API_BASE_URL: emulator.current.url,
        DOOVER_ORGANISATION_ID: emulator.current.organisationId,
        DOOVER_CONFIG: path.join(tmp, "no-config"),
      });
      try {
        const { id } = await createApp(args("env_app"));
        assert.match(id, /^\d+$/);
      } finally {
        for (const k of [
          "DOOVER_API_TOKEN",
          "DOOVER_CONTROL_API_BASE_URL",
          "DOOVER_ORGANISATION_ID",
          "DOOVER_CONFIG",
        ]) {
          if (saved[k] === undefined) delete process.env[k];
          else process.env[k] = saved[k];
        }
      }
    });
  });

  describe("staging", () => {
    let staging: Emulator;
    before(async () => {
      staging = await startTestEmulator({ token: "staging-token" });
    });
    after(() => staging.close());
    beforeEach(() => staging.reset());

    const stagingArgs = (s: Emulator) =>
      args("variant_app", {
        imageName: "org/app:prod",
        stagingConfig: { image_name: "org/app:staging", organisation_id: s.organisationId },
      });

    it("staging: true sends the app to the staging API with stagingConfig overlaid", async () => {
      runtime.configure(
        stackConfig(
          emulatorConfig(emulator.current, {
            "doover:stagingApiUrl": staging.url,
            "doover:stagingToken": staging.token,
          }),
        ),
      );
      const { id, outs } = await createApp({
        ...stagingArgs(staging),
        organisationId: emulator.current.organisationId, // production's; the overlay names staging's
        staging: true,
      });
      assert.notEqual(staging.organisationId, emulator.current.organisationId);
      assert.deepEqual(writes(emulator.current), [], "production untouched");
      const live = await emulatorFetch(staging, "GET", `/applications/${id}/`);
      assert.equal(live.body.image_name, "org/app:staging");
      assert.equal(outs.imageName, "org/app:prod", "outputs keep the declared inputs");
      // The overlay is what read compares against: no phantom drift.
      const read = await app.read(id, outs);
      assert.deepEqual(read.props, outs);
      // Drift on an overlaid field lands in stagingConfig.
      await emulatorFetch(staging, "PATCH", `/applications/${id}/`, { image_name: "org/app:hand" });
      const drifted = await app.read(id, outs);
      assert.equal((drifted.props!.stagingConfig as any).image_name, "org/app:hand");
      assert.equal(drifted.props!.imageName, "org/app:prod");
      await app.delete(id, outs);
      assert.equal((await emulatorFetch(staging, "GET", `/applications/${id}/`)).body.archived, true);
    });

    it("a staging stack (doover:staging) overlays stagingConfig for every app", async () => {
      runtime.configure(stackConfig({ ...emulatorConfig(staging), "doover:staging": "true" }));
      const { id } = await createApp(stagingArgs(staging));
      const live = await emulatorFetch(staging, "GET", `/applications/${id}/`);
      assert.equal(live.body.image_name, "org/app:staging");
    });

    it("stagingConfig.id names the staging app to update (doover-cli semantics)", async () => {
      const existing = await emulatorFetch(staging, "POST", "/applications/", {
        name: "old_staging_name",
        display_name: "Old",
        description: "d",
        type: "PRO",
        visibility: "PRI",
        depends_on: [],
        organisation_id: staging.organisationId,
        container_registry_profile_id: null,
      });
      runtime.configure(stackConfig({ ...emulatorConfig(staging), "doover:staging": true }));
      const { id } = await createApp({
        ...args("variant_app"),
        stagingConfig: { id: String(existing.body.id), name: "variant_app_staging" },
      });
      assert.equal(id, String(existing.body.id));
      const live = await emulatorFetch(staging, "GET", `/applications/${id}/`);
      assert.equal(live.body.name, "variant_app_staging");
      assert.equal(live.body.display_name, "App variant_app");
    });
  });
  describe("organisations (two in one emulator)", () => {
    let two: Emulator;
    let org1: string;
    let registry: string;
    const org2 = "990000000000000001";

    before(async () => {
      // The emulator seeds one organisation; add a second to its state file and start it again.
      const statePath = path.join(tmp, "two-orgs.json");
      await (await startTestEmulator({ statePath })).close();
      const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
      for (const part of [state.seed, state.data]) {
        const first = part.organisations[0];
        part.organisations.push({ ...first, id: org2, name: "Second Organisation" });
      }
      registry = String(state.data.registries[0].id);
      fs.writeFileSync(statePath, JSON.stringify(state));
      two = await startTestEmulator({ statePath });
      org1 = two.organisationId;
    });
    after(() => two.close());
    beforeEach(() => {
      two.reset();
      runtime.configure(stackConfig(emulatorConfig(two)));
    });

    const outsideApp = async (name: string, archived: boolean) => {
      const made = await emulatorFetch(two, "POST", "/applications/", {
        name,
        display_name: "Hand made",
        description: "d",
        type: "PRO",
        visibility: "PRI",
        depends_on: [],
        organisation_id: org1,
        container_registry_profile_id: null,
      });
      assert.equal(made.status, 201);
      if (archived) await emulatorFetch(two, "POST", `/applications/${made.body.id}/archive/`, {});
      return String(made.body.id);
    };

    it("changing organisationId replaces: the app it archived is renamed to free the name", async () => {
      const first = await createApp(args("moving_app", { organisationId: org1 }));
      const news = await checked(args("moving_app", { organisationId: org2 }));
      const d = await app.diff(first.id, first.outs, news);
      assert.deepEqual(d, { changes: true, replaces: ["organisationId"], deleteBeforeReplace: true });
      // The engine's delete-before-replace: delete, then create, in the same provider process.
      await app.delete(first.id, first.outs);
      const second = await app.create(news);
      assert.notEqual(second.id, first.id);
      assert.equal((second.outs.organisation as { id: string }).id, org2);
      const old = await emulatorFetch(two, "GET", `/applications/${first.id}/`);
      assert.equal(old.body.name, `moving_app_archived_${first.id}`);
      assert.equal(old.body.archived, true);
    });

    it("never renames an archived app it did not archive itself; the error says what to do", async () => {
      const id = await outsideApp("foreign_app", true);
      for (const extra of [{}, { adopt: true }]) {
        await assert.rejects(createApp(args("foreign_app", { organisationId: org2, ...extra })), (e: any) => {
          assert.equal(e.code, "DooverProviderError");
          assert.match(e.message, new RegExp(`"foreign_app".*archived application ${id}.*organisation ${org1}`));
          assert.match(e.message, /another `name`.*organisationId/s);
          return true;
        });
      }
      const live = await emulatorFetch(two, "GET", `/applications/${id}/`);
      assert.equal(live.body.name, "foreign_app");
      assert.equal(live.body.archived, true);
      const done = two
        .log()
        .filter((e) => e.method !== "GET" && e.status !== 409)
        .map((e) => `${e.method} ${e.path}`);
      assert.deepEqual(done.slice(-1), [`POST /applications/${id}/archive/`], "nothing written after");
      // In its own organisation it simply comes back.
      const back = await createApp(args("foreign_app", { organisationId: org1 }));
      assert.equal(back.id, id);
    });

    it("adopt never moves a live app to another organisation", async () => {
      const id = await outsideApp("live_app", false);
      await assert.rejects(
        createApp(args("live_app", { organisationId: org2, adopt: true })),
        new RegExp(`application ${id} in organisation ${org1}.*organisationId to ${org1} to adopt it there`),
      );
      runtime.configure(stackConfig(emulatorConfig(two, { "doover:organisationId": org2 })));
      const adopted = await createApp(args("live_app", { adopt: true })); // organisation left unmanaged
      assert.equal(adopted.id, id);
      assert.equal((adopted.outs.organisation as { id: string }).id, org1);
    });

    it("adopt changes only declared fields: an undeclared registry profile stays", async () => {
      const id = await outsideApp("registry_app", false);
      await emulatorFetch(two, "PATCH", `/applications/${id}/`, { container_registry_profile_id: registry });
      const adopted = await createApp(args("registry_app", { adopt: true }));
      assert.equal(adopted.id, id);
      const live = await emulatorFetch(two, "GET", `/applications/${id}/`);
      assert.equal(String(live.body.container_registry_profile?.id), registry);
      assert.equal(live.body.display_name, "App registry_app");
      assert.deepEqual((await app.read(id, adopted.outs)).props, adopted.outs, "no drift after adopt");
    });
  });
});
