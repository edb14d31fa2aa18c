// Issue 15 §3: symbolic links in a deployment folder (a link out of it must not upload its target's contents),
// loops and dangling links named by the link's path, one file list for hash, zip and size check, and the SDK
// enforcing the same 256 MiB limit as preview.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deploymentHash } from "../provider/application/application-fields";
import * as runtime from "../provider/runtime";
import {
  Application,
  DEPLOYMENT_FOLDER_MAX_BYTES,
  DeploymentFolderLinkError,
  DeploymentFolderTooLarge,
  deploymentUpload,
  deploymentZip,
  hashDeploymentFolder,
  listDeploymentFiles,
  readZip,
} from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { emulatorClient, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, writes } from "./support/provider-host";

describe("deployment folders: symbolic links and the SDK's size limit", function () {
  this.timeout(60000);
  const emulator = useEmulator();
  let tmp: string;
  let n = 0;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doover-links-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    resetLimiters();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  /** A fresh project folder with `deployment/docker-compose.yml` and a secret file beside (outside) it. */
  function project(): { root: string; dir: string; secret: string } {
    const root = path.join(tmp, `p${n++}`);
    const dir = path.join(root, "deployment");
    fs.mkdirSync(path.join(dir, "releases"), { recursive: true });
    fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services: {}\n");
    fs.writeFileSync(path.join(dir, "releases", "v1.yml"), "image: app:1\n");
    fs.writeFileSync(path.join(dir, "releases", "v2.yml"), "image: app:2\n");
    const secret = path.join(root, "secret.txt");
    fs.writeFileSync(secret, "root:x:0:0:do not upload me\n");
    return { root, dir, secret };
  }

  const linkError = (fn: () => unknown): DeploymentFolderLinkError => {
    try {
      fn();
    } catch (e) {
      assert.ok(DeploymentFolderLinkError.isInstance(e), `expected DeploymentFolderLinkError, got ${String(e)}`);
      return e as DeploymentFolderLinkError;
    }
    assert.fail("no error");
  };

  async function checkFailures(folder: string): Promise<string[]> {
    const news = { name: "linked_app", displayName: "L", type: "DEV", description: "d", deploymentFolder: folder };
    return (await runtime.applications.check({}, news)).failures.map((f) => `${f.property}: ${f.reason}`);
  }

  it("a link to a file outside the folder fails hash, zip, preview and the SDK, naming the link and its target; nothing is sent", async () => {
    const { root, dir, secret } = project();
    fs.mkdirSync(path.join(dir, "conf"));
    fs.symlinkSync(secret, path.join(dir, "conf", "passwd"));
    for (const fn of [() => hashDeploymentFolder(dir), () => deploymentZip(dir), () => deploymentUpload(dir)]) {
      const e = linkError(fn);
      assert.equal(e.link, "conf/passwd");
      assert.equal(e.target, secret);
      assert.equal(e.reason, "outside");
    }
    const failures = await checkFailures(dir);
    assert.equal(failures.length, 1);
    assert.match(
      failures[0],
      /^deploymentFolder: deploymentFolder .*: the link conf\/passwd points to .*secret\.txt.*outside the deployment folder/,
    );

    fs.writeFileSync(
      path.join(root, "doover_config.json"),
      JSON.stringify({ linked: { name: "linked", type: "DEV" } }),
    );
    const app = Application.loadConfigFile(path.join(root, "doover_config.json"))[0];
    assert.ok(DeploymentFolderLinkError.isInstance(catching(() => app.deploymentZip())));
    const client = emulatorClient(emulator.current);
    const e = await client
      .createApplication(Object.assign(app, { displayName: "L", description: "d", visibility: "PRI" }))
      .catch((x: unknown) => x);
    assert.ok(DeploymentFolderLinkError.isInstance(e), String(e));
    assert.deepEqual(writes(emulator.current), [], "nothing was uploaded");
  });

  it("a relative link climbing out (../) and a directory link out of the folder fail the same way", () => {
    const { dir } = project();
    fs.symlinkSync("../secret.txt", path.join(dir, "up"));
    assert.equal(linkError(() => hashDeploymentFolder(dir)).target, "../secret.txt");
    fs.rmSync(path.join(dir, "up"));
    fs.symlinkSync(os.tmpdir(), path.join(dir, "tmpdir"));
    const e = linkError(() => listDeploymentFiles(dir));
    assert.equal(e.link, "tmpdir");
    assert.equal(e.reason, "outside");
  });

  it("links inside the folder are followed once: a file link's bytes under its own name, a directory link's files under its path; hash and zip agree", () => {
    const { dir } = project();
    fs.symlinkSync(path.join("releases", "v2.yml"), path.join(dir, "current.yml"));
    fs.symlinkSync("releases", path.join(dir, "active"));
    const files = listDeploymentFiles(dir);
    assert.deepEqual(files, [
      "active/v1.yml",
      "active/v2.yml",
      "current.yml",
      "docker-compose.yml",
      "releases/v1.yml",
      "releases/v2.yml",
    ]);
    const zip = deploymentZip(dir).data;
    const entries = readZip(zip);
    assert.deepEqual([...entries.keys()], files);
    assert.equal(entries.get("current.yml")!.toString(), "image: app:2\n");
    const summary = hashDeploymentFolder(dir);
    assert.equal(summary.files, files.length);
    assert.equal(summary.hash, deploymentHash(zip), "the hash covers exactly the zip's files");
    assert.equal(
      summary.bytes,
      [...entries.values()].reduce((a, b) => a + b.length, 0),
      "and the size check too",
    );
  });

  it("loops fail with the link's path (not a raw ELOOP listing self/self/…); so does a dangling link", async () => {
    const cases: [string, (dir: string) => void, string, DeploymentFolderLinkError["reason"]][] = [
      ["self", (d) => fs.symlinkSync(".", path.join(d, "self")), "self", "loop"],
      [
        "parent (the folder itself)",
        (d) => fs.symlinkSync("..", path.join(d, "releases", "up")),
        "releases/up",
        "loop",
      ],
      ["parent of the folder", (d) => fs.symlinkSync("..", path.join(d, "up")), "up", "outside"],
      ["back to the folder", (d) => fs.symlinkSync(d, path.join(d, "releases", "again")), "releases/again", "loop"],
      [
        "two links",
        (d) => {
          fs.symlinkSync("b", path.join(d, "a"));
          fs.symlinkSync("a", path.join(d, "b"));
        },
        "a",
        "loop",
      ],
      ["dangling", (d) => fs.symlinkSync("missing.yml", path.join(d, "gone.yml")), "gone.yml", "missing"],
    ];
    for (const [what, make, link, reason] of cases) {
      const { dir } = project();
      make(dir);
      const e = linkError(() => hashDeploymentFolder(dir));
      assert.equal(e.link, link, what);
      assert.equal(e.reason, reason, what);
      assert.doesNotMatch(e.message, /ELOOP|self\/self/, what);
      const failures = await checkFailures(dir);
      assert.equal(failures.length, 1, what);
      assert.ok(failures[0].includes(`the link ${link} points to`), `${what}: ${failures[0]}`);
    }
  });

  it("the SDK refuses a folder over 256 MiB (a 257 MiB sparse file) before sending anything, like preview", async () => {
    const { root, dir } = project();
    const big = path.join(dir, "big.bin");
    fs.closeSync(fs.openSync(big, "w"));
    fs.truncateSync(big, DEPLOYMENT_FOLDER_MAX_BYTES + 1024 * 1024); // sparse: no disk used
    const tooLarge = (fn: () => unknown) => {
      const e = catching(fn);
      assert.ok(DeploymentFolderTooLarge.isInstance(e), `expected DeploymentFolderTooLarge, got ${String(e)}`);
      assert.match((e as Error).message, /holds 257\.0 MiB .* at most 256\.0 MiB/);
    };
    tooLarge(() => deploymentZip(dir));
    tooLarge(() => hashDeploymentFolder(dir));
    fs.writeFileSync(path.join(root, "doover_config.json"), JSON.stringify({ big: { name: "big", type: "DEV" } }));
    const app = Object.assign(Application.loadConfigFile(path.join(root, "doover_config.json"))[0], {
      displayName: "Big",
      description: "d",
      visibility: "PRI",
    });
    tooLarge(() => app.deploymentZip());
    tooLarge(() => app.toPayload({ includeDeploymentData: true }));
    const client = emulatorClient(emulator.current);
    const e = await client.createApplication(app).catch((x: unknown) => x);
    assert.ok(DeploymentFolderTooLarge.isInstance(e), String(e));
    assert.deepEqual(writes(emulator.current), [], "nothing was sent");
    assert.ok((await checkFailures(dir))[0].includes("at most 256.0 MiB"));
  });
});

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
