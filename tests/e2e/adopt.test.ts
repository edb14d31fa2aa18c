// `adopt` on the real engine. Issue 4 test 7: `adopt: true` takes over an app created outside Pulumi;
// without it the error says how (run under both ways a server answers a POST on a taken name: upsert and
// 409). Issue 16 §3: adopt is not a standing instruction (preview names the object, `up` warns to remove
// it, a stack that took an object over does not destroy it while adopt is set, handing an object between
// stacks). Issue 16 §4: the `import` resource option takes the object over.
import assert from "node:assert/strict";
import { DooverAppInstall, DooverApplication, DooverTunnel } from "../../provider";
import { applicationBody, type Emulator, type EmulatorOptions, emulatorFetch } from "../support/emulator";
import { changes, type EngineSandbox, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken, writes } from "./helpers";

function program(adopt: boolean) {
  return async () => {
    const app = new DooverApplication("existing", {
      name: "e2e_made_by_hand",
      displayName: "Managed by Pulumi now",
      type: "processor",
      visibility: "private",
      description: "Created in the UI, then adopted.",
      adopt,
    });
    return { id: app.applicationId };
  };
}

/** One app named `e2e_renamed` under resource name `resource`, optionally adopting. */
function renamed(resource: string, opts: { adopt?: boolean; aliases?: string[]; appName?: string } = {}) {
  return async () => {
    const app = new DooverApplication(
      resource,
      {
        name: opts.appName ?? "e2e_renamed",
        displayName: "Renamed in the program",
        type: "processor",
        visibility: "private",
        description: "The resource is renamed; the app is the same.",
        adopt: opts.adopt ?? false,
      },
      opts.aliases ? { aliases: opts.aliases.map((name) => ({ name })) } : {},
    );
    return { id: app.applicationId };
  };
}

const MODES: { label: string; opts: EmulatorOptions }[] = [
  { label: "upsert", opts: {} },
  { label: "409", opts: { postConflict: true } },
];

for (const mode of MODES)
  describe(`e2e adopt (real Pulumi engine + emulator answering a taken name with ${mode.label})`, function () {
    this.timeout(180_000);
    const engine = useEngineSandbox({ token: distinctiveToken("adopt"), ...mode.opts });
    let sandbox: EngineSandbox;
    let emulator: Emulator;

    before(async () => {
      ({ sandbox, emulator } = engine);
    });

    it("7. fails with a hint about adopt, then takes the app over with adopt: true", async () => {
      const made = await emulatorFetch(
        emulator,
        "POST",
        "/applications/",
        applicationBody(emulator, "e2e_made_by_hand"),
      );
      assert.equal(made.status, 201);
      const existingId = String(made.body.id);
      emulator.clearLog();

      const s = await sandbox.stack({ stackName: "adopt", program: program(false), api: emulator });
      await assert.rejects(s.up(), (err: Error) => {
        assert.match(err.message, /e2e_made_by_hand/);
        assert.match(err.message, /adopt/);
        return true;
      });
      assert.equal(Object.keys(await s.resources()).length, 0, "nothing recorded in state");
      const apps = await emulatorFetch(emulator, "GET", "/applications/?name=e2e_made_by_hand");
      assert.equal(apps.body.count, 1, "no duplicate was created");
      assert.deepEqual(writes(emulator), [], "nothing written: not even a POST the server could take for an update");
      assert.deepEqual(emulator.upserts(), []);

      emulator.clearLog();
      s.setProgram(program(true));
      const up = await s.up();
      assert.deepEqual(changes(up), ["create existing"]);
      assert.equal(up.outputs.id, existingId, "adopted, not re-created");
      assert.ok(!writes(emulator).includes("POST /applications/"), `writes: ${writes(emulator)}`);
      const app = await emulatorFetch(emulator, "GET", `/applications/${existingId}/`);
      assert.equal(app.body.display_name, "Managed by Pulumi now", "program values applied");
      assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    });

    it("issue 7.1 rename trap: rename without alias → the error's advice (adopt) → the app stays live", async () => {
      const s = await sandbox.stack({ stackName: "rename-adopt", program: renamed("old-name"), api: emulator });
      const first = await s.up();
      const id = String(first.outputs.id);

      s.setProgram(renamed("new-name"));
      await assert.rejects(s.up(), (err: Error) => {
        assert.match(err.message, /application "e2e_renamed" already exists/);
        assert.match(err.message, /aliases: \[\{ name: "<old name>" \}\]/);
        assert.match(err.message, /adopt: true/);
        assert.match(err.message, /doover:adoptExisting=true/);
        return true;
      });

      // Follow the advice for "the object is managed elsewhere": adopt. The old resource's delete must
      // not archive the app the new resource now manages.
      emulator.clearLog();
      s.setProgram(renamed("new-name", { adopt: true }));
      const up = await s.up();
      assert.deepEqual(changes(up), ["create new-name", "delete old-name"]);
      assert.equal(String(up.outputs.id), id, "the same app, adopted");
      assert.ok(!writes(emulator).some((w) => w.includes("/archive/")), `writes: ${writes(emulator)}`);
      assert.match(up.stdout, /not deleting application "e2e_renamed"/);
      const live = await emulatorFetch(emulator, "GET", `/applications/${id}/`);
      assert.equal(live.body.archived, false, "the app stays live");
      const refreshed = await s.refresh();
      assert.equal(refreshed.changeSummary.delete ?? 0, 0, "refresh finds it where state says");
      assert.equal((await s.resources())["new-name"]?.id, id);
      assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    });

    it("issue 7.1 rename with the alias the error suggests: no change at all", async () => {
      const s = await sandbox.stack({
        stackName: "rename-alias",
        program: renamed("before", { appName: "e2e_alias" }),
        api: emulator,
      });
      const id = String((await s.up()).outputs.id);
      emulator.clearLog();
      s.setProgram(renamed("after", { aliases: ["before"], appName: "e2e_alias" }));
      const up = await s.up();
      assert.deepEqual(changes(up), []);
      assert.equal(String(up.outputs.id), id);
      assert.deepEqual(writes(emulator), []);
    });
  });

