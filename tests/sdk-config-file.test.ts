import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  APPLICATION_REQUEST_KEYS,
  Application,
  checkConfigSchema,
  deploymentZip,
  parseDocument,
  parseLossless,
  readZip,
  stringifyDocument,
  toPlain,
  validateConfigSchema,
} from "../sdk";
import { parseNode } from "../sdk/lossless-json";
import { copySample, listSharedConfigs, sharedConfigsMissingReason } from "./support/configs";

const samples = listSharedConfigs();
const ID_KEYS = ["organisation_id", "container_registry_profile_id"];

/** App entries by an independent rule over plain JSON.parse: object values with a `type`. */
function expectedAppKeys(file: string): string[] {
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  return Object.entries(data)
    .filter(([, v]) => typeof v === "object" && v !== null && !Array.isArray(v) && "type" in v)
    .map(([k]) => k);
}

function hasUnzip(): boolean {
  try {
    execFileSync("unzip", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("sdk: lossless JSON", () => {
  it("keeps big integers exact, as strings in plain values", () => {
    const v = parseLossless('{"id": 205837122022733829, "small": 42, "f": 0.0, "neg": -7369503578182270976}') as Record<
      string,
      unknown
    >;
    assert.equal(v.id, "205837122022733829");
    assert.equal(v.small, 42);
    assert.equal(v.f, 0);
    assert.equal(v.neg, "-7369503578182270976");
  });

  it("parses answers like the lossless tree does, on its fast paths too", () => {
    const texts = [
      '{"id":384968910224494595,"org":{"id":"384968910224494111"},"n":[1,2.5,-3e2]}', // a 16+ digit run
      '{"a":9007199254740991,"b":9007199254740993,"c":-9007199254740993,"d":1000000000000000}',
      '{"f":0.12345678901234567890,"g":1.2345678901234567e300,"h":12345678901234567890.5,"i":1E400}',
      '{"s":"12345678901234567890","t":"x\\"12345678901234567890","u":[[{"v":[12345678901234567890]}]]}',
      '{"small":42,"neg":-7,"z":0,"m":-0,"e":[],"o":{},"l":[true,false,null]}', // no long run: plain JSON.parse
      "[123456789012345678901234567890]",
      "12345678901234567890",
      '"only a string"',
    ];
    for (const text of texts) assert.deepEqual(parseLossless(text), toPlain(parseNode(text)), text);
    assert.deepEqual(parseLossless('{"b":9007199254740993,"d":1000000000000000}'), {
      b: "9007199254740993",
      d: 1000000000000000,
    });
    assert.throws(() => parseLossless('{"id": 12345678901234567890'), SyntaxError);
    assert.throws(() => parseLossless('{"id": 1,}'), SyntaxError);
  });

  it("re-writes untouched text byte-for-byte (escapes, non-ASCII, floats, empties, newline or not)", () => {
    const body =
      '{\n    "a": "caf\\u00e9 \\"q\\" \\n",\n    "b": "raw café ✓",\n    "c": [],\n    "d": {},\n' +
      '    "e": [\n        1.50,\n        1e-05,\n        null,\n        true\n    ],\n    "id": 205837122022733829\n}';
    for (const text of [body, body + "\n"]) assert.equal(stringifyDocument(parseDocument(text)), text);
  });

  it("rejects malformed JSON", () => {
    assert.throws(() => parseDocument('{"a": }'), SyntaxError);
    assert.throws(() => parseDocument('{"a": 1} x'), SyntaxError);
  });
});

describe("sdk: config_schema validation", () => {
  it("accepts Doover keywords and formats", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "",
      type: "object",
      properties: { app: { type: "string", format: "doover-application", "x-name": "app", "x-brand-new": 1 } },
      additionalElements: true,
    };
    assert.deepEqual(validateConfigSchema(schema), []);
  });

  it("reports a schema that does not compile, one line per problem with its JSON pointer", () => {
    assert.deepEqual(validateConfigSchema({ type: "object", properties: { a: { type: "nope" } } }), [
      '/properties/a/type: must be one of "array", "boolean", "integer", "null", "number", "object", "string" (got "nope")',
    ]);
    assert.deepEqual(validateConfigSchema({ type: "object", required: "a", minimum: "x" }).sort(), [
      '/minimum: must be number (got "x")',
      '/required: must be array (got "a")',
    ]);
    assert.deepEqual(validateConfigSchema({ $ref: "#/$defs/missing" }), [
      "(root): can't resolve reference #/$defs/missing from id #",
    ]);
    assert.deepEqual(validateConfigSchema([1]), ["(root): config_schema must be a JSON object"]);
  });

  it("format is an annotation: unknown formats (pydoover's dd_permissions) pass; unknown keywords only warn", () => {
    // Issue 7 item 5: these used to be errors.
    const schema = {
      type: "object",
      notAKeyword: true,
      properties: {
        perms: { type: "object", format: "dd_permissions" },
        other: { type: "string", format: "not-a-format", "x-new-doover-annotation": 1 },
        nested: { type: "array", items: { type: "string", bogus: 1 } },
      },
    };
    assert.deepEqual(validateConfigSchema(schema), []);
    const report = checkConfigSchema(schema);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.warnings.map((w) => w.pointer).sort(), ["/notAKeyword", "/properties/nested/items/bogus"]);
    assert.match(report.warnings[0].message, /unknown keyword "(notAKeyword|bogus)" is ignored/);
  });
});

