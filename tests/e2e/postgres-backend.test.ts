// A shared state backend (issue 18 §2): a user-style project (outside the repository, pulumi-doover from
// `npm pack`, the real CLI through `npm run pulumi`) keeps its state in PostgreSQL — a throw-away server from
// the machine's packages on loopback (tests/support/postgres.ts). The whole lifecycle, two CLIs on two stacks
// at once, Pulumi's lock message for a second `up` on a locked stack, and docs/recovery.md's steps after a
// kill -9 of the CLI mid-`up`. Outside CI, a machine without PostgreSQL does not register these tests and says
// so (the `npm test` summary lists it); in CI that is a failure.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { duplicates, liveObjects, runGroup, stateIds } from "../faults/support";
import { type Emulator, emulatorFetch, startTestEmulator } from "../support/emulator";
import { FaultProxy } from "../support/fault-proxy";
import { noteNotRun } from "../support/not-run";
import { inCi, type Postgres, postgresOrReason } from "../support/postgres";
import { e2eSkipped } from "../support/pulumi";
import { type CommandResult, UserProject } from "../support/user-project";

const PROJECT = "doover-pg";

/** `count` apps and `count` tunnels named after `prefix`; `label` goes into every app's display name. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const cfg = new pulumi.Config();
const count = cfg.requireNumber("count");
const prefix = cfg.require("prefix");
const deviceId = cfg.require("deviceId");
const label = cfg.get("label") ?? "v1";
const apps: DooverApplication[] = [];
for (let i = 0; i < count; i++) {
  apps.push(new DooverApplication(\`app-\${i}\`, {
    name: \`\${prefix}_app_\${i}\`,
    displayName: \`Site app \${i} \${label}\`,
    type: "processor",
    description: "Made by the PostgreSQL backend test.",
  }));
  new DooverTunnel(\`tunnel-\${i}\`, {
    deviceId,
    name: \`\${prefix}-tunnel-\${i}\`,
    hostname: "127.0.0.1",
    port: 9000 + i,
    protocol: "tcp",
  });
}
export const appIds = apps.map((a) => a.id);
`;

const started = e2eSkipped() ? undefined : postgresOrReason();
if (started && "reason" in started && !inCi()) {
  noteNotRun(
    "the PostgreSQL state backend tests (tests/e2e/postgres-backend.test.ts)",
    `${started.reason.replace(/\[ensure-postgres\] /g, "").replace(/\s*\n\s*/g, " ")} (in CI this fails)`,
  );
} else {
  describe("a shared state backend: PostgreSQL (user project, real CLI, `pulumi login postgres://…`)", function () {
    this.timeout(600_000);
    let pg: Postgres;
    let emulator: Emulator;
    let proxy: FaultProxy;
    let project: UserProject;
    /** Each stack's tunnels go to a device of its own (the lock test stalls one stack's device path). */
    const devices = new Map<string, string>();
    const device = (stack: string) => devices.get(stack) ?? emulator.deviceIds[0];

    before(async function () {
      if (e2eSkipped()) this.skip();
      if (!started || "reason" in started) throw new Error(`PostgreSQL is required in CI: ${started?.reason}`);
      pg = started.postgres;
      emulator = await startTestEmulator({ token: `pg-tok-${Date.now().toString(36)}` });
      proxy = await FaultProxy.start({ target: emulator.url });
      project = await UserProject.create({ program: PROGRAM, name: PROJECT });
      // The backend comes from `pulumi login` (saved in the project's PULUMI_HOME), not from the environment;
      // the password from PGPASSWORD, so it is in neither the login URL nor credentials.json.
      delete project.env.PULUMI_BACKEND_URL;
      project.env.PGPASSWORD = pg.password;
      await project.pulumiOk(["login", pg.urlWithoutPassword]);
    });
    after(async () => {
      await proxy?.close();
      await emulator?.close();
      await project?.dispose();
      pg?.stop();
    });

    async function initStack(stack: string, count: number): Promise<void> {
      devices.set(stack, emulator.deviceIds[devices.size % emulator.deviceIds.length]);
      await project.initStack(stack);
      const args = ["config", "set-all", "--stack", stack, "--secret", `doover:token=${emulator.token}`];
      const plain = {
        "doover:apiUrl": proxy.url,
        "doover:organisationId": emulator.organisationId,
        deviceId: device(stack),
        count: String(count),
        prefix: stack.replace(/-/g, "_"),
      };
      for (const [k, v] of Object.entries(plain)) args.push("--plaintext", `${k}=${v}`);
      await project.pulumiOk(args);
    }

    const op = (cmd: string, stack: string, extra: string[] = []) => [
      cmd,
      "--yes",
      "--skip-preview",
      "--non-interactive",
      "--color",
      "never",
      "--stack",
      stack,
      ...extra,
    ];
    /** A `pulumi` run that must succeed, with its output in the failure message. */
    async function ok(args: string[]): Promise<CommandResult> {
      const r = await project.pulumi(args);
      assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${r.output}`);
      return r;
    }
    /** Keys of this project's rows in Pulumi's table (`pulumi_state`) matching a LIKE pattern. */
    const keys = (like: string) =>
      pg.sql(`SELECT key FROM pulumi_state WHERE key LIKE '${like}' ORDER BY key`).split("\n").filter(Boolean);
    const checkpointKey = (stack: string) => `%/.pulumi/stacks/${PROJECT}/${stack}.json`;
    const lockKeys = (stack: string) => keys(`%/.pulumi/locks/%/${PROJECT}/${stack}/%`);

    /** 0 duplicates, 0 orphans, every declared object exists, and the next preview is empty. */
    async function converged(stack: string, count: number): Promise<void> {
      const prefix = stack.replace(/-/g, "_");
      const live = await liveObjects(emulator, device(stack), prefix);
      assert.deepEqual(duplicates([...live.apps, ...live.tunnels]), [], "no duplicate");
      assert.deepEqual([live.apps.length, live.tunnels.length], [count, count], "every object exists");
      project.stack = stack;
      const state = await stateIds(project);
      assert.deepEqual([...state.apps].sort(), live.apps.map((a) => a.id).sort(), "apps in state = apps in the API");
      assert.deepEqual([...state.tunnels].sort(), live.tunnels.map((t) => t.id).sort(), "tunnels: the same");
      await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", stack]);
    }

    it("up, update, refresh, destroy: the state is rows in PostgreSQL, the password in no file", async () => {
      const stack = "site-lifecycle";
      const whoami = await project.pulumiOk(["whoami", "--verbose"]);
      assert.match(whoami, new RegExp(`Backend URL: postgres://pulumi@127\\.0\\.0\\.1:${pg.port}/`), whoami);
      const credentials = fs.readFileSync(path.join(project.env.PULUMI_HOME!, "credentials.json"), "utf8");
      assert.ok(!credentials.includes(pg.password), "the password is not saved by `pulumi login`");

      await initStack(stack, 3);
      await ok(op("up", stack));
      assert.equal(keys(checkpointKey(stack)).length, 1, "the checkpoint is a row of pulumi_state");
      await converged(stack, 3);
      const ids = await stateIds(project);

      // update: a new display name for every app, in place (same ids).
      await project.setConfig("label", "v2");
      const update = await ok(op("up", stack));
      assert.match(update.stdout, /3 updated/, update.output);
      for (const id of ids.apps) {
        const live = (await emulatorFetch(emulator, "GET", `/applications/${id}/`)).body;
        assert.match(live.display_name, / v2$/);
      }

      // refresh: a change made outside the stack is read back into the state kept in PostgreSQL.
      const app0 = (await project.resources())["app-0"].id;
      await emulatorFetch(emulator, "PATCH", `/applications/${app0}/`, { display_name: "Renamed in the UI" });
      const refresh = await ok(op("refresh", stack));
      assert.match(refresh.stdout, /1 updated/, refresh.output);
      assert.equal((await project.resources())["app-0"].outputs?.displayName, "Renamed in the UI");
      await ok(op("up", stack)); // and the program's value goes back
      assert.match((await emulatorFetch(emulator, "GET", `/applications/${app0}/`)).body.display_name, / v2$/);

      assert.ok(keys(`%/.pulumi/history/${PROJECT}/${stack}/%`).length >= 4, "each update's history is kept");
      assert.equal(keys(`${checkpointKey(stack)}.bak`).length, 1, "and the checkpoint's backup");
      await ok(op("destroy", stack));
      const left = await liveObjects(emulator, device(stack), stack.replace(/-/g, "_"));
      assert.deepEqual([left.apps.length, left.tunnels.length], [0, 0], "destroy archived/deleted everything");
      await project.pulumiOk(["stack", "rm", "--yes", "--stack", stack]);
      assert.deepEqual(keys(checkpointKey(stack)), [], "stack rm removed the checkpoint row");
    });

    it("two CLIs on two stacks at once both succeed; a second `up` on a locked stack gets Pulumi's lock message", async () => {
      const [a, b] = ["site-north", "site-south"];
      await initStack(a, 4);
      await initStack(b, 4);
      // Stack a's first request to its device hangs for 20 s (then is retried): its `up` holds the lock at least
      // that long, so the third command surely meets it, however slow the machine.
      proxy.configure({ pathPrefix: `/devices/${device(a)}/`, stall: { probability: 1, max: 1, stallMs: 20_000 } });
      let third: CommandResult | undefined;
      let locksSeen: string[] = [];
      try {
        const upA = project.pulumi(op("up", a));
        const upB = project.pulumi(op("up", b));
        for (let i = 0; i < 600 && !locksSeen.length; i++) {
          locksSeen = lockKeys(a);
          if (!locksSeen.length) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(locksSeen.length, 1, "stack a's `up` holds a lock row");
        third = await project.pulumi(op("up", a));
        const [ra, rb] = await Promise.all([upA, upB]);
        assert.equal(ra.code, 0, `up ${a}:\n${ra.output}`);
        assert.equal(rb.code, 0, `up ${b}:\n${rb.output}`);
      } finally {
        proxy.configure({});
      }
      assert.notEqual(third.code, 0, "the second `up` on a locked stack fails");
      assert.match(third.output, /the stack is currently locked by 1 lock\(s\)/, third.output);
      assert.match(third.output, /pulumi cancel/, third.output);
      // The lock's address is shown with the credentials masked.
      assert.match(third.output, new RegExp(`postgres://\\*+:\\*+@127\\.0\\.0\\.1:${pg.port}/`), third.output);
      assert.ok(!third.output.includes(pg.password));
      assert.deepEqual(lockKeys(a), [], "the lock is gone once the `up` holding it ended");
      await converged(a, 4);
      await converged(b, 4);
    });

    it("kill -9 of the CLI mid-`up`: docs/recovery.md's steps converge (lock → cancel, adoptExisting, clear pending creates)", async () => {
      const stack = "site-killed";
      const count = 8;
      await initStack(stack, count);
      // Slow, and a few app creates committed by the API but never answered: the kill leaves objects that
      // exist but are not in state, and the lock of the killed run.
      proxy.configure({
        ratePerSecond: 6,
        pathPrefix: "/applications/",
        stall: { probability: 0.5, max: 3, stallMs: 60_000 },
        seed: 11,
      });
      const stalledBefore = proxy.stats.stalled;
      let killed = false;
      const r = await runGroup(project, op("up", stack, ["--parallel", "8"]), (pid) => {
        const poll = setInterval(() => {
          void liveObjects(emulator, device(stack), stack.replace(/-/g, "_")).then((live) => {
            if (killed || proxy.stats.stalled <= stalledBefore || live.apps.length + live.tunnels.length < count)
              return;
            killed = true;
            clearInterval(poll);
            process.kill(-pid, "SIGKILL");
          });
        }, 100);
      });
      proxy.configure({});
      assert.equal(killed, true, `up ended before the kill:\n${r.output}`);
      // A checkpoint is one row written by one statement: whatever the kill interrupted, it parses.
      const checkpoint = pg.sql(`SELECT data::text FROM pulumi_state WHERE key LIKE '${checkpointKey(stack)}'`);
      const stored = JSON.parse(Buffer.from(JSON.parse(checkpoint).data, "base64").toString("utf8"));
      assert.equal(typeof stored.checkpoint, "object", "the stored checkpoint is whole");
      assert.equal(lockKeys(stack).length, 1, "the killed run's lock is left behind");

      // The documented steps, in order, each one because the CLI asks for it.
      const locked = await project.pulumi(op("up", stack));
      assert.notEqual(locked.code, 0);
      assert.match(locked.output, /the stack is currently locked by 1 lock\(s\).*pulumi cancel/s, locked.output);
      await project.pulumiOk(["cancel", "--yes", "--stack", stack]);
      assert.deepEqual(lockKeys(stack), [], "`pulumi cancel` deleted the lock row");
      const clash = await project.pulumi(op("up", stack));
      assert.notEqual(clash.code, 0, "objects made by the killed run are reported, not duplicated");
      assert.match(clash.output, /pulumi up -c doover:adoptExisting=true/, clash.output);
      for (const out of [locked.output, clash.output]) assert.doesNotMatch(out, /failed to load checkpoint/);
      assert.match(clash.output, /pending operations/, "the killed run's in-flight creates are pending operations");
      await ok(op("up", stack, ["-c", "doover:adoptExisting=true"]));
      await project.pulumiOk(["config", "rm", "doover:adoptExisting", "--stack", stack]);
      await ok(op("refresh", stack, ["--clear-pending-creates"]));
      await converged(stack, count);
      const after = await project.preview();
      assert.doesNotMatch(after.output, /pending operations/, "the pending creates are gone from the checkpoint");
    });
  });
}
