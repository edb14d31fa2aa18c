// `check` messages and preview-time checks of issue 7 (items 4, 7, 9, 14, 15) and issue 11 item 6, through
// the provider runtime's check (what the engine calls). No HTTP: check never makes a call.

import assert from "node:assert/strict";
import { configSchemaWarnings } from "../provider/application/application-check";
import { RESOURCE_NAME_KEY, resetNameClaims } from "../provider/check-names";
import { UNKNOWN } from "../provider/inputs";
import * as runtime from "../provider/runtime";

const app = runtime.applications;
const tunnel = runtime.tunnels;

function appArgs(resource: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: resource,
    displayName: "An app",
    type: "processor",
    description: "Checked.",
    ...(resource === undefined ? {} : { [RESOURCE_NAME_KEY]: resource }),
    ...extra,
  };
}

function tunnelArgs(resource: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceId: "205837122022733829",
    hostname: "127.0.0.1",
    port: 22,
    protocol: "tcp",
    name: resource,
    [RESOURCE_NAME_KEY]: resource,
    ...extra,
  };
}

const reasons = (r: { failures: { property: string; reason: string }[] }) => r.failures.map((f) => f.reason);

describe("provider check: messages and preview-time checks", () => {
  beforeEach(() => resetNameClaims());

  describe("duplicate API names in one program (item 4)", () => {
    it("a second application with the same name fails, naming both resources; a re-check of the first passes", async () => {
      const first = await app.check({}, appArgs("monitor-a", { name: "pump_monitor" }));
      assert.deepEqual(first.failures, []);
      const second = await app.check({}, appArgs("monitor-b", { name: "pump_monitor" }));
      assert.equal(second.failures.length, 1);
      assert.equal(second.failures[0].property, "name");
      assert.match(second.failures[0].reason, /"monitor-b".*"monitor-a".*"pump_monitor"/);
      // The engine checks a resource again on a replace: that is not a duplicate.
      assert.deepEqual((await app.check({}, appArgs("monitor-a", { name: "pump_monitor" }))).failures, []);
      assert.equal(first.inputs[RESOURCE_NAME_KEY], undefined, "the reserved key never reaches state");
    });

    it("a production app and its staging variant may share a name; unknown names are not compared", async () => {
      assert.deepEqual((await app.check({}, appArgs("prod", { name: "x_app" }))).failures, []);
      assert.deepEqual((await app.check({}, appArgs("stage", { name: "x_app", staging: true }))).failures, []);
      assert.deepEqual((await app.check({}, appArgs("u1", { name: UNKNOWN }))).failures, []);
      assert.deepEqual((await app.check({}, appArgs("u2", { name: UNKNOWN }))).failures, []);
      // Direct provider calls (no resource name) are never reported.
      assert.deepEqual((await app.check({}, appArgs(undefined, { name: "x_app" }))).failures, []);
    });

    it("tunnels: same name on one device fails naming both; another device is fine", async () => {
      const ssh = { name: "ssh" };
      assert.deepEqual((await tunnel.check({}, tunnelArgs("ssh-1", ssh))).failures, []);
      const dup = await tunnel.check({}, tunnelArgs("ssh-2", ssh));
      assert.equal(dup.failures.length, 1);
      assert.match(dup.failures[0].reason, /"ssh-2".*"ssh-1".*"ssh".*device 205837122022733829/);
      assert.deepEqual((await tunnel.check({}, tunnelArgs("ssh-1", ssh))).failures, [], "re-check of the same one");
      const elsewhere = { ...ssh, deviceId: "205837122022733830" };
      assert.deepEqual((await tunnel.check({}, tunnelArgs("ssh-3", elsewhere))).failures, []);
    });
  });

  describe("application name (item 9)", () => {
    it("a name set explicitly gets the fixed name, not 'set `name`'", async () => {
      const r = await app.check({}, appArgs("monitor", { name: "sensor-monitor" }));
      assert.equal(r.failures.length, 1);
      assert.match(r.failures[0].reason, /use "sensor_monitor"$/);
      assert.doesNotMatch(r.failures[0].reason, /set `name`|resource name/);
    });

    it('a name defaulted from the resource name says so and suggests `name: "sensor_monitor"`', async () => {
      const r = await app.check({}, appArgs("sensor-monitor"));
      assert.match(
        r.failures[0].reason,
        /defaults to the Pulumi resource name "sensor-monitor"; set `name: "sensor_monitor"`/,
      );
      const upper = await app.check({}, appArgs("My Pump App!"));
      assert.match(upper.failures[0].reason, /"my_pump_app"/);
    });
  });

  describe("unknown input keys (item 15)", () => {
    it("suggest the closest valid key", async () => {
      const r = await app.check({}, appArgs("a_app", { displayname: "x", display_name: "y", descripton: "z", zzz: 1 }));
      const byProp = Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));
      assert.match(byProp.displayname, /did you mean `displayName`\?/);
      assert.match(byProp.display_name, /did you mean `displayName`\?/);
      assert.match(byProp.descripton, /did you mean `description`\?/);
      assert.equal(byProp.zzz, "unknown property zzz");
      const t = await tunnel.check({}, tunnelArgs("t", { ip_whitelist: [], hostName: "h" }));
      assert.match(reasons(t).join("\n"), /ip_whitelist \(did you mean `ipWhitelist`\?\)/);
      assert.match(reasons(t).join("\n"), /hostName \(did you mean `hostname`\?\)/);
    });
  });

  describe("stagingConfig keys (item 7)", () => {
    it("an unknown key prints its value, the accepted keys and how to vary config per environment", async () => {
      const r = await app.check({}, appArgs("a_app", { stagingConfig: { poll_interval: 5 } }));
      assert.equal(r.failures.length, 1);
      const f = r.failures[0];
      assert.equal(f.property, "", "no nested path: the engine would print `value {<nil>}`");
      assert.match(f.reason, /^stagingConfig\.poll_interval = 5 is not an application field/);
      assert.match(f.reason, /accepted keys: id, name, display_name, .*config_schema.*image_name/);
      assert.match(f.reason, /config_schema.*default: 5/);
    });

    it("empty strings where the API needs a value or null fail", async () => {
      const r = await app.check({}, appArgs("a_app", { stagingConfig: { image_name: "", display_name: "" } }));
      assert.deepEqual(reasons(r).sort(), [
        "stagingConfig.display_name must not be empty: omit it",
        "stagingConfig.image_name must not be empty: omit it, or set null to clear it",
      ]);
    });
  });

  describe("configSchema (items 5 and 14)", () => {
    it("one readable line per problem with its JSON pointer, no map dump", async () => {
      const configSchema = {
        type: "object",
        properties: { a: { type: "no-such-type" }, b: { type: "integer", minimum: "ten" } },
      };
      const r = await app.check({}, appArgs("a_app", { configSchema }));
      assert.deepEqual(r.failures.map((f) => [f.property, f.reason]).sort(), [
        [
          "",
          'configSchema /properties/a/type: must be one of "array", "boolean", "integer", "null", "number", "object", "string" (got "no-such-type")',
        ],
        ["", 'configSchema /properties/b/minimum: must be number (got "ten")'],
      ]);
    });

    it("a real pydoover schema with format dd_permissions passes", async () => {
      const configSchema = {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: "",
        type: "object",
        properties: { permissions: { type: "object", format: "dd_permissions", "x-name": "Permissions" } },
        additionalElements: true,
      };
      assert.deepEqual((await app.check({}, appArgs("a_app", { configSchema }))).failures, []);
    });

    it("`required` naming a key `properties` does not declare is legal JSON Schema: a warning naming its path, not a failure (issue 16 item 6)", async () => {
      const configSchema = {
        type: "object",
        properties: { pump: { type: "object", properties: { kpa: { type: "number" } }, required: ["serial"] } },
        required: ["site", "pump"],
      };
      assert.deepEqual((await app.check({}, appArgs("a_app", { configSchema }))).failures, []);
      assert.deepEqual(configSchemaWarnings(configSchema), [
        'configSchema /required: names "site", which properties does not declare: a config must still have ' +
          '"site" (any value passes), but nothing describes it. Declare it under properties, or remove it from required.',
        'configSchema /properties/pump/required: names "serial", which /properties/pump/properties does not declare: ' +
          'a config must still have "serial" (any value passes), but nothing describes it. Declare it under ' +
          "/properties/pump/properties, or remove it from required.",
      ]);
      // An install's config is still held to it: the key must be there.
      const installs = runtime.appInstalls;
      const args = { applicationId: "1", deviceId: "2", configSchema, deploymentConfig: { pump: { serial: "x" } } };
      assert.deepEqual(
        (await installs.check({}, args)).failures.map((f) => f.property),
        ["deploymentConfig/site"],
      );
    });
  });

  describe("ids that arrive as numbers (issue 16 item 7)", () => {
    // What JSON.parse makes of `pulumi config set --path 'ids[0]' 388027951720960004`: 388027951720960000.
    const LOST = Number("388027951720960004");

    it("an id above 2^53 says its digits were lost and how to keep it a string, naming the property", async () => {
      const t = await tunnel.check({}, tunnelArgs("t", { deviceId: LOST }));
      assert.deepEqual(
        t.failures.map((f) => f.property),
        ["deviceId"],
      );
      assert.match(
        t.failures[0].reason,
        /^deviceId arrived as the number 388027951720960000, above 2\^53, so its last digits were lost/,
      );
      assert.match(t.failures[0].reason, /pulumi config set --path --type string/);
      const i = await runtime.appInstalls.check(
        {},
        { applicationId: LOST, deviceId: "1", configProfileIds: ["2", LOST], deploymentConfig: {} },
      );
      assert.deepEqual(i.failures.map((f) => f.property).sort(), ["applicationId", "configProfileIds[1]"]);
      assert.ok(i.failures.every((f) => /digits were lost/.test(f.reason)));
      const a = await app.check({}, appArgs("a_app", { organisationId: LOST, stagingConfig: { id: LOST } }));
      assert.deepEqual(a.failures.map((f) => f.reason.split(" ")[0]).sort(), ["organisationId", "stagingConfig.id"]);
    });

    it("a number small enough to be exact is taken as the id's digits", async () => {
      const t = await tunnel.check({}, tunnelArgs("t", { deviceId: 42 }));
      assert.deepEqual(t.failures, []);
      assert.equal(t.inputs.deviceId, "42");
    });
  });

  describe("empty strings and IP ranges (issue 11 item 6)", () => {
    it('imageName: "" (and the other nullable strings) fail naming the property', async () => {
      const r = await app.check({}, appArgs("a_app", { imageName: "", iconUrl: "", bannerUrl: "", repositoryUrl: "" }));
      assert.deepEqual(r.failures.map((f) => f.property).sort(), [
        "bannerUrl",
        "iconUrl",
        "imageName",
        "repositoryUrl",
      ]);
      assert.match(
        r.failures.find((f) => f.property === "imageName")!.reason,
        /imageName must not be empty: omit it .* or set null/,
      );
      assert.deepEqual((await app.check({}, appArgs("b_app", { imageName: null }))).failures, [], "null still clears");
    });

    it("ipWhitelist entries must be IPv4/IPv6 addresses or CIDR ranges", async () => {
      const good = ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1", "0.0.0.0/0"];
      assert.deepEqual((await tunnel.check({}, tunnelArgs("ok", { ipWhitelist: good }))).failures, []);
      const bad = ["not-an-ip", "10.0.0.0/33", "2001:db8::/129", "1.2.3", "10.0.0.1/8/1", "", "10.0.0.0/x"];
      const r = await tunnel.check({}, tunnelArgs("bad", { ipWhitelist: bad }));
      assert.equal(r.failures.length, bad.length);
      assert.match(r.failures[0].reason, /^ipWhitelist\[0\] = "not-an-ip" is not an IPv4\/IPv6 address or CIDR range/);
      assert.deepEqual((await tunnel.check({}, tunnelArgs("u", { ipWhitelist: [UNKNOWN, "10.0.0.1"] }))).failures, []);
    });

    it('tunnel username/password "" fail; null is fine', async () => {
      const r = await tunnel.check({}, tunnelArgs("t", { username: "", password: "" }));
      assert.deepEqual(r.failures.map((f) => f.property).sort(), ["password", "username"]);
      assert.deepEqual((await tunnel.check({}, tunnelArgs("t2", { username: null, password: null }))).failures, []);
    });
  });
});
