// Issue 10: the API echoes `deployment_data` (the whole base64 zip) in its answer to an application
// create/PATCH; the client drops top-level keys of a response while it streams in (omitResponseFields),
// so `up` of a big deployment folder never holds that string. The filter is checked at every chunk
// boundary on tricky JSON, then end to end against the emulator.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deploymentHash } from "../provider/application/application-fields";
import * as runtime from "../provider/runtime";
import { Client, deploymentZip, HTTPException, RestClient } from "../sdk";
import { TopLevelFieldFilter } from "../sdk/json-field-filter";
import { resetLimiters } from "../sdk/request-limiter";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig } from "./support/provider-host";

/** Filters `text` fed in the given pieces; the output text and whether it was malformed. */
function filterIn(pieces: Buffer[], keys: string[]): { text: string; malformed: boolean } {
  const f = new TopLevelFieldFilter(keys);
  for (const p of pieces) f.push(p);
  const { body, malformed } = f.end();
  return { text: body.toString("utf8"), malformed };
}

/** Every way of cutting `text` in two, plus one byte at a time. */
function splits(text: string): Buffer[][] {
  const all = Buffer.from(text, "utf8");
  const out: Buffer[][] = [[all]];
  for (let i = 0; i <= all.length; i++) out.push([all.subarray(0, i), all.subarray(i)]);
  out.push([...all].map((b) => Buffer.from([b])));
  return out;
}

function dropTop(value: unknown, keys: string[]): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

const KEYS = ["deployment_data"];

const TRICKY: string[] = [
  // the key first, last, alone, in the middle
  '{"deployment_data":"QUJD","id":"1"}',
  '{"id":"1","deployment_data":"QUJD"}',
  '{"deployment_data":"QUJD"}',
  '{"a":1,"deployment_data":"x","b":2}',
  // escapes inside the dropped value and in kept values; a backslash right before the closing quote
  '{"deployment_data":"a\\"b\\\\","name":"q\\"uo\\\\te\\\\"}',
  '{"deployment_data":"\\\\\\"\\\\","z":"\\\\"}',
  // the key inside another string value, and as a nested key (kept: only top-level is dropped)
  '{"description":"\\"deployment_data\\":\\"x\\"","deployment_data":"y"}',
  '{"config":{"deployment_data":"keep me","x":[1,{"deployment_data":2}]},"deployment_data":"drop"}',
  '{"list":["deployment_data",{"deployment_data":"n"}],"id":7}',
  // whitespace everywhere, around the colon and commas
  ' \n{ "deployment_data" \t:\r\n "QUJD" , "id" : 12 , "ok" : true , "n" : null }\n ',
  // values of every kind for the dropped key and next to it
  '{"deployment_data":null,"id":"1"}',
  '{"deployment_data":{"a":"}","b":["]"]},"id":-1.5e3}',
  '{"deployment_data":[1,"]",{"c":"\\"]"}],"x":false}',
  '{"deployment_data":12345678901234567890,"id":"big"}',
  // a key spelled with an escape is the same key; a key that only starts the same is another
  '{"deployment\\u005fdata":"x","deployment_data_size":3}',
  // non-ASCII bytes in kept and dropped strings (multi-byte sequences cut by the splits)
  '{"deployment_data":"é\\u00e9€","name":"naïve 🚀","id":"1"}',
  // nothing to drop; an empty object; not an object at all
  '{"id":"1","nested":{"a":[]}}',
  "{}",
  "[1,2,3]",
  '"deployment_data"',
];

