// Issue 15 §2, as a user would: a project outside the repository (pulumi-doover from `npm pack`, the real CLI)
// whose DooverApplication comes from its doover_config.json.
// - A field the file sets to null (or "" for the nullable text fields) clears the cloud value: preview shows
//   the change, up PATCHes it (before: the value set in the portal silently stayed).
// - doover-cli treats display_name, description, visibility, allow_many, icon_url, banner_url and
//   repository_url as create-only (portal edits win); the resource keeps "declared wins", and `ignoreChanges`
//   on those properties gives doover-cli's behaviour: a portal edit survives `pulumi up --refresh`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { emulatorFetch } from "../support/emulator";
import { useUserProject } from "../support/user-project";
import { appByName, writes } from "./helpers";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication } from "pulumi-doover";

const config = new pulumi.Config();
// doover-cli's create-only fields: edited in the portal, kept by this stack when ignorePortal is set.
const portalOwned = ["displayName", "description", "visibility", "allowMany", "iconUrl", "bannerUrl", "repositoryUrl"];
const app = DooverApplication.fromConfig(
  "monitor",
  "doover_config.json",
  undefined,
  config.getBoolean("ignorePortal") ? { ignoreChanges: portalOwned } : undefined,
);
export const appId = app.applicationId;
`;

const ENTRY = {
  name: "tank_monitor_fields",
  display_name: "Tank Monitor",
  type: "DEV",
  visibility: "PRI",
  description: "Watches tank levels.",
};

describe("e2e user project: doover_config.json nulls clear; ignoreChanges keeps portal edits", function () {
  this.timeout(600_000);
  const ctx = useUserProject({ program: PROGRAM, name: "fields-user", stack: "dev" });
  const writeConfig = (entry: Record<string, unknown>) =>
    fs.writeFileSync(
      path.join(ctx.project.dir, "doover_config.json"),
      JSON.stringify({ [ENTRY.name]: { ...ENTRY, ...entry } }, null, 4),
    );
  const live = async () => (await appByName(ctx.emulator, ENTRY.name))!;
  const portalEdit = async (body: Record<string, unknown>) => {
    const r = await emulatorFetch(ctx.emulator, "PATCH", `/applications/${(await live()).id}/`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };

  it('a file that sets image_name: null and icon_url: "" clears what the portal set: preview shows it, up PATCHes it', async () => {
    writeConfig({});
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    await portalEdit({ image_name: "spaneng/tank:portal", icon_url: "https://portal.example/icon.png" });

    writeConfig({ image_name: null, icon_url: "", lambda_config: null });
    ctx.emulator.clearLog();
    const preview = await ctx.project.preview(["--diff"]);
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.output, /~ pulumi-nodejs:dynamic\/doover:Application: \(update\)/, preview.output);
    assert.match(preview.output, /~ 1 to update/);
    for (const key of ["imageName", "iconUrl", "lambdaConfig"])
      assert.match(preview.output, new RegExp(`${key}\\s*: <null>`));
    assert.deepEqual(writes(ctx.emulator), [], "preview writes nothing");

    const clear = await ctx.project.up();
    assert.equal(clear.code, 0, clear.output);
    const after = await live();
    assert.deepEqual([after.image_name, after.icon_url, after.lambda_config], [null, null, null]);
    assert.deepEqual(writes(ctx.emulator), [`PATCH /applications/${after.id}/`]);
    const again = await ctx.project.preview(["--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);
  });

  it("declared wins by default: `up --refresh` puts back a display name edited in the portal", async () => {
    writeConfig({});
    await ctx.project.setConfig("ignorePortal", "false");
    assert.equal((await ctx.project.up()).code, 0);
    await portalEdit({ display_name: "Renamed in the portal", description: "Portal text." });
    const up = await ctx.project.up(["--refresh"]);
    assert.equal(up.code, 0, up.output);
    const after = await live();
    assert.deepEqual([after.display_name, after.description], [ENTRY.display_name, ENTRY.description]);
  });

  it("with ignoreChanges on doover-cli's create-only fields, portal edits survive `up --refresh`; other fields still apply", async () => {
    writeConfig({});
    await ctx.project.setConfig("ignorePortal", "true");
    assert.equal((await ctx.project.up()).code, 0);
    await portalEdit({
      display_name: "Renamed in the portal",
      description: "Portal text.",
      visibility: "PUB",
      icon_url: "https://portal.example/new.png",
    });
    // The file also changes an ordinary field: that one is applied.
    writeConfig({ image_name: "spaneng/tank:2", display_name: "Changed in the file too" });
    ctx.emulator.clearLog();
    const up = await ctx.project.up(["--refresh"]);
    assert.equal(up.code, 0, up.output);
    const after = await live();
    assert.deepEqual(
      [after.display_name, after.description, after.visibility, after.icon_url, after.image_name],
      ["Renamed in the portal", "Portal text.", "PUB", "https://portal.example/new.png", "spaneng/tank:2"],
    );
    assert.deepEqual(writes(ctx.emulator), [`PATCH /applications/${after.id}/`]);
    const again = await ctx.project.preview(["--refresh", "--expect-no-changes"]);
    assert.equal(again.code, 0, again.output);
  });
});
