// A team's state backend instead of the clone's .pulumi-state/ (issue 16 item 11, docs/teams.md "State
// backends"): PostgreSQL, as `pulumi login postgres://…` through `npm run pulumi` (scripts/pulumi.sh honours
// the login). The stack written from one checkout is there for another (its own HOME and sandbox) and nothing
// lands in the clone. Runs a throw-away PostgreSQL server from the machine's binaries (tests/support/postgres.ts);
// outside CI a machine without them does not register the test and says so, in CI that fails.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Emulator, startTestEmulator } from "../support/emulator";
import { noteNotRun } from "../support/not-run";
import { inCi, type Postgres, postgresOrReason } from "../support/postgres";
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

const started = e2eSkipped() ? undefined : postgresOrReason();
if (started && "reason" in started && !inCi()) {
  noteNotRun(
    "the shared-state tests (tests/e2e/state-backends.test.ts)",
    `${started.reason.replace(/\[ensure-postgres\] /g, "").replace(/\s*\n\s*/g, " ")} (in CI this fails)`,
  );
} else
  describe("e2e state in PostgreSQL through `npm run pulumi -- login postgres://…` (docs/teams.md)", function () {
    this.timeout(600_000);
    let pg: Postgres | undefined;
    let emulator: Emulator | undefined;
    const projects: UserProject[] = [];

    /** A checkout of the team's program: its own sandbox and HOME, logged in to the shared backend. */
    async function checkout(): Promise<UserProject> {
      const project = await UserProject.create({ program: PROGRAM, name: "team-infra" });
      projects.push(project);
      delete project.env.PULUMI_BACKEND_URL; // the harness's per-sandbox file backend: use the login instead
      project.env.PGPASSWORD = pg!.password;
      const login = await project.pulumi(["login", pg!.urlWithoutPassword]);
      assert.equal(login.code, 0, login.output);
      return project;
    }

    before(async function () {
      if (e2eSkipped()) this.skip();
      if (!started || "reason" in started) throw new Error(`PostgreSQL is required in CI: ${started?.reason}`);
      pg = started.postgres;
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
      assert.match(whoami, new RegExp(`Backend URL: postgres://pulumi@127\\.0\\.0\\.1:${pg!.port}/pulumi_state`));
      await first.initStack("dev");
      await first.useApi(emulator!);
      const up = await first.up();
      assert.equal(up.code, 0, up.output);
      assert.doesNotMatch(up.output, /stacks are kept in/, "no clone-state note: the login is used");
      const appId = String((await first.outputs()).appId);
      assert.ok(
        Number(pg!.sql("select count(*) from pulumi_state where key like '%/stacks/team-infra/dev.json'").trim()) === 1,
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