describe("sdk: deployment zip", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-zip-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("is deterministic and readable by a zip reader", () => {
    const dir = path.join(tmp, "deployment");
    fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
    fs.writeFileSync(path.join(dir, "b.yml"), "services: {}\n".repeat(50));
    fs.writeFileSync(path.join(dir, "a.txt"), "hello");
    fs.writeFileSync(path.join(dir, "sub", "c.json"), "{}");
    const first = deploymentZip(dir);
    fs.utimesSync(path.join(dir, "a.txt"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = deploymentZip(dir);
    assert.ok(first.data.equals(second.data));
    assert.equal(first.sha256, second.sha256);
    assert.match(first.sha256, /^[0-9a-f]{64}$/);
    const entries = readZip(first.data);
    assert.deepEqual([...entries.keys()], ["a.txt", "b.yml", "sub/c.json"]);
    assert.equal(entries.get("b.yml")!.toString(), "services: {}\n".repeat(50));
    fs.writeFileSync(path.join(dir, "a.txt"), "hello!");
    assert.notEqual(deploymentZip(dir).sha256, first.sha256);
    if (hasUnzip()) {
      const zipFile = path.join(tmp, "x.zip");
      fs.writeFileSync(zipFile, first.data);
      execFileSync("unzip", ["-tq", zipFile]); // throws on a CRC or structure error
      const listing = execFileSync("unzip", ["-Z1", zipFile], { encoding: "utf8" });
      assert.deepEqual(listing.trim().split("\n"), ["a.txt", "b.yml", "sub/c.json"]);
    } else {
      console.log("      (unzip not installed: checked with the built-in reader only)");
    }
  });
});

describe("sdk: every shared doover_config.json", function () {
  const missing = sharedConfigsMissingReason();
  let tmp: string;
  before(function () {
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-configs-"));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("has the samples the notes describe", () => {
    assert.ok(samples.length >= 19, `only ${samples.length} samples`);
  });

  it("known cases: legacy files, multi-app file, ids beyond 2^53", () => {
    const byName = (n: string) => samples.find((s) => s.name === n)!.file;
    assert.equal(Application.loadConfigFile(byName("ewon-legacy-format")).length, 0);
    assert.equal(Application.loadConfigFile(byName("pydoover-legacy-format")).length, 0);
    const power = Application.loadConfigFile(byName("power-management"));
    assert.deepEqual(
      power.map((a) => [a.name, a.id, a.type]),
      [
        ["solar_power_management", "142442126150518028", "DEV"],
        ["solar_power_dashboard", "179144882034606351", "PRO"],
      ],
    );
    const [gate] = Application.loadConfigFile(byName("channel-gate-encoder-rs"));
    assert.equal(gate.id, "205837122022733829");
    assert.equal(gate.containerRegistryProfileId, "93955828574386692");
    assert.equal(gate.containerRegistryProfile, "93955828574386692", "pydoover alias");
    gate.ownerOrg = "142400552532231428";
    assert.equal(gate.organisationId, "142400552532231428", "ownerOrg aliases organisationId");
    assert.equal(gate.organisation, "142400552532231428");
    assert.equal(gate.toPayload().organisation_id, "142400552532231428");
    assert.deepEqual(gate.dependsOn, ["platform_interface"]);
    const [sensor] = Application.loadConfigFile(byName("4-20ma-sensor"));
    assert.equal(sensor.stagingConfig.id, "156962407065877255");
    const staged = sensor.toPayload({ isStaging: true });
    assert.equal(staged.container_registry_profile_id, "7369503578182270976");
    assert.equal(sensor.toPayload().container_registry_profile_id, "93955828574386692");
    // owner_org_id present but null short-circuits owner_org (doover-cli get_id_or_key)
    const [starlink] = Application.loadConfigFile(byName("starlink-manager"));
    assert.equal(starlink.organisationId, undefined);
    assert.equal(sensor.repoBranch, "main");
  });

  for (const sample of samples) {
    describe(sample.name, () => {
      const appKeys = expectedAppKeys(sample.file);
      const original = fs.readFileSync(sample.file);

      it(`loads ${appKeys.length} app(s) with exact ids`, () => {
        const apps = Application.loadConfigFile(sample.file);
        assert.deepEqual(
          apps.map((a) => a.entryKey),
          appKeys,
        );
        const text = original.toString("utf8");
        for (const a of apps) {
          assert.equal(a.basePath, sample.dir);
          assert.equal(a.repoBranch, (a.raw.repo_branch as string | undefined) ?? "main");
          for (const id of [a.id, a.stagingConfig.id, a.containerRegistryProfileId, a.organisationId]) {
            if (id === undefined || id === null) continue;
            assert.match(String(id), /^\d+$/);
            assert.ok(new RegExp(`": "?${id}"?[,\\n]`).test(text), `${id} not verbatim in the file`);
          }
        }
      });

      it("every config_schema validates", () => {
        for (const a of Application.loadConfigFile(sample.file)) {
          assert.deepEqual(validateConfigSchema(a.configSchema), [], `${a.name}`);
        }
      });

      if (appKeys.length === 0) return;

      it("saves byte-identical when nothing changed", () => {
        const file = copySample(sample, fs.mkdtempSync(path.join(tmp, "same-")));
        for (const a of Application.loadConfigFile(file)) a.saveToDisk();
        assert.ok(fs.readFileSync(file).equals(original), "file changed");
      });

      it("persists an assigned id (and staging_config.id), keeping everything else", () => {
        const file = copySample(sample, fs.mkdtempSync(path.join(tmp, "ids-")));
        const apps = Application.loadConfigFile(file);
        const target = apps[apps.length - 1];
        const oldId = target.id;
        const oldStagingId = target.stagingConfig.id;
        target.id = "987654321987654321";
        target.stagingConfig.id = "123456789123456789";
        target.saveToDisk();

        const [reloaded] = Application.loadConfigFile(file).filter((a) => a.entryKey === target.entryKey);
        assert.equal(reloaded.id, "987654321987654321");
        assert.equal(reloaded.stagingConfig.id, "123456789123456789");
        const before = JSON.parse(original.toString("utf8"))[target.entryKey!];
        const after = JSON.parse(fs.readFileSync(file, "utf8"))[target.entryKey!];
        // key order kept, new keys only appended
        assert.deepEqual(Object.keys(after).slice(0, Object.keys(before).length), Object.keys(before));
        // an id that was a JSON number stays a number with exact digits; otherwise it is a string
        const text = fs.readFileSync(file, "utf8");
        const wasNumber = typeof before.id === "number";
        assert.ok(text.includes(wasNumber ? '"id": 987654321987654321' : '"id": "987654321987654321"'));
        for (const other of apps.slice(0, -1)) {
          const again = Application.loadConfigFile(file).find((a) => a.entryKey === other.entryKey)!;
          assert.deepEqual(again.raw, other.raw);
        }
        // putting the old ids back restores the original bytes when they existed
        if (oldId !== undefined && oldStagingId !== undefined) {
          reloaded.id = oldId;
          reloaded.stagingConfig.id = oldStagingId;
          reloaded.saveToDisk();
          assert.ok(fs.readFileSync(file).equals(original));
        }
      });

      it("builds 2.0 payloads (request fields only, ids as strings, staging overlay, README text)", () => {
        const file = copySample(sample, fs.mkdtempSync(path.join(tmp, "payload-")));
        for (const a of Application.loadConfigFile(file)) {
          for (const isStaging of [false, true]) {
            const p = a.toPayload({ isStaging }) as Record<string, unknown>;
            for (const k of Object.keys(p)) assert.ok(APPLICATION_REQUEST_KEYS.includes(k), `${k} not a request key`);
            for (const k of ID_KEYS) {
              assert.ok(k in p, `${k} missing`);
              assert.ok(p[k] === null || /^\d+$/.test(p[k] as string), `${k}=${String(p[k])}`);
            }
            assert.equal(p.name, a.name);
            assert.equal(p.type, a.raw.type);
            if (isStaging) {
              for (const [k, v] of Object.entries(a.stagingConfig)) {
                if (!APPLICATION_REQUEST_KEYS.includes(k)) assert.notEqual(p[k], v);
                else if (ID_KEYS.includes(k)) assert.equal(p[k], v === null ? null : String(v));
                else assert.deepEqual(p[k], v);
              }
            }
          }
          // long_description is read from the file it names, when it exists
          const ld = a.raw.long_description as string | undefined;
          if (ld) {
            assert.equal(a.toPayload().long_description, ld);
            fs.writeFileSync(path.join(path.dirname(file), ld), `# ${a.name}\n\nHello.\n`);
            const fresh = Application.loadConfigFile(file).find((x) => x.entryKey === a.entryKey)!;
            assert.equal(fresh.toPayload().long_description, `# ${a.name}\n\nHello.\n`);
            assert.equal(fresh.longDescriptionPath, ld);
            fresh.saveToDisk();
            assert.ok(fs.readFileSync(file).equals(original), "saving rewrote long_description");
            fs.rmSync(path.join(path.dirname(file), ld));
          }
        }
      });

      it("deployment_data is a deterministic zip of the deployment folder", () => {
        const file = copySample(sample, fs.mkdtempSync(path.join(tmp, "zip-")));
        const apps = Application.loadConfigFile(file);
        for (const a of apps) {
          const folder = path.join(path.dirname(file), a.deploymentFolder);
          const p1 = a.toPayload({ includeDeploymentData: true });
          if (!fs.existsSync(folder)) {
            assert.equal(p1.deployment_data, undefined);
            continue;
          }
          const p2 = a.toPayload({ includeDeploymentData: true });
          assert.equal(typeof p1.deployment_data, "string");
          assert.equal(p1.deployment_data, p2.deployment_data);
          const zip = Buffer.from(p1.deployment_data as string, "base64");
          assert.equal(a.deploymentZip()!.sha256, deploymentZip(folder).sha256);
          const entries = readZip(zip);
          const expected = fs.readdirSync(folder, { recursive: true, withFileTypes: false }) as string[];
          const files = expected
            .filter((f) => fs.statSync(path.join(folder, f)).isFile())
            .map((f) => f.split(path.sep).join("/"));
          assert.deepEqual([...entries.keys()], [...files].sort());
          for (const f of files) assert.ok(entries.get(f)!.equals(fs.readFileSync(path.join(folder, f))));
        }
      });
    });
  }
});
