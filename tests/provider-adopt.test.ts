// `adopt` through the provider methods against the real HTTP emulator (issue 16 §3): the preview lookup in
// `check` (reads only, only for new resources with `adopt`, warn-and-skip without credentials), pinned ids
// that fail the preview, the input's validation, and what delete/diff/update do with a resource that took
// an object over.
import assert from "node:assert/strict";
import { PREVIEW_KEY } from "../provider/adopt";
import { resetAdopted, resetSeen } from "../provider/create-path";
import * as runtime from "../provider/runtime";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { calls, capturingStderr, emulatorConfig, stackConfig, writes } from "./support/provider-host";

const apps = runtime.applications;
const tunnels = runtime.tunnels;
const installs = runtime.appInstalls;

describe("adopt (provider/adopt*.ts)", function () {
  this.timeout(30_000);
  const emulator = useEmulator();
  const e = () => emulator.current;
  beforeEach(() => {
    resetAdopted();
    resetSeen();
    runtime.configure(stackConfig(emulatorConfig(e())));
  });
  afterEach(() => runtime.resetConfiguration());

  const appArgs = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    displayName: `App ${name}`,
    type: "processor",
    description: "d",
    __dooverResource: `res-${name}`,
    ...extra,
  });

  async function outsideApp(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const made = await emulatorFetch(e(), "POST", "/applications/", applicationBody(e(), name, extra));
    assert.equal(made.status, 201);
    e().clearLog();
    return String(made.body.id);
  }

  describe("the preview lookup in check", () => {
    it("names the application `up` would take over (id, organisation, fields it would set), with one GET", async () => {
      const id = await outsideApp("held_app", { display_name: "Theirs" });
      const { result, lines } = await capturingStderr(() =>
        apps.check({}, appArgs("held_app", { adopt: true, [PREVIEW_KEY]: true })),
      );
      assert.deepEqual(result.failures, []);
      assert.equal(result.inputs[PREVIEW_KEY], undefined, "never stored");
      assert.match(
        lines.join("\n"),
        new RegExp(
          `DooverApplication "res-held_app" with \`adopt: true\` will take over the existing application ` +
            `"held_app" \\(id ${id}, organisation Emulated Organisation \\(${e().organisationId}\\)\\) and set ` +
            "display_name, description to the declared values",
        ),
      );
      assert.deepEqual(calls(e()), ["GET /applications/ 200"]);
    });

    it("a free name: says `up` will create it", async () => {
      const { lines } = await capturingStderr(() =>
        apps.check({}, appArgs("free_app", { adopt: true, [PREVIEW_KEY]: true })),
      );
      assert.match(lines.join("\n"), /no application "free_app" exists; `pulumi up` will create it/);
    });

    it("no HTTP without adopt, outside preview (`up` checks too), or for a resource already in state", async () => {
      await outsideApp("quiet_app");
      await apps.check({}, appArgs("quiet_app", { [PREVIEW_KEY]: true }));
      await apps.check({}, appArgs("quiet_app", { adopt: true }));
      await apps.check(appArgs("quiet_app"), appArgs("quiet_app", { adopt: true, [PREVIEW_KEY]: true }));
      assert.deepEqual(calls(e()), []);
    });

    it("a pin `up` would refuse fails the preview: the name holds another id (both named), no such id, another name", async () => {
      const held = await outsideApp("pin_held");
      const other = await outsideApp("pin_other");
      const check = (name: string, adopt: string) => apps.check({}, appArgs(name, { adopt, [PREVIEW_KEY]: true }));
      const r1 = await check("pin_held", other);
      assert.equal(r1.failures.length, 1);
      assert.equal(r1.failures[0].property, "adopt");
      assert.match(r1.failures[0].reason, new RegExp(`application "pin_held" is application ${held}, not ${other}`));
      assert.match((await check("pin_free", "123456")).failures[0].reason, /there is no application 123456/);
      assert.match((await check("pin_free", other)).failures[0].reason, /is named "pin_other", not "pin_free"/);
      const ok = await capturingStderr(() => check("pin_held", held));
      assert.deepEqual(ok.result.failures, []);
      assert.match(
        ok.lines.join("\n"),
        new RegExp(`with \`adopt: "${held}"\` \\(or the \`import\` option\\) will take over`),
      );
      assert.deepEqual(writes(e()), []);
    });

    it("without credentials it warns and skips (previews without secrets are normal)", async () => {
      runtime.configure(stackConfig({ "doover:apiUrl": e().url }));
      const saved = { token: process.env.DOOVER_API_TOKEN, config: process.env.DOOVER_CONFIG };
      delete process.env.DOOVER_API_TOKEN;
      process.env.DOOVER_CONFIG = "/nonexistent/doover";
      runtime.environmentChanged();
      try {
        const { result, lines } = await capturingStderr(() =>
          apps.check({}, appArgs("any_app", { adopt: true, [PREVIEW_KEY]: true })),
        );
        assert.deepEqual(result.failures, []);
        assert.match(
          lines.join("\n"),
          /warning: DooverApplication "res-any_app" with `adopt: true`: preview could not look up/,
        );
        assert.match(lines.join("\n"), /no Doover API token/);
        assert.deepEqual(calls(e()), []);
      } finally {
        if (saved.token === undefined) delete process.env.DOOVER_API_TOKEN;
        else process.env.DOOVER_API_TOKEN = saved.token;
        if (saved.config === undefined) delete process.env.DOOVER_CONFIG;
        else process.env.DOOVER_CONFIG = saved.config;
        runtime.environmentChanged();
      }
    });

    it("tunnels and installs: the same lookup, and what `up` would refuse (another protocol, another application)", async () => {
      const [device] = e().deviceIds;
      const tunnel = (
        await emulatorFetch(e(), "POST", `/devices/${device}/tunnels/`, {
          name: "web",
          hostname: "10.0.0.1",
          port: 80,
          protocol: "http",
        })
      ).body;
      const t = { deviceId: device, name: "web", hostname: "10.0.0.1", port: 80, adopt: true, [PREVIEW_KEY]: true };
      const same = await capturingStderr(() => tunnels.check({}, { ...t, protocol: "http" }));
      assert.deepEqual(same.result.failures, []);
      assert.match(
        same.lines.join("\n"),
        new RegExp(`will take over the existing tunnel "web" on device ${device} \\(id ${tunnel.id}`),
      );
      assert.match(same.lines.join("\n"), /change nothing on it/);
      const refused = await tunnels.check({}, { ...t, protocol: "tcp" });
      assert.match(refused.failures[0].reason, /its protocol is http, not tcp/);

      const appId = await outsideApp("installed_app");
      const otherApp = await outsideApp("other_installed_app");
      const install = (
        await emulatorFetch(e(), "POST", "/app_installs/", {
          application_id: appId,
          device_id: device,
          name: "pump",
          display_name: "Pump",
        })
      ).body;
      e().clearLog();
      const i = { deviceId: device, name: "pump", displayName: "Pump", adopt: true, [PREVIEW_KEY]: true };
      const found = await capturingStderr(() => installs.check({}, { ...i, applicationId: appId }));
      assert.deepEqual(found.result.failures, []);
      assert.match(
        found.lines.join("\n"),
        new RegExp(
          `will take over the existing app install "pump" on device ${device} \\(id ${install.id}, application installed_app`,
        ),
      );
      const wrong = await installs.check({}, { ...i, applicationId: otherApp });
      assert.match(wrong.failures[0].reason, /an install of another application \(installed_app\)/);
      assert.deepEqual(writes(e()), []);
    });
  });

  describe("the adopt input", () => {
    it("true, false, or an id as digits; a safe integer becomes a string; a large number says its digits were lost", async () => {
      const ok = async (adopt: unknown) => (await apps.check({}, appArgs("x_app", { adopt }))).inputs.adopt;
      assert.equal(await ok(undefined), false);
      assert.equal(await ok(true), true);
      assert.equal(await ok("388027951720960004"), "388027951720960004");
      assert.equal(await ok(42), "42");
      const bad = await apps.check({}, appArgs("x_app", { adopt: "yes" }));
      assert.match(bad.failures[0].reason, /adopt must be true, false, or the id of the object to take over/);
      const big = await apps.check({}, appArgs("x_app", { adopt: Number("388027951720960004") }));
      assert.match(big.failures[0].reason, /lost digits: quote it/);
    });
  });

  describe("a resource that took its object over", () => {
    it("while adopt is set, delete leaves the object (and says so); dropping adopt is an update that writes nothing, then delete removes it", async () => {
      const id = await outsideApp("kept_app");
      const checked = (await apps.check({}, appArgs("kept_app", { adopt: true }))).inputs;
      const made = await capturingStderr(() => apps.create(checked));
      assert.equal(made.result.id, id);
      assert.equal(made.result.outs.tookOver, true);
      resetAdopted(); // a later deployment: no memory of this process's take-overs
      e().clearLog();
      const deleted = await capturingStderr(() => apps.delete(id, made.result.outs));
      assert.match(deleted.lines.join("\n"), /not archiving application "kept_app".*`adopt: true`.*still set/s);
      assert.deepEqual(writes(e()), []);

      const news = (await apps.check({}, appArgs("kept_app"))).inputs;
      const d = await apps.diff(id, made.result.outs, news);
      // Outputs this code wrote: "changes unknown" lets the engine diff the inputs (adopt true → false) and mark it.
      assert.deepEqual(d, { changes: undefined, replaces: [], deleteBeforeReplace: false });
      const updated = await apps.update(id, made.result.outs, news);
      assert.deepEqual(writes(e()), [], "nothing to write to Doover");
      assert.equal(updated.outs.adopt, false);
      assert.equal(updated.outs.tookOver, true);
      assert.deepEqual(await apps.diff(id, updated.outs, news), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      await apps.delete(id, updated.outs);
      assert.deepEqual(writes(e()), [`POST /applications/${id}/archive/`]);
    });

    it("a create with adopt that found nothing is the stack's own: delete removes it", async () => {
      const checked = (await apps.check({}, appArgs("own_app", { adopt: true }))).inputs;
      const made = await apps.create(checked);
      assert.equal(made.outs.tookOver, false);
      e().clearLog();
      await apps.delete(made.id, made.outs);
      assert.deepEqual(writes(e()), [`POST /applications/${made.id}/archive/`]);
    });
  });
});
