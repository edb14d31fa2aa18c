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
import { type ConfigSample, copySample, listFixtureConfigs, registryExampleConfig } from "./support/configs";

const fixtures = listFixtureConfigs();
// pydoover's own example file, from its sdist on PyPI: when it cannot be fetched, a failing test says why.
let registryExample: ConfigSample | Error;
try {
  registryExample = registryExampleConfig();
} catch (e) {
  registryExample = e as Error;
}
const samples = registryExample instanceof Error ? fixtures : [...fixtures, registryExample];
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
      '{"a": 12345678901234567890, "b":\n-12345678901234567890,\t"c":\t[ 1,12345678901234567890 ]}', // after space/tab/newline
      '{"note": "lot 7, 12345678901234567890 units", "id": "388075315710136320"}', // digits in strings only
    ];
    for (const text of texts) assert.deepEqual(parseLossless(text), toPlain(parseNode(text)), text);
    assert.deepEqual(parseLossless('{"b":9007199254740993,"d":1000000000000000}'), {
      b: "9007199254740993",
      d: 1000000000000000,
    });
    assert.throws(() => parseLossless('{"id": 12345678901234567890'), SyntaxError);
    assert.throws(() => parseLossless('{"id": 1,}'), SyntaxError);
  });

  it("parses answers whose snowflake ids are strings with plain JSON.parse (no reviver: ~10× cheaper per read)", () => {
    const answer = '{"id":"388075315710136320","organisation":{"id":"388075315609473024"},"depends_on":[]}';
    const calls: number[] = [];
    const parse = JSON.parse;
    JSON.parse = ((text: string, reviver?: unknown) => {
      calls.push(reviver === undefined ? 1 : 2);
      return parse(text, reviver as never);
    }) as typeof JSON.parse;
    try {
      assert.deepEqual(parseLossless(answer), parse(answer));
      parseLossless('{"id":388075315710136320}');
    } finally {
      JSON.parse = parse;
    }
    assert.deepEqual(calls, [1, 2], "the string ids take the plain path; a number id the exact one");
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

describe("sdk: every doover_config.json sample (tests/fixtures/configs + pydoover's example from PyPI)", function () {
  let tmp: string;
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-configs-"));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("has the fixtures and pydoover 1.18.3's examples/doover_config.json", () => {
    if (registryExample instanceof Error) throw registryExample;
    assert.ok(fixtures.length >= 19, `only ${fixtures.length} fixtures`);
    assert.equal(samples.filter((s) => expectedAppKeys(s.file).length === 0).length, 2, "two legacy files");
    // every indentation style real files use, with and without a final newline
    const texts = fixtures.map((s) => fs.readFileSync(s.file, "utf8"));
    for (const indent of ["\t", "  ", "    "]) {
      assert.ok(
        texts.some((t) => t.split("\n")[1].startsWith(`${indent}"`)),
        `no fixture indented with ${JSON.stringify(indent)}`,
      );
    }
    assert.ok(texts.some((t) => t.endsWith("\n")) && texts.some((t) => !t.endsWith("\n")));
  });

  it("known cases: legacy files, multi-app files, ids beyond 2^53, staging overlays, legacy references", () => {
    const byName = (n: string) => {
      const sample = samples.find((s) => s.name === n);
      if (!sample) throw registryExample instanceof Error ? registryExample : new Error(`no sample ${n}`);
      return sample.file;
    };
    assert.equal(Application.loadConfigFile(byName("legacy-processor-deployments")).length, 0);
    assert.equal(Application.loadConfigFile(byName("pydoover-example")).length, 0);
    const tank = Application.loadConfigFile(byName("tank-level-dashboard"));
    assert.deepEqual(
      tank.map((a) => [a.name, a.id, a.type]),
      [
        ["tank_level_monitor", "231406910546275101", "DEV"],
        ["tank_level_dashboard", "231406910546275102", "PRO"],
      ],
    );
    const [gate] = Application.loadConfigFile(byName("gate-encoder"));
    assert.equal(gate.id, "207236067977499789");
    assert.equal(gate.containerRegistryProfileId, "61803398874989484");
    assert.equal(gate.containerRegistryProfile, "61803398874989484", "pydoover alias");
    gate.ownerOrg = "142857142857142857";
    assert.equal(gate.organisationId, "142857142857142857", "ownerOrg aliases organisationId");
    assert.equal(gate.organisation, "142857142857142857");
    assert.equal(gate.toPayload().organisation_id, "142857142857142857");
    assert.deepEqual(gate.dependsOn, ["platform_interface"]);
    const [pump] = Application.loadConfigFile(byName("pump-controller"));
    assert.equal(pump.stagingConfig.id, "314159265358979323");
    const staged = pump.toPayload({ isStaging: true });
    assert.equal(staged.container_registry_profile_id, "8125466392037712896");
    assert.equal(pump.toPayload().container_registry_profile_id, "61803398874989484");
    assert.equal(pump.repoBranch, "main");
    // owner_org_id present but null short-circuits owner_org (doover-cli get_id_or_key)
    const [modbus] = Application.loadConfigFile(byName("modbus-bridge"));
    assert.equal(modbus.organisationId, undefined);
    // a legacy staging block that still copies production fields overlays them on staging only
    const [gateway] = Application.loadConfigFile(byName("rtsp-gateway"));
    assert.equal(gateway.toPayload({ isStaging: true }).image_name, "ghcr.io/example-org/rtsp-gateway:staging");
    assert.equal(gateway.toPayload().image_name, "ghcr.io/example-org/rtsp-gateway:master");
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
        // the file's own indentation (tab, 2 or 4 spaces) on every line, the appended keys' included
        const unit = /\n([ \t]+)"/.exec(original.toString("utf8"))![1];
        for (const line of text.split("\n")) {
          const lead = /^[ \t]*/.exec(line)![0];
          assert.equal(lead, unit.repeat(lead.length / unit.length), `indentation of ${JSON.stringify(line)}`);
        }
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
