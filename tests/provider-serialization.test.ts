// The provider as Pulumi stores it: serialized like `dynamic.Resource` does, loaded back like the host does
// (require-from-string), then run against the emulator.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as runtime from "../provider/runtime";
import { APPLICATION_PROVIDER, TUNNEL_PROVIDER } from "../provider/shim";
import { emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig } from "./support/provider-host";
import { loadProvider } from "./support/serialize";

// Stored twice per resource (inputs and outputs, JSON-escaped): every byte counts at 200 resources. Pulumi's
// closure serializer made 2,199 bytes of it (2,475 with the "package missing" advice); the hand-written text
// is 448.
const MAX_PROVIDER_BYTES = 500;

/** The application text pulumi-doover 0.2.0 stored in state (resolved the runtime on every call). */
const PROVIDER_0_2_0 =
  'exports.handler=()=>{const c=async(m,a)=>{let r;try{r=require("module").createRequire(process.cwd()+"/")' +
  '("pulumi-doover/provider-runtime")}catch(e){throw/\'pulumi-doover\\//.test(e.message)?Error("Run `npm install` in "' +
  '+process.cwd()+": this stack\'s resources need the pulumi-doover package there"):e}return r.applications[m](...a)};' +
  'const p={};for(const m of["configure","check","diff","create","read","update","delete"])p[m]=(...a)=>c(m,a);' +
  "return p}";
const repoRoot = path.resolve(__dirname, "..", "..");

describe("serialized provider (__provider)", function () {
  this.timeout(20000);
  const emulator = useEmulator({ token: "serialization-secret-token" });
  let cwd: string;

  before(() => {
    cwd = process.cwd();
    process.chdir(repoRoot); // the host's cwd is the program directory
  });
  after(() => {
    process.chdir(cwd);
    runtime.resetConfiguration();
  });

  it("is a small shim, the same text whatever the implementation, with no token inside", async () => {
    // Configure first: settings must live in the runtime module, never in the stored text.
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    for (const text of [APPLICATION_PROVIDER, TUNNEL_PROVIDER]) {
      assert.ok(Buffer.byteLength(text) <= MAX_PROVIDER_BYTES, `__provider is ${Buffer.byteLength(text)} bytes`);
      assert.equal(text.includes(emulator.current.token), false);
      assert.equal(text.includes(emulator.current.url), false);
      assert.doesNotMatch(text, /fetch|Client|applications\.create|deploymentZip/);
    }
    // The two kinds differ only in their kind.
    assert.equal(
      APPLICATION_PROVIDER.replace("r.applications[", "r.KIND["),
      TUNNEL_PROVIDER.replace("r.tunnels[", "r.KIND["),
    );
    console.log(`      __provider: application ${APPLICATION_PROVIDER.length} B, tunnel ${TUNNEL_PROVIDER.length} B`);
  });

  it("loads back and runs configure/check/create/read/delete against the emulator", async () => {
    runtime.resetConfiguration();
    const p = loadProvider(APPLICATION_PROVIDER);
    await p.configure({ config: stackConfig(emulatorConfig(emulator.current)).config } as never);
    const { inputs, failures } = await p.check(
      {},
      { name: "round_trip", displayName: "RT", type: "PRO", description: "d" },
    );
    assert.deepEqual(failures, []);
    const { id, outs } = await p.create(inputs);
    assert.equal((await emulatorFetch(emulator.current, "GET", `/applications/${id}/`)).body.name, "round_trip");
    const read = await p.read(id, outs);
    assert.deepEqual(read.props, outs);
    assert.deepEqual((await p.diff(id, outs, inputs)).changes, false);
    await p.update(id, outs, { ...inputs, displayName: "RT 2" });
    assert.equal((await emulatorFetch(emulator.current, "GET", `/applications/${id}/`)).body.display_name, "RT 2");
    await p.delete(id, outs);
    assert.equal((await emulatorFetch(emulator.current, "GET", `/applications/${id}/`)).body.archived, true);

    const t = loadProvider(TUNNEL_PROVIDER);
    const device = emulator.current.deviceIds[0];
    const checked = await t.check({}, { name: "rt", deviceId: device, hostname: "h", port: 22, protocol: "tcp" });
    const created = await t.create(checked.inputs);
    assert.equal((await t.read(created.id, created.outs!)).id, created.id);
    await t.delete(created.id, created.outs!);
    assert.equal((await t.read(created.id, created.outs!)).id, "");
  });

  it("runs a text stored by 0.2.0 (state written before this version), and looks the runtime up once", async () => {
    runtime.resetConfiguration();
    for (const text of [PROVIDER_0_2_0, APPLICATION_PROVIDER]) {
      const p = loadProvider(text);
      await p.configure({ config: stackConfig(emulatorConfig(emulator.current)).config } as never);
      const { inputs } = await p.check(
        {},
        { name: `stored_${text.length}`, displayName: "S", type: "PRO", description: "d" },
      );
      const { id, outs } = await p.create(inputs);
      assert.deepEqual((await p.read(id, outs)).props, outs);
      await p.delete(id, outs);
    }
    // Count package lookups (createRequire) over 20 calls of one loaded provider.
    const mod: { createRequire: (...a: unknown[]) => unknown } = require("node:module");
    const real = mod.createRequire;
    let lookups = 0;
    mod.createRequire = (...a: unknown[]) => {
      lookups++;
      return real(...a);
    };
    try {
      const p = loadProvider(APPLICATION_PROVIDER);
      for (let i = 0; i < 20; i++) await p.diff("1", { name: "a" }, { name: "a" });
    } finally {
      mod.createRequire = real;
    }
    assert.equal(lookups, 1);
  });

  it("finds the runtime from a program directory below this package (self-reference)", async () => {
    process.chdir(path.join(repoRoot, "dist", "provider")); // like examples/<name>: no package.json of its own
    try {
      const p = loadProvider(APPLICATION_PROVIDER);
      const { failures } = await p.check({}, { name: "ok", displayName: "x", type: "TAS", description: "d" });
      assert.deepEqual(failures, []);
    } finally {
      process.chdir(repoRoot);
    }
  });

  it("finds the runtime from a program directory that installs pulumi-doover in node_modules", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-program-"));
    try {
      fs.mkdirSync(path.join(dir, "node_modules"));
      fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "pulumi-doover"), "dir");
      process.chdir(dir);
      const p = loadProvider(TUNNEL_PROVIDER);
      const { failures } = await p.check({}, { name: "x", deviceId: "1", hostname: "h", port: 0, protocol: "tcp" });
      assert.deepEqual(
        failures!.map((f) => f.property),
        ["port"],
      );
    } finally {
      process.chdir(repoRoot);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says to run npm install in the program folder when pulumi-doover is not installed there (refresh/destroy)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-no-package-"));
    try {
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "a-program", dependencies: {} }));
      const text = APPLICATION_PROVIDER; // as stored in state by an earlier `up`
      process.chdir(dir);
      const p = loadProvider(text);
      for (const run of [() => p.read("1", { name: "x" }), () => p.delete("1", { name: "x" })]) {
        await assert.rejects(run(), (err: Error) => {
          assert.match(err.message, /npm install/);
          assert.ok(err.message.includes(dir), err.message);
          assert.match(err.message, /pulumi-doover/);
          assert.doesNotMatch(err.message, /Cannot find module/);
          return true;
        });
      }
    } finally {
      process.chdir(repoRoot);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
