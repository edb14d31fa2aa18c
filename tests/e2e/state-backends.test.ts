// A team's state backend instead of the clone's .pulumi-state/ (issue 16 item 11, docs/teams.md "State
// backends"): PostgreSQL, as `pulumi login postgres://…` through `npm run pulumi` (scripts/pulumi.sh honours
// the login). The stack written from one checkout is there for another (its own HOME and sandbox) and nothing
// lands in the clone. Runs a throw-away PostgreSQL server from the machine's binaries; skipped without them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startTestEmulator } from "../support/emulator";
import { e2eSkipped, REPO_ROOT } from "../support/pulumi";
import { UserProject } from "../support/user-project";

const PROGRAM = `import { DooverApplication } from "pulumi-doover";
const app = new DooverApplication("shared-app", {
  name: "team_shared_app",
  displayName: "Shared",
  type: "processor",
  description: "State in PostgreSQL.",
});
export const appId = app.applicationId;
`;

/** The newest PostgreSQL server binaries on the machine (Debian layout), if any. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], "bin") : undefined;
}

/** A PostgreSQL server in a temp dir on 127.0.0.1 (as user postgres when we are root: initdb refuses root). */
class TempPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(bin: string): Promise<TempPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-pg-"));
    const port = await freePort();
    const pg = new TempPostgres(dir, port, bin);
    if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
    pg.sh(`"${bin}/initdb" -D "${dir}/data" -U postgres --auth=trust >/dev/null`);
    pg.sh(
      `"${bin}/pg_ctl" -D "${dir}/data" -w -l "${dir}/log" ` +
        `-o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1" start >/dev/null`,
    );
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres?sslmode=disable`;
  }

  /** `psql -tAc <sql>` output. */
  query(sql: string): string {
    return this.sh(`"${this.bin}/psql" -h 127.0.0.1 -p ${this.port} -U postgres -tAc "${sql}"`).trim();
  }

  stop(): void {
    try {
      this.sh(`"${this.bin}/pg_ctl" -D "${this.dir}/data" -m immediate stop >/dev/null`);
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private sh(command: string): string {
    const root = process.getuid?.() === 0;
    return execFileSync(root ? "su" : "sh", root ? ["postgres", "-s", "/bin/sh", "-c", command] : ["-c", command], {
      encoding: "utf8",
      cwd: "/",
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe("e2e state in PostgreSQL through `npm run pulumi -- login postgres://…` (docs/teams.md)", function () {
  this.timeout(600_000);
  const bin = postgresBin();
  let pg: TempPostgres | undefined;
  let emulator: Emulator | undefined;
  const projects: UserProject[] = [];

  /** A checkout of the team's program: its own sandbox and HOME, logged in to the shared backend. */
  async function checkout(): Promise<UserProject> {
    const project = await UserProject.create({ program: PROGRAM, name: "team-infra" });
    projects.push(project);
    delete project.env.PULUMI_BACKEND_URL; // the harness's per-sandbox file backend: use the login instead
    const login = await project.pulumi(["login", pg!.url]);
    assert.equal(login.code, 0, login.output);
    return project;
  }

  before(async function () {
    if (e2eSkipped() || !bin) this.skip(); // no PostgreSQL on this machine
    pg = await TempPostgres.start(bin!);
    emulator = await startTestEmulator({ token: "pg-backend-token-8a1f" });
  });
  after(async () => {
    for (const p of projects) await p.dispose();
    await emulator?.close();
    pg?.stop();
  });

  it("a stack written from one checkout is in the database, not in the clone, and another checkout carries on", async () => {
    const first = await checkout();
    const whoami = await first.pulumiOk(["whoami", "--verbose"]);
    assert.match(whoami, new RegExp(`Backend URL: postgres://postgres@127\\.0\\.0\\.1:${pg!.port}/postgres`));
    await first.initStack("dev");
    await first.useApi(emulator!);
    const up = await first.up();
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /stacks are kept in/, "no clone-state note: the login is used");
    const appId = String((await first.outputs()).appId);
    assert.ok(
      Number(pg!.query("select count(*) from pulumi_state where key like '%/stacks/team-infra/dev.json'")) === 1,
      "the checkpoint is a row of the database",
    );
    assert.ok(
      !fs.existsSync(path.join(REPO_ROOT, ".pulumi-state", ".pulumi", "stacks", "team-infra")),
      "nothing in the clone",
    );

    // Another checkout (another machine, or this one after deleting the clone): same program, same stack file.
    const second = await checkout();
    fs.copyFileSync(path.join(first.dir, "Pulumi.dev.yaml"), path.join(second.dir, "Pulumi.dev.yaml"));
    await second.pulumiOk(["stack", "select", "dev"]);
    assert.equal(String((await second.outputs()).appId), appId);
    const preview = await second.preview(["--expect-no-changes"]);
    assert.equal(preview.code, 0, preview.output);
    const destroy = await second.destroy();
    assert.equal(destroy.code, 0, destroy.output);
    assert.deepEqual(await first.resources(), {}, "the first checkout sees the destroy");
  });
});
