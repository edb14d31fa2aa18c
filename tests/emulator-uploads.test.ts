// Form bodies and file uploads over real HTTP: multipart/form-data and x-www-form-urlencoded
// writes (the spec allows both beside JSON), doover-cli's artwork PATCH, and the
// processor_source/ and widget/ uploads of `doover app publish`.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("emulator form bodies and uploads", function () {
  const emu = useEmulator();
  const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
    emulatorFetch(emu.current, method, p, body, headers);
  /** A request with a raw (form) body; fetch sets the multipart boundary itself. */
  const send = async (
    method: string,
    p: string,
    body: FormData | URLSearchParams | string,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${emu.current.url}${p}`, {
      method,
      headers: { Authorization: `Bearer ${emu.current.token}`, ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : null };
  };
  const createApp = async (name: string, extra: Record<string, unknown> = {}) => {
    const r = await call("POST", "/applications/", applicationBody(emu.current, name, extra));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const file = (bytes: Buffer, type = "application/octet-stream") => new Blob([new Uint8Array(bytes)], { type });

  it("PATCH /applications/{id}/ takes multipart/form-data: fields as DRF reads them, artwork kept", async function () {
    const app = await createApp("artful", { image_name: "old/image:1" });
    const icon = Buffer.from("\x89PNG\r\n\x1a\n fake icon bytes", "binary");
    const banner = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>");
    const form = new FormData();
    form.append("display_name", "Artful App");
    form.append("stars", "7");
    form.append("allow_many", "true");
    form.append("config_schema", JSON.stringify({ type: "object", properties: { a: { type: "integer" } } }));
    form.append("depends_on", "first_app");
    form.append("depends_on", "second_app");
    form.append("container_registry_profile_id", ""); // "" is null for a nullable field
    form.append("icon", file(icon, "image/png"), "icon.png");
    form.append("banner", file(banner, "image/svg+xml"), "banner.svg");
    const r = await send("PATCH", `/applications/${app.id}/`, form);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.display_name, "Artful App");
    assert.equal(r.body.stars, 7);
    assert.equal(r.body.allow_many, true);
    assert.deepEqual(r.body.config_schema, { type: "object", properties: { a: { type: "integer" } } });
    assert.deepEqual(r.body.depends_on, ["first_app", "second_app"]);
    assert.equal(r.body.container_registry_profile, null);
    assert.equal(r.body.image_name, "old/image:1", "fields not in the form stay");
    assert.equal(r.body.icon_url, null, "artwork is not a URL field");
    const uploads = emu.current.uploads().filter((u) => u.application_id === app.id);
    assert.deepEqual(uploads.map((u) => [u.kind, u.filename, u.content_type, u.size, u.sha256]).sort(), [
      ["banner", "banner.svg", "image/svg+xml", banner.length, sha256(banner)],
      ["icon", "icon.png", "image/png", icon.length, sha256(icon)],
    ]);
    const listed = (await fetch(`${emu.current.url}/_emulator/uploads/`).then((x) => x.json())) as {
      application_name: string;
    }[];
    assert.equal(listed.length, 2);
    assert.equal(listed[0].application_name, "artful");
  });

  it("validates form fields like JSON ones and rejects bad JSON text", async function () {
    const app = await createApp("formcheck");
    const form = new FormData();
    form.append("type", "NOPE");
    form.append("stars", "many");
    form.append("ui_schema", "{not json");
    const r = await send("PATCH", `/applications/${app.id}/`, form);
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(Object.keys(r.body.error).sort(), ["ui_schema"]);
    form.delete("ui_schema");
    const r2 = await send("PATCH", `/applications/${app.id}/`, form);
    assert.equal(r2.status, 400, r2.text);
    assert.deepEqual(Object.keys(r2.body.error).sort(), ["stars", "type"]);
  });

  it("creates applications and tunnels from x-www-form-urlencoded and multipart bodies", async function () {
    const e = emu.current;
    const fields = new URLSearchParams({
      name: "urlencoded_app",
      display_name: "Form App",
      description: "Made from a form",
      type: "DEV",
      visibility: "PRI",
      organisation_id: e.organisationId,
      container_registry_profile_id: "",
    });
    fields.append("depends_on", "x_app");
    const r = await send("POST", "/applications/", fields);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.type, "DEV");
    assert.deepEqual(r.body.depends_on, ["x_app"]);
    assert.equal(r.body.organisation.id, e.organisationId);

    const t = new FormData();
    for (const [k, v] of Object.entries({
      name: "ssh",
      hostname: "10.0.0.9",
      port: "22",
      protocol: "tcp",
      ip_restricted: "true",
    }))
      t.append(k, v);
    const tr = await send("POST", `/devices/${e.deviceIds[0]}/tunnels/`, t);
    assert.equal(tr.status, 201, tr.text);
    assert.equal(tr.body.port, 22);
    assert.equal(tr.body.ip_restricted, true);
    const bad = await send("POST", "/applications/", "x", { "Content-Type": "multipart/form-data" });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.body.detail, /boundary/);
    const text = await send("POST", "/applications/", "x", { "Content-Type": "text/plain" });
    assert.equal(text.status, 415, text.text);
  });

  it("PUT processor_source/ keeps the uploaded package (200, no body) for PRO/INT/REP apps only", async function () {
    const pro = await createApp("processor_app", { type: "PRO" });
    const zip = Buffer.concat([Buffer.from("PK\x03\x04", "binary"), Buffer.alloc(300, 7)]);
    const form = new FormData();
    form.append("file", file(zip, "application/zip"), "package.zip");
    const r = await send("PUT", `/applications/${pro.id}/processor_source/`, form);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, "");
    const [u] = emu.current.uploads();
    assert.deepEqual(
      { ...u },
      {
        application_id: pro.id,
        application_name: "processor_app",
        kind: "processor_source",
        filename: "package.zip",
        content_type: "application/zip",
        size: zip.length,
        sha256: sha256(zip),
      },
    );
    // a second upload replaces the first
    const again = new FormData();
    again.append("file", file(Buffer.from("PK v2")), "package.zip");
    assert.equal((await send("PUT", `/applications/${pro.id}/processor_source/`, again)).status, 200);
    assert.equal(emu.current.uploads()[0].size, 5);

    const dev = await createApp("device_app", { type: "DEV" });
    const d = await send("PUT", `/applications/${dev.id}/processor_source/`, form);
    assert.equal(d.status, 400, d.text);
    assert.match(d.body.error.file[0], /DEV application has no processor source/);
    assert.equal((await send("PUT", "/applications/1/processor_source/", form)).status, 404);
  });

  it("PUT widget/ keeps the widget file; both uploads need a multipart `file`", async function () {
    const app = await createApp("widget_app", { type: "DEV" });
    const js = Buffer.from("export default function Widget() {}");
    const form = new FormData();
    form.append("file", file(js, "text/javascript"), "widget.js");
    const r = await send("PUT", `/applications/${app.id}/widget/`, form);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      emu.current.uploads().map((u) => [u.kind, u.size, u.sha256]),
      [["widget", js.length, sha256(js)]],
    );
    for (const p of [`/applications/${app.id}/widget/`, `/applications/${app.id}/processor_source/`]) {
      const none = await send("PUT", p, new FormData());
      assert.equal(none.status, 400, none.text);
      assert.deepEqual(none.body.error, { file: ["No file was submitted."] });
      const asText = new FormData();
      asText.append("file", "not a file");
      const t = await send("PUT", p, asText);
      assert.equal(t.status, 400, t.text);
      assert.match(t.body.error.file[0], /not a file/);
      const empty = new FormData();
      empty.append("file", file(Buffer.alloc(0)), "empty.bin");
      assert.match((await send("PUT", p, empty)).body.error.file[0], /empty/);
      const json = await call("PUT", p, { file: "x" });
      assert.equal(json.status, 415, JSON.stringify(json.body));
    }
    assert.equal(emu.current.uploads().length, 1, "failed uploads leave nothing behind");
  });

  it("reset forgets uploads", async function () {
    const app = await createApp("forgotten", { type: "PRO" });
    const form = new FormData();
    form.append("file", file(Buffer.from("PK")), "package.zip");
    await send("PUT", `/applications/${app.id}/processor_source/`, form);
    assert.equal(emu.current.uploads().length, 1);
    emu.current.reset();
    assert.deepEqual(emu.current.uploads(), []);
  });
});