/** The issue 16 story's app: the same program in every stack, optionally with `adopt`. */
function alarm(adopt?: boolean | string) {
  return async () => {
    const app = new DooverApplication("legacy-alarm", {
      name: "e2e_legacy_alarm",
      displayName: "Legacy alarm",
      type: "processor",
      visibility: "private",
      description: "Managed by stack dev.",
      ...(adopt === undefined ? {} : { adopt }),
    });
    return { id: app.applicationId, tookOver: app.tookOver };
  };
}

describe("e2e adopt is not a standing instruction (issue 16 §3, §4)", function () {
  this.timeout(300_000);
  const engine = useEngineSandbox({ token: distinctiveToken("adopt-story"), deploymentStepMs: 0 });
  let sandbox: EngineSandbox;
  let emulator: Emulator;
  before(() => {
    ({ sandbox, emulator } = engine);
  });

  it("dev manages an app; scratch with adopt: true: preview names it, up warns, destroying scratch leaves it to dev; a pinned hand-over to prod", async () => {
    const dev = await sandbox.stack({ stackName: "dev", program: alarm(), api: emulator });
    const id = String((await dev.up()).outputs.id);

    // A second stack runs the same program with `adopt: true` left in it.
    const scratch = await sandbox.stack({ stackName: "scratch", program: alarm(true), api: emulator });
    emulator.clearLog();
    const preview = await scratch.preview({ diff: false }); // `--diff` leaves provider messages out
    assert.deepEqual(changes(preview), ["create legacy-alarm"]);
    assert.match(
      preview.stdout,
      new RegExp(
        `DooverApplication "legacy-alarm" with \`adopt: true\` will take over the existing application ` +
          `"e2e_legacy_alarm" \\(id ${id}, organisation Emulated Organisation \\(${emulator.organisationId}\\)\\)`,
      ),
    );
    assert.match(preview.stdout, /change nothing on it/);
    assert.deepEqual(writes(emulator), [], "preview only reads");
    assert.ok(emulator.log().length <= 2, `one lookup: ${JSON.stringify(emulator.log())}`);

    const up = await scratch.up();
    assert.equal(String(up.outputs.id), id, "taken over");
    assert.equal(up.outputs.tookOver, true);
    assert.match(up.stdout, /warning: .*took over application "e2e_legacy_alarm".*Remove `adopt`/s);

    // Destroying scratch must not archive what dev manages: adopt is still set there.
    emulator.clearLog();
    const destroyed = await scratch.destroy();
    assert.deepEqual(changes(destroyed), ["delete legacy-alarm"]);
    assert.match(destroyed.stdout, /not archiving application "e2e_legacy_alarm".*still set/s);
    assert.deepEqual(writes(emulator), []);
    const refreshed = await dev.refresh();
    assert.equal(refreshed.changeSummary.delete ?? 0, 0, "dev finds its app at its next refresh");
    assert.deepEqual(changes(await dev.preview({ expectNoChanges: true })), []);

    // Handing the app from dev to prod: dev forgets it (state delete), prod pins it, then drops adopt.
    const urn = (await dev.resources())["legacy-alarm"].urn;
    await dev.cli(["state", "delete", urn, "--yes", "--stack", "dev"]);
    const prod = await sandbox.stack({ stackName: "prod", program: alarm(id), api: emulator });
    assert.match((await prod.preview({ diff: false })).stdout, new RegExp(`with \`adopt: "${id}"\`.*will take over`));
    assert.equal(String((await prod.up()).outputs.id), id);
    prod.setProgram(alarm());
    const released = await prod.preview();
    assert.deepEqual(changes(released), ["update legacy-alarm"], "dropping adopt records that prod owns it");
    emulator.clearLog();
    await prod.up();
    assert.deepEqual(writes(emulator), [], "an update that writes nothing to Doover");
    assert.deepEqual(changes(await prod.preview({ expectNoChanges: true })), []);
    await prod.destroy();
    assert.deepEqual(writes(emulator), [`POST /applications/${id}/archive/`], "prod owns it: destroy archives");
  });

  it("adopt pinned to another id fails the preview naming both ids; nothing is written", async () => {
    const held = await emulatorFetch(emulator, "POST", "/applications/", applicationBody(emulator, "e2e_pin_held"));
    const other = await emulatorFetch(emulator, "POST", "/applications/", applicationBody(emulator, "e2e_pin_other"));
    const program = async () => {
      new DooverApplication("pinned", {
        name: "e2e_pin_held",
        displayName: "Pinned",
        type: "processor",
        description: "Pinned to the wrong id.",
        adopt: String(other.body.id),
      });
    };
    const s = await sandbox.stack({ stackName: "pin-wrong", program, api: emulator });
    emulator.clearLog();
    await assert.rejects(s.preview(), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(`application "e2e_pin_held" is application ${held.body.id}, not ${other.body.id}`),
      );
      return true;
    });
    assert.deepEqual(writes(emulator), []);
  });

  it("the import resource option takes an app, a tunnel and an install over (read, diffed, updated), no POST", async () => {
    const [deviceId] = emulator.deviceIds;
    const app = (
      await emulatorFetch(
        emulator,
        "POST",
        "/applications/",
        applicationBody(emulator, "e2e_imported", { type: "DEV" }),
      )
    ).body;
    const tunnel = (
      await emulatorFetch(emulator, "POST", `/devices/${deviceId}/tunnels/`, {
        name: "imported-ssh",
        hostname: "10.0.0.1",
        port: 22,
        protocol: "tcp",
      })
    ).body;
    const install = (
      await emulatorFetch(emulator, "POST", "/app_installs/", {
        application_id: app.id,
        device_id: deviceId,
        name: "imported_install",
        display_name: "Old name",
      })
    ).body;
    const program = async () => {
      const a = new DooverApplication(
        "app",
        { name: "e2e_imported", displayName: "Imported", type: "device", description: "Imported with { import }." },
        { import: String(app.id) },
      );
      const t = new DooverTunnel(
        "ssh",
        { deviceId, name: "imported-ssh", hostname: "10.0.0.2", port: 22, protocol: "tcp" },
        { import: String(tunnel.id) },
      );
      const i = new DooverAppInstall(
        "install",
        { application: a, deviceId, name: "imported_install", displayName: "New name", deploy: false },
        { import: String(install.id) },
      );
      return { app: a.applicationId, tunnel: t.tunnelId, install: i.installId };
    };
    const s = await sandbox.stack({ stackName: "imports", program, api: emulator });
    const preview = await s.preview({ diff: false });
    assert.match(preview.stdout, new RegExp(`will take over the existing application "e2e_imported" \\(id ${app.id}`));
    assert.match(preview.stdout, /set display_name, description to the declared values/);
    assert.match(preview.stdout, new RegExp(`will take over the existing tunnel "imported-ssh".*\\(id ${tunnel.id}`));
    emulator.clearLog();
    const up = await s.up();
    assert.deepEqual(changes(up), ["create app", "create install", "create ssh"]);
    assert.deepEqual(
      [up.outputs.app, up.outputs.tunnel, up.outputs.install].map(String),
      [app.id, tunnel.id, install.id].map(String),
    );
    const w = writes(emulator);
    assert.ok(!w.some((x) => /^POST \/(applications|app_installs|devices\/\d+\/tunnels)\/$/.test(x)), `writes: ${w}`);
    assert.equal((await emulatorFetch(emulator, "GET", `/applications/${app.id}/`)).body.display_name, "Imported");
    assert.equal((await emulatorFetch(emulator, "GET", `/tunnels/${tunnel.id}/`)).body.hostname, "10.0.0.2");
    assert.equal((await emulatorFetch(emulator, "GET", `/app_installs/${install.id}/`)).body.display_name, "New name");
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
  });
});
