// The real Doover clients next to this package, both directions, against the emulator:
// doover-cli (`doover app …`, `doover device tunnels …`, `doover app publish`) and pydoover's
// ControlClient from PyPI (scripts/ensure-python-clients.sh, cached venv), a ~/.doover/config
// profile in a temporary HOME, the real Pulumi engine for DooverApplication/DooverTunnel.
// Python missing: fails (a skip would hide it).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DooverApplication, DooverTunnel } from "../../provider";
import { Application, Client } from "../../sdk";
import { distinctiveToken, writes } from "../e2e/helpers";
import { type Emulator, startTestEmulator } from "../support/emulator";
import { changes } from "../support/pulumi";
import { DooverHome, profileClient, requirePythonClients, useRealClients } from "./python-clients";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("real clients: doover-cli 0.7.1 and pydoover 1.18.3 from PyPI against the emulator", function () {
  this.timeout(300_000);
  const suite = useRealClients({ token: distinctiveToken("real-clients") });
  const engine = suite.engine;
  let emulator: Emulator;
  let home: DooverHome;
  /** The package's own client, reading the same ~/.doover/config profile as the Python clients. */
  let sdk: Client;
  before(() => {
    ({ emulator, home } = suite);
    sdk = profileClient(home, emulator);
  });

  it("the package's profile reader and both Python clients agree on the same ~/.doover/config", async function () {
    assert.equal(sdk.baseUrl, emulator.url);
    const orgs = await home.pydoover("result = [o.id for o in client.organisations.list().results]");
    assert.deepEqual(orgs, [emulator.organisationId]);
    const listed = await home.dooverJson(["app", "list"]);
    assert.equal(listed.count, 0);
    assert.ok(emulator.log().length >= 2, "both clients called the emulator");
  });

  it("an application and a tunnel made by `pulumi up` are read and updated by doover-cli and pydoover", async function () {
    const sb = await engine.call(this);
    const [d1] = emulator.deviceIds;
    const program = (displayName: string) => async () => {
      const app = new DooverApplication("made", {
        name: "made_by_pulumi",
        displayName,
        type: "processor",
        visibility: "private",
        description: "Made by a Pulumi program.",
        configSchema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {} },
        lambdaConfig: { Runtime: "python3.13", Timeout: 60 },
      });
      const tunnel = new DooverTunnel("ssh", {
        deviceId: d1,
        name: "pulumi-ssh",
        hostname: "192.168.1.10",
        port: 22,
        protocol: "tcp",
      });
      return { appId: app.applicationId, tunnelId: tunnel.tunnelId };
    };
    const s = await sb.stack({ stackName: "made", program: program("Made by Pulumi"), api: emulator });
    const up = await s.up();
    const appId = String(up.outputs.appId);
    const tunnelId = String(up.outputs.tunnelId);

    // doover-cli reads it: list with the spec's filters, get by id
    const listed = await home.dooverJson([
      "app",
      "list",
      "--name-icontains",
      "MADE_BY",
      "--stars-gte",
      "0",
      "--type",
      "PRO",
    ]);
    assert.equal(listed.count, 1);
    assert.equal(String(listed.results[0].id), appId);
    const got = await home.dooverJson(["app", "get", appId]);
    assert.equal(got.display_name, "Made by Pulumi");
    assert.equal(got.type, "PRO");
    assert.deepEqual(got.lambda_config, { Runtime: "python3.13", Timeout: 60 });

    // pydoover reads both objects
    const py = await home.pydoover(
      [
        "a = client.applications.retrieve(args['app'])",
        "t = client.tunnels.retrieve(args['tunnel'])",
        "page = client.devices.tunnels_list(args['device'], search='pulumi')",
        "mine = client.applications.list(organisation=args['org'], organisation__isnull=False, name='made_by_pulumi')",
        "result = {'name': a.name, 'visibility': a.visibility, 'tunnel': t.name, 'port': t.port,",
        "          'listed': [x.id for x in page.results], 'mine': [x.id for x in mine.results]}",
      ].join("\n"),
      { app: appId, tunnel: tunnelId, device: d1, org: emulator.organisationId },
    );
    assert.deepEqual(py, {
      name: "made_by_pulumi",
      visibility: "PRI",
      tunnel: "pulumi-ssh",
      port: 22,
      listed: [tunnelId],
      mine: [appId],
    });

    // doover-cli changes it outside the stack; the package sees it and `up` puts the program's value back
    const updated = await home.dooverJson(["app", "update", appId, "--display-name", "Renamed by doover-cli"]);
    assert.equal(updated.display_name, "Renamed by doover-cli");
    assert.equal((await sdk.getApplication(appId)).displayName, "Renamed by doover-cli");
    await s.refresh();
    assert.deepEqual(changes(await s.preview()), ["update made"], "the outside change shows as drift");
    await s.up();
    assert.equal((await home.dooverJson(["app", "get", "made_by_pulumi"])).display_name, "Made by Pulumi");
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  it("doover device tunnels list/activate/deactivate work on a tunnel made by this package", async function () {
    const [d1] = emulator.deviceIds;
    const made = await sdk.createTunnel({
      deviceId: d1,
      name: "sdk-web",
      hostname: "127.0.0.1",
      port: 8080,
      protocol: "http",
    });
    const listed = await home.dooverJson(["device", "tunnels", "list", d1]);
    assert.deepEqual(
      listed.results.map((t: { id: string; name: string }) => [String(t.id), t.name]),
      [[made.id, "sdk-web"]],
    );
    const on = await home.dooverJson(["device", "tunnels", "activate", d1, "sdk-web"]);
    assert.equal(on.is_active, true);
    assert.equal((await sdk.getTunnel(made.id)).is_active, true);
    const off = await home.dooverJson(["device", "tunnels", "deactivate", "emulated_device_1", made.id]);
    assert.equal(off.is_active, false);
    assert.equal((await sdk.getTunnel(made.id)).is_active, false);
    const got = await home.dooverJson(["device", "tunnels", "get", d1, "sdk-web"]);
    assert.equal(got.port, 8080);
  });

  it("pydoover patches what the sdk Client made; the sdk reads the patch", async function () {
    const init = {
      name: "sdk_made_app",
      displayName: "SDK Made",
      type: "DEV",
      visibility: "PRI",
      description: "Made with the sdk Client.",
      organisationId: emulator.organisationId,
      imageName: "ghcr.io/example/sdk:1",
    };
    const id = await sdk.createApplication(new Application(init));
    await sdk.createApplication(new Application({ ...init, name: "sdk_starry_app", stars: 5 }));
    const [, d2] = emulator.deviceIds;
    const tunnel = await sdk.createTunnel({
      deviceId: d2,
      name: "sdk-rtsp",
      hostname: "10.1.1.1",
      port: 554,
      protocol: "rtsp",
    });
    const py = await home.pydoover(
      [
        "a = client.applications.partial(args['app'], body={'description': 'Patched by pydoover', 'stars': 3})",
        "t = client.tunnels.partial(args['tunnel'], body={'port': 8554})",
        "starred = client.applications.list(stars__gt=2, stars__lt=4)",
        "result = {'image': a.image_name, 'port': t.port, 'starred': [x.name for x in starred.results]}",
      ].join("\n"),
      { app: id, tunnel: tunnel.id },
    );
    assert.deepEqual(
      py,
      { image: "ghcr.io/example/sdk:1", port: 8554, starred: ["sdk_made_app"] },
      "stars filters applied",
    );
    const back = await sdk.getApplication(id);
    assert.equal(back.description, "Patched by pydoover");
    assert.equal(back.imageName, "ghcr.io/example/sdk:1", "untouched fields stay");
    assert.equal((await sdk.getTunnel(tunnel.id)).port, 8554);
  });

  it("apps published by `doover app publish` (DEV with artwork and widget, PRO with processor_source) are read, adopted and updated by DooverApplication", async function () {
    const org = emulator.organisationId;
    const dir = fs.mkdtempSync(path.join(home.dir, "publish-"));
    const files = {
      icon: Buffer.from("\x89PNG\r\n\x1a\nicon", "binary"),
      banner: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"),
      widget: Buffer.from("export default function Widget() { return null; }"),
      package: Buffer.concat([Buffer.from("PK\x03\x04", "binary"), Buffer.alloc(512, 1)]),
    };
    const devDir = path.join(dir, "dev");
    const proDir = path.join(dir, "pro");
    fs.mkdirSync(devDir);
    fs.mkdirSync(proDir);
    fs.writeFileSync(path.join(devDir, "icon.png"), files.icon);
    fs.writeFileSync(path.join(devDir, "banner.svg"), files.banner);
    fs.writeFileSync(path.join(devDir, "widget.js"), files.widget);
    fs.writeFileSync(path.join(proDir, "package.zip"), files.package);
    const entry = (name: string, extra: Record<string, unknown>) => ({
      [name]: {
        name,
        display_name: `Published ${name}`,
        visibility: "PRI",
        description: "Published with doover-cli.",
        depends_on: [],
        organisation_id: org,
        container_registry_profile_id: null,
        ...extra,
      },
    });
    fs.writeFileSync(
      path.join(devDir, "doover_config.json"),
      JSON.stringify(
        entry("published_dev", {
          type: "DEV",
          image_name: "ghcr.io/example/published-dev:main",
          icon: "icon.png",
          banner: "banner.svg",
          widget: "widget.js",
          config_schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {} },
        }),
        null,
        2,
      ),
    );
    fs.writeFileSync(
      path.join(proDir, "doover_config.json"),
      JSON.stringify(
        entry("published_pro", { type: "PRO", lambda_config: { Runtime: "python3.13", Timeout: 300 } }),
        null,
        2,
      ),
    );
    const publish = [
      "app",
      "publish",
      ".",
      "--no-export-config",
      "--no-export-ui",
      "--no-export-notifications",
      "--no-release",
    ];
    await home.doover([...publish, "--no-build-widget"], { cwd: devDir });
    await home.doover([...publish, "--no-build-package"], { cwd: proDir });

    const published = Object.fromEntries((await sdk.getApplications({})).map((a) => [a.name, a]));
    assert.deepEqual(Object.keys(published).sort(), ["published_dev", "published_pro"]);
    assert.equal(published.published_pro.type, "PRO");
    assert.deepEqual(published.published_pro.lambda_config, { Runtime: "python3.13", Timeout: 300 });
    const uploads = () =>
      emulator
        .uploads()
        .map((u) => `${u.application_name} ${u.kind} ${u.size} ${u.sha256}`)
        .sort();
    const expected = [
      `published_dev banner ${files.banner.length} ${sha256(files.banner)}`,
      `published_dev icon ${files.icon.length} ${sha256(files.icon)}`,
      `published_dev widget ${files.widget.length} ${sha256(files.widget)}`,
      `published_pro processor_source ${files.package.length} ${sha256(files.package)}`,
    ];
    assert.deepEqual(uploads(), expected);

    const sb = await engine.call(this);
    const program = async () => {
      const dev = new DooverApplication("dev", {
        name: "published_dev",
        displayName: "Managed by Pulumi",
        type: "device",
        visibility: "private",
        description: "Adopted from doover app publish.",
        imageName: "ghcr.io/example/published-dev:v2",
        configSchema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {} },
        adopt: true,
      });
      const pro = new DooverApplication("pro", {
        name: "published_pro",
        displayName: "Managed processor",
        type: "processor",
        visibility: "private",
        description: "Adopted from doover app publish.",
        lambdaConfig: { Runtime: "python3.13", Timeout: 120 },
        adopt: true,
      });
      return { dev: dev.applicationId, pro: pro.applicationId };
    };
    const s = await sb.stack({ stackName: "adopt-published", program, api: emulator });
    emulator.clearLog();
    const up = await s.up();
    assert.deepEqual(changes(up), ["create dev", "create pro"]);
    assert.equal(up.outputs.dev, published.published_dev.id, "adopted, not re-created");
    assert.equal(up.outputs.pro, published.published_pro.id, "adopted, not re-created");
    assert.ok(!writes(emulator).includes("POST /applications/"), `writes: ${writes(emulator)}`);
    assert.equal((await sdk.getApplications({})).length, 2, "no duplicate");

    const dev = await home.dooverJson(["app", "get", "published_dev"]);
    assert.equal(dev.display_name, "Managed by Pulumi");
    assert.equal(dev.image_name, "ghcr.io/example/published-dev:v2");
    const pro = await home.pydoover("result = client.applications.retrieve(args['id']).to_dict()", {
      id: up.outputs.pro,
    });
    assert.equal(pro.description, "Adopted from doover app publish.");
    assert.deepEqual(pro.lambda_config, { Runtime: "python3.13", Timeout: 120 });
    assert.deepEqual(uploads(), expected, "uploaded artwork, widget and package survive the adoption");
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  /**
   * A DEV app folder for `doover app publish` (icon + widget uploads), its doover_config.json without an
   * `id` (doover-cli then POSTs and lets the control plane upsert on the name).
   */
  function publishable(emu: Emulator, name: string, extra: Record<string, unknown> = {}) {
    const dir = fs.mkdtempSync(path.join(home.dir, `${name}-`));
    const files = {
      icon: Buffer.from(`\x89PNG\r\n\x1a\n${name}`, "binary"),
      widget: Buffer.from(`export default function ${name}() { return null; }`),
    };
    fs.writeFileSync(path.join(dir, "icon.png"), files.icon);
    fs.writeFileSync(path.join(dir, "widget.js"), files.widget);
    const write = (more: Record<string, unknown>) =>
      fs.writeFileSync(
        path.join(dir, "doover_config.json"),
        JSON.stringify(
          {
            [name]: {
              name,
              display_name: "First publish",
              type: "DEV",
              visibility: "PRI",
              description: "Published twice with doover-cli.",
              depends_on: [],
              organisation_id: emu.organisationId,
              container_registry_profile_id: null,
              image_name: "ghcr.io/example/twice:v1",
              icon: "icon.png",
              widget: "widget.js",
              ...extra,
              ...more,
            },
          },
          null,
          2,
        ),
      );
    write({});
    const uploads = () =>
      emu
        .uploads()
        .filter((u) => u.application_name === name)
        .map((u) => `${u.kind} ${u.size} ${u.sha256}`)
        .sort();
    const expected = [
      `icon ${files.icon.length} ${sha256(files.icon)}`,
      `widget ${files.widget.length} ${sha256(files.widget)}`,
    ].sort();
    return { dir, write, uploads, expected };
  }

  const PUBLISH = ["app", "publish", ".", "--no-export-config", "--no-export-ui", "--no-export-notifications"];
  const publishArgs = [...PUBLISH, "--no-release", "--no-build-widget"];

  /** A DooverApplication adopting `name` (pinned to `id`), with values of its own. */
  const adopting = (name: string, id: string) => async () => {
    const app = new DooverApplication("published", {
      name,
      displayName: "Managed by Pulumi",
      type: "device",
      visibility: "private",
      description: "Taken over from doover app publish.",
      imageName: "ghcr.io/example/twice:v3",
      adopt: id,
    });
    return { id: app.applicationId };
  };

  it("`doover app publish` twice without an id upserts one app; a DooverApplication then takes it over with adopt and updates it (no duplicate, uploads intact)", async function () {
    const pub = publishable(emulator, "twice_published");
    await home.doover(publishArgs, { cwd: pub.dir });
    const first = await sdk.applications.findByName("twice_published");
    assert.ok(first, "the first publish created it");
    // The second publish: doover-cli lists the name, drops create-only fields the cloud has, POSTs the rest.
    pub.write({ display_name: "Second publish", image_name: "ghcr.io/example/twice:v2" });
    const out = await home.doover(publishArgs, { cwd: pub.dir });
    assert.match(out, /display_name: keeping 'First publish' from the cloud/);
    const all = (await sdk.getApplications({})).filter((a) => a.name === "twice_published");
    assert.equal(all.length, 1, "no duplicate");
    assert.equal(all[0].id, first.id, "the same application, updated");
    assert.equal(all[0].image_name, "ghcr.io/example/twice:v2");
    assert.equal(all[0].display_name, "First publish", "a create-only field keeps the cloud's value");
    assert.deepEqual(
      emulator.upserts().map((u) => [u.kind, u.id, u.fields.includes("display_name")]),
      [["application", first.id, false]],
      "the second publish was the upsert, without the create-only fields",
    );
    assert.deepEqual(pub.uploads(), pub.expected);

    const sb = await engine.call(this);
    const s = await sb.stack({
      stackName: "adopt-upserted",
      program: adopting("twice_published", first.id),
      api: emulator,
    });
    emulator.clearLog();
    const up = await s.up();
    assert.deepEqual(changes(up), ["create published"]);
    assert.equal(String(up.outputs.id), first.id, "taken over, not re-created");
    assert.ok(!writes(emulator).includes("POST /applications/"), `writes: ${writes(emulator)}`);
    assert.equal(emulator.upserts().length, 1, "no overwrite by the package");
    const got = await home.dooverJson(["app", "get", "twice_published"]);
    assert.deepEqual(
      [got.display_name, got.image_name, got.description],
      ["Managed by Pulumi", "ghcr.io/example/twice:v3", "Taken over from doover app publish."],
    );
    assert.equal((await sdk.getApplications({})).filter((a) => a.name === "twice_published").length, 1);
    assert.deepEqual(pub.uploads(), pub.expected, "icon and widget survive the take-over");
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });

  describe("the same against a server that answers a taken name with 409 (--post-conflict)", function () {
    let conflicting: Emulator;
    let conflictHome: DooverHome;
    before(async function () {
      const clients = requirePythonClients();
      conflicting = await startTestEmulator({ token: distinctiveToken("real-clients-409"), postConflict: true });
      conflictHome = new DooverHome(clients, conflicting);
    });
    after(async () => {
      conflictHome?.dispose();
      await conflicting?.close();
    });

    it("doover-cli's second publish is refused (it needs an upserting server); a DooverApplication takes the app over, no duplicate, uploads intact", async function () {
      const pub = publishable(conflicting, "conflict_published");
      await conflictHome.doover(publishArgs, { cwd: pub.dir });
      const c = new Client({
        configPath: conflictHome.configPath,
        profile: "default",
        env: {},
        organisationId: conflicting.organisationId,
      });
      const first = await c.applications.findByName("conflict_published");
      assert.ok(first);
      pub.write({ image_name: "ghcr.io/example/twice:v2" });
      // Its partial body (create-only fields dropped) meets a create's validation: what issue 15 reproduced.
      await assert.rejects(
        conflictHome.doover(publishArgs, { cwd: pub.dir }),
        /HTTP 400 .*display_name: This field is required/,
      );
      assert.equal((await c.applications.retrieve(first.id)).image_name, "ghcr.io/example/twice:v1", "unchanged");

      const sb = await engine.call(this);
      const s = await sb.stack({
        stackName: "adopt-409",
        program: adopting("conflict_published", first.id),
        api: conflicting,
      });
      conflicting.clearLog();
      const up = await s.up();
      assert.equal(String(up.outputs.id), first.id);
      assert.ok(!writes(conflicting).includes("POST /applications/"), `writes: ${writes(conflicting)}`);
      assert.ok(
        conflicting.log().every((e) => e.status !== 409),
        "the package never POSTed over the name",
      );
      assert.equal((await c.getApplications({})).filter((a) => a.name === "conflict_published").length, 1);
      assert.equal((await c.applications.retrieve(first.id)).image_name, "ghcr.io/example/twice:v3");
      assert.deepEqual(pub.uploads(), pub.expected);
      assert.deepEqual(conflicting.upserts(), []);
    });
  });
});
