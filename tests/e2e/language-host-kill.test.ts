// When the CLI dies without a word (SIGKILL, OOM killer, a cancelled CI job), the processes it started
// must not live on: our language host (scripts/pulumi-language-nodejs.js) and the program it runs exit
// on their own within a few seconds. Issue 8 "The local Node language host", issue 11 item 7.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { useUserProject } from "../support/user-project";

/** A program that makes one app, then keeps running (and writing) until something stops it. */
const SLOW_PROGRAM = `import * as fs from "node:fs";
import { DooverApplication } from "pulumi-doover";

const marker = process.env.SLOW_PROGRAM_MARKER!;
const app = new DooverApplication("slow-app", {
  name: "slow_app",
  displayName: "Slow App",
  type: "processor",
  visibility: "private",
  description: "Made by a program that never finishes.",
});
app.applicationId.apply((id) => {
  if (id) fs.writeFileSync(marker, String(process.pid));
});
setInterval(() => fs.appendFileSync(marker + ".ticks", "tick\\n"), 200);
`;

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmd: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(d), state: rest[0], ppid: Number(rest[1]), cmd });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const c of all) {
      if (c.ppid !== p || found.some((f) => f.pid === c.pid)) continue;
      found.push(c);
      queue.push(c.pid);
    }
  }
  return found;
}

/** Alive = exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, fn: () => T | undefined | false, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("e2e language host: SIGKILL of the CLI leaves no host, program or provider behind", function () {
  this.timeout(300_000);
  const ctx = useUserProject({
    program: SLOW_PROGRAM,
    stack: "dev",
    emulator: { token: "kill-test-token-91ab" },
    skip: () => process.platform !== "linux", // reads /proc
  });

  it("host, program and dynamic provider exit within a few seconds of `kill -9` of the running `pulumi up`", async () => {
    const marker = path.join(ctx.project.sandbox, "program.pid");
    const cli = ctx.project.spawnPulumi(["up", "--yes", "--non-interactive", "--skip-preview", "--stack", "dev"], {
      SLOW_PROGRAM_MARKER: marker,
    });
    let output = "";
    cli.stdout!.on("data", (d) => (output += d));
    cli.stderr!.on("data", (d) => (output += d));
    const exited = new Promise((resolve) => cli.on("exit", resolve));
    let tree: Proc[] = [];
    try {
      // Mid-up: the app exists and the program is still running.
      await waitFor("the program to make its app", () => fs.existsSync(marker), 180_000).catch((e) => {
        throw new Error(`${e.message}\n${output}`);
      });
      const programPid = Number(fs.readFileSync(marker, "utf8"));
      tree = descendants(cli.pid!);
      const host = tree.find((p) => p.cmd.includes("pulumi-language-nodejs"));
      assert.ok(host, `a language host under the CLI:\n${tree.map((p) => `${p.pid} ${p.cmd}`).join("\n")}`);
      assert.ok(
        tree.some((p) => p.pid === programPid),
        "the program runs under the CLI (started by the host)",
      );

      process.kill(cli.pid!, "SIGKILL");
      await exited;

      // Everything the CLI started: the host, the program, the dynamic-provider plugin.
      const left = await waitFor("the CLI's processes to exit", () => tree.every((p) => !alive(p.pid)), 15_000)
        .then(() => [])
        .catch(() => tree.filter((p) => alive(p.pid)));
      assert.deepEqual(
        left.map((p) => `${p.pid} ${p.cmd}`),
        [],
        "processes left running after the CLI was killed",
      );
      // The program stopped writing, too.
      const ticks = fs.readFileSync(`${marker}.ticks`, "utf8").length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(fs.readFileSync(`${marker}.ticks`, "utf8").length, ticks, "the program still writes");
    } finally {
      // Whatever is left (a failing run): gone, so the test leaves nothing behind.
      for (const p of [...tree, ...descendants(cli.pid!)]) if (alive(p.pid)) process.kill(p.pid, "SIGKILL");
      if (alive(cli.pid!)) process.kill(cli.pid!, "SIGKILL");
    }
  });
});