describe("responses read without echoed fields (omitResponseFields)", function () {
  this.timeout(60000);

  describe("TopLevelFieldFilter", () => {
    for (const text of TRICKY) {
      it(`drops only the top-level key at every chunk boundary: ${text.trim().slice(0, 60)}`, () => {
        const want = JSON.stringify(dropTop(JSON.parse(text), KEYS));
        for (const pieces of splits(text)) {
          const { text: got, malformed } = filterIn(pieces, KEYS);
          assert.equal(malformed, false, `cut as ${pieces.map((p) => p.length).join("+")}`);
          assert.equal(
            JSON.stringify(JSON.parse(got)),
            want,
            `cut as ${pieces.map((p) => p.length).join("+")}: ${got}`,
          );
        }
      });
    }

    it("keeps everything when no key is listed, and drops several keys", () => {
      const text = '{"a":"1","b":{"a":2},"c":[3]}';
      assert.deepEqual(JSON.parse(filterIn([Buffer.from(text)], []).text), JSON.parse(text));
      assert.deepEqual(JSON.parse(filterIn([Buffer.from(text)], ["a", "c"]).text), { b: { a: 2 } });
    });

    it("reports a malformed or truncated object instead of repairing it", () => {
      const bad = [
        '{"id":"1" "deployment_data":"x"}', // missing comma
        '{"deployment_data":"x",,"id":1}', // double comma
        '{"id":1,"deployment_data":"x",}', // trailing comma
        '{"deployment_data":,"id":1}', // missing value
        '{"deployment_data" "x"}', // missing colon
        '{"id":"1","deployment_data":"QUJ', // cut in the dropped value
        '{"id":"1"', // cut before the end
      ];
      for (const text of bad) {
        for (const pieces of splits(text)) {
          assert.equal(filterIn(pieces, KEYS).malformed, true, `${text} cut as ${pieces.map((p) => p.length)}`);
        }
      }
    });
  });

  describe("against the emulator", () => {
    const emulator = useEmulator();
    let tmp: string;
    let dir: string;
    beforeEach(() => resetLimiters());
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doover-rss-"));
      dir = path.join(tmp, "deployment");
      fs.mkdirSync(path.join(dir, "cfg"), { recursive: true });
      fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services:\n  app:\n    image: x:1\n");
      // incompressible and > one 64 KiB socket chunk, so the echoed base64 spans many reads
      const blob = Buffer.alloc(700_000);
      for (let i = 0; i < blob.length; i++) blob[i] = (i * 2654435761) >>> 24;
      fs.writeFileSync(path.join(dir, "cfg", "blob.bin"), blob);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    afterEach(() => runtime.resetConfiguration());

    function client(): Client {
      return new Client({
        baseUrl: emulator.current.url,
        token: emulator.current.token,
        organisationId: emulator.current.organisationId,
        env: {},
        configPath: "/nonexistent/doover-config",
      });
    }

    it("application POST/PATCH with deployment data answer without it; GET keeps it", async () => {
      const c = client();
      const zip = deploymentZip(dir).data;
      const created = await c.applications.post(
        applicationBody(emulator.current, "echo_app", { deployment_data: zip.toString("base64") }) as never,
      );
      assert.equal("deployment_data" in created, false, "the echoed zip was left out");
      assert.equal(created.name, "echo_app");
      const id = String(created.id);
      const got = await c.applications.retrieve(id);
      assert.deepEqual(Buffer.from(String(got.deployment_data), "base64"), zip, "GET still returns the zip");

      const patched = await c.applications.patch(id, {
        display_name: "Echo 2",
        deployment_data: zip.toString("base64"),
      } as never);
      assert.equal("deployment_data" in patched, false);
      assert.equal(patched.display_name, "Echo 2");
      // Without deployment data in the body the answer is read as is.
      const plain = await c.applications.patch(id, { display_name: "Echo 3" } as never);
      assert.deepEqual(Buffer.from(String(plain.deployment_data), "base64"), zip);
    });

    it("a 2xx answer that is not JSON is still an error with the body (token redacted)", async () => {
      const token = emulator.current.token;
      const rest = new RestClient({
        baseUrl: emulator.current.url,
        token,
        fetch: async () =>
          new Response(`<html>proxy ${token} {"deployment_data":"x"`, {
            status: 200,
            headers: { "content-type": "text/html" },
          }),
      });
      await assert.rejects(
        rest.request({ method: "POST", path: "/applications/", body: {}, omitResponseFields: ["deployment_data"] }),
        (e: unknown) =>
          HTTPException.isInstance(e) &&
          /not JSON/.test((e as Error).message) &&
          !JSON.stringify((e as HTTPException).body).includes(token) &&
          String((e as HTTPException).body).includes("proxy ***"),
      );
    });

    it("provider create with a folder: same deploymentHash, full zip stored, echo never read whole", async () => {
      runtime.configure(stackConfig(emulatorConfig(emulator.current)));
      const wholeReads: string[] = [];
      const real = globalThis.fetch;
      globalThis.fetch = (async (url: string, init?: RequestInit) => {
        const res = await real(url, init);
        if (init?.method === "POST" && res.ok) {
          for (const m of ["text", "json", "arrayBuffer", "blob"] as const) {
            const orig = res[m].bind(res);
            (res as unknown as Record<string, unknown>)[m] = () => {
              wholeReads.push(`${init.method} ${m}`);
              return orig();
            };
          }
        }
        return res;
      }) as typeof fetch;
      try {
        const { inputs, failures } = await runtime.applications.check(
          {},
          { name: "rss_deploy", displayName: "R", type: "DEV", description: "d", deploymentFolder: dir },
        );
        assert.deepEqual(failures, []);
        const { id, outs } = await runtime.applications.create(inputs);
        assert.deepEqual(wholeReads, [], "the create's answer was streamed, not read whole");
        assert.equal(outs.deploymentHash, inputs.deploymentHash, "the hash check computed");
        assert.equal(JSON.stringify(outs).includes("deployment_data"), false);
        const live = await emulatorFetch(emulator.current, "GET", `/applications/${id}/`);
        const stored = Buffer.from(String(live.body.deployment_data), "base64");
        assert.deepEqual(stored, deploymentZip(dir).data, "the app stores the full zip");
        assert.equal(deploymentHash(stored), outs.deploymentHash);
        // refresh (GET) still sees the deployment: no drift.
        assert.equal((await runtime.applications.read(id, outs)).props!.deploymentHash, outs.deploymentHash);
      } finally {
        globalThis.fetch = real;
      }
    });
  });
});
