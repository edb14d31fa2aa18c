// A/B benchmark of the whole Pulumi CLI: N DooverApplications vs N trivial dynamic resources (the no-op
// baseline: create returns the inputs, diff compares displayName only) with the same inputs, in a user-style
// program outside the repository that installs pulumi-doover from `npm pack`. Not a test.
//
//   node dist/bench/cli-ab.js [--n 50] [--pairs 3] [--parallel 8,32] [--latency-ms 0]
//                             [--package <dir with a built dist/>] [--json <file>]
//                             [--profile <phase label prefix, e.g. refresh> --profile-dir <dir>] [--per-process]
//                             [--repeat refresh=5]   (a phase that changes nothing, run 5× per pair: more samples)
//                             [--phases up,refresh]  (only these: preview, up, preview-same, up-same, refresh,
//                                                     update, destroy; each pair starts from new stacks)
//
// For each --parallel value and each pair, one stack per kind; every phase runs for both kinds back to back
// (the order alternates between pairs), so both see the same machine load. Reported per phase: median over
// pairs of wall and CPU (user+sys of the CLI and every process it waited for: language host, program,
// provider host), their ratio DooverApplication / no-op, and the API calls the emulator saw. The emulator runs
// in this process; its CPU is not counted. --latency-ms delays every API response (emulator delay fault), and
// each phase is compared with the model of a remote API: no-op wall + API calls × latency ÷ --parallel.
import { execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../emulator";
import { ensurePulumiCli, REPO_ROOT } from "../tests/support/pulumi";

interface Options {
  n: number;
  pairs: number;
  parallel: number[];
  latencyMs: number;
  packageDir: string;
  json?: string;
  /** phase label prefix whose runs write V8 CPU profiles of every node process (`--cpu-prof`) */
  profilePhase?: string;
  profileDir?: string;
  /** also report CPU per kind of process (CLI, language host, program, provider host), polled from /proc */
  perProcess?: boolean;
  /** run the phases whose label starts with `repeatPhase` this many times per pair (A/B alternating) */
  repeatPhase?: string;
  repeat: number;
  /** only the phases with these keys */
  phases?: string[];
  /** "installs": N/2 applications + N/2 installs (one of each app) instead of N applications */
  mix?: "installs";
  /** record the peak RSS (VmHWM) of each kind of process, polled from /proc */
  rss?: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { n: 50, pairs: 3, parallel: [8], latencyMs: 0, packageDir: REPO_ROOT, repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case "--n":
        o.n = Number(v);
        i++;
        break;
      case "--pairs":
        o.pairs = Number(v);
        i++;
        break;
      case "--parallel":
        o.parallel = v.split(",").map(Number);
        i++;
        break;
      case "--latency-ms":
        o.latencyMs = Number(v);
        i++;
        break;
      case "--package":
        o.packageDir = path.resolve(v);
        i++;
        break;
      case "--json":
        o.json = path.resolve(v);
        i++;
        break;
      case "--profile":
        o.profilePhase = v;
        i++;
        break;
      case "--repeat": {
        const [label, times] = v.split("=");
        o.repeatPhase = label;
        o.repeat = Number(times);
        i++;
        break;
      }
      case "--phases":
        o.phases = v.split(",");
        i++;
        break;
      case "--mix":
        if (v !== "installs") throw new Error("--mix takes installs");
        o.mix = v;
        i++;
        break;
      case "--rss":
        o.rss = true;
        break;
      case "--per-process":
        o.perProcess = true;
        break;
      case "--profile-dir":
        o.profileDir = path.resolve(v);
        i++;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see the header of bench/cli-ab.ts)`);
    }
  }
  return o;
}

type Kind = "doover" | "noop";
const KINDS: Kind[] = ["doover", "noop"];

interface Phase {
  /** short name for --phases */
  key: string;
  label: string;
  args: string[];
  /** How many resources the program changes (update phase). */
  changed?: number;
}

function phases(n: number, parallel: number): Phase[] {
  const p = ["--parallel", String(parallel)];
  const tenth = Math.max(1, Math.round(n / 10));
  return [
    { key: "preview", label: "preview (fresh)", args: ["preview", ...p] },
    { key: "up", label: `up (${n} creates)`, args: ["up", "--yes", "--skip-preview", ...p] },
    { key: "preview-same", label: "preview (no changes)", args: ["preview", "--expect-no-changes", ...p] },
    { key: "up-same", label: "up (no changes)", args: ["up", "--yes", "--skip-preview", "--expect-no-changes", ...p] },
    { key: "refresh", label: "refresh", args: ["refresh", "--yes", "--skip-preview", ...p] },
    { key: "update", label: `update ${tenth} (10%)`, args: ["up", "--yes", "--skip-preview", ...p], changed: tenth },
    { key: "destroy", label: "destroy", args: ["destroy", "--yes", "--skip-preview", ...p], changed: tenth },
  ];
}

// The user's program: plain JavaScript, no build step. Same inputs for both kinds. N applications, or with
// BENCH_MIX=installs N/2 applications and an install of each on one of the devices (BENCH_DEVICES).
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const n = Number(process.env.BENCH_N);
const changed = Number(process.env.BENCH_CHANGED || 0);
const prefix = process.env.BENCH_PREFIX;
const mixed = process.env.BENCH_MIX === "installs";
const devices = (process.env.BENCH_DEVICES || "").split(",");
const apps = mixed ? Math.ceil(n / 2) : n;
const installs = n - apps;
// The update phase changes the display names of the first BENCH_CHANGED resources (half apps, half installs).
const changedApps = mixed ? Math.ceil(changed / 2) : changed;
const args = (i) => ({
  name: prefix + "_app_" + i,
  displayName: "Bench app " + i + (i < changedApps ? " v2" : ""),
  type: "PRO",
  description: "Benchmark application.",
});
const installArgs = (i, application) => ({
  application,
  deviceId: devices[i % devices.length],
  displayName: "Bench install " + i + (i < changed - changedApps ? " v2" : ""),
  deploymentConfig: { site: "bench", index: i },
});
if (process.env.BENCH_KIND === "doover") {
  const { DooverAppInstall, DooverApplication } = require("pulumi-doover");
  const made = [];
  for (let i = 0; i < apps; i++) made.push(new DooverApplication("app-" + i, args(i)));
  for (let i = 0; i < installs; i++) new DooverAppInstall("install-" + i, installArgs(i, made[i]));
} else {
  const provider = {
    async create(inputs) { return { id: inputs.name || "install-" + inputs.deploymentConfig.index, outs: inputs }; },
    async diff(id, olds, news) { return { changes: olds.displayName !== news.displayName }; },
    async update(id, olds, news) { return { outs: news }; },
  };
  class Noop extends pulumi.dynamic.Resource {
    constructor(name, props) { super(provider, name, props); }
  }
  const made = [];
  for (let i = 0; i < apps; i++) made.push(new Noop("app-" + i, args(i)));
  for (let i = 0; i < installs; i++) new Noop("install-" + i, installArgs(i, made[i].id));
}
`;

/** A program folder with its own package.json and node_modules/pulumi-doover unpacked from `npm pack`. */
function makeProject(root: string, packageDir: string): string {
  const project = path.join(root, "program");
  const nm = path.join(project, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", root], {
    cwd: packageDir,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  const pkgDir = path.join(nm, "pulumi-doover");
  fs.mkdirSync(pkgDir);
  execFileSync("tar", ["-xzf", path.join(root, tarball), "-C", pkgDir, "--strip-components=1"]);
  // The package's dependencies (and @pulumi/pulumi for the program) from the repository's install, linked.
  const repoModules = path.join(REPO_ROOT, "node_modules");
  for (const name of fs.readdirSync(repoModules)) {
    if (name === "pulumi-doover" || name === ".bin" || name.startsWith(".")) continue;
    fs.symlinkSync(path.join(repoModules, name), path.join(nm, name));
  }
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify(
      {
        name: "bench-program",
        private: true,
        main: "index.js",
        dependencies: { "pulumi-doover": `file:../${tarball}` },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: doover-bench\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
  );
  fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
  return project;
}

/** CPU seconds of this process's waited-for children (and theirs), from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK; // cutime + cstime
}
/** The API path `read` GETs for a resource in state. */
function readPath(r: { type: string; id?: string }): string {
  if (r.type.endsWith(":AppInstall")) return `/app_installs/${r.id}/`;
  if (r.type.endsWith(":Tunnel")) return `/tunnels/${r.id}/`;
  return `/applications/${r.id}/`;
}

/**
 * bench/bare-get.js over `paths` (its own timing: the process start is not counted). Asynchronous: the
 * emulator answering it runs in this process.
 */
function bareGets(
  root: string,
  emulator: Emulator,
  paths: string[],
  parallel: number,
): Promise<{ wall: number; cpu: number }> {
  const file = path.join(root, "bare-get-paths.txt");
  fs.writeFileSync(file, paths.join("\n"));
  const script = path.join(__dirname, "bare-get.js");
  const args = [
    script,
    "--url",
    emulator.url,
    "--token",
    emulator.token,
    "--paths",
    file,
    "--parallel",
    String(parallel),
  ];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { encoding: "utf8" }, (err, out, stderr) =>
      err ? reject(new Error(`bare-get: ${err.message}\n${stderr}`)) : resolve(JSON.parse(out)),
    ),
  );
}

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

interface Sample {
  wall: number;
  cpu: number;
  calls: Record<string, number>;
  /** CPU seconds per kind of process (--per-process): sampled from /proc every 10 ms, so approximate */
  processes?: Record<string, number>;
  /** peak RSS in KB per kind of process (--rss) */
  peakRssKb?: Record<string, number>;
}

/** Which of the CLI's processes a command line is. */
function processKind(cmdline: string): string {
  if (cmdline.includes("dynamic-provider")) return "provider host";
  if (cmdline.includes("cmd/run")) return "program";
  if (cmdline.includes("pulumi-language-nodejs")) return "language host";
  if (/(^|\/)pulumi(\s|$)/.test(cmdline)) return "CLI";
  return "other";
}

/** What a run's processes used, by kind of process: CPU seconds, and the largest peak RSS (VmHWM) in KB. */
interface ProcessUse {
  cpu: Record<string, number>;
  peakRssKb: Record<string, number>;
}

/** Polls /proc for the descendants of `root` and remembers each one's last CPU time and peak RSS. */
function watchProcesses(root: number, intervalMs: number): () => ProcessUse {
  const seen = new Map<number, { kind: string; cpu: number; hwm: number }>();
  const poll = () => {
    const parents = new Map<number, number>();
    const stats = new Map<number, string[]>();
    for (const name of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parents.set(Number(name), Number(fields[1]));
        stats.set(Number(name), fields);
      } catch {}
    }
    for (const [pid, fields] of stats) {
      let p = pid;
      for (let depth = 0; depth < 8 && p !== root && p > 1; depth++) p = parents.get(p) ?? 0;
      if (p !== root && pid !== root) continue;
      let entry = seen.get(pid);
      if (!entry) {
        let cmdline = "";
        try {
          cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
        } catch {}
        entry = { kind: processKind(cmdline), cpu: 0, hwm: 0 };
        seen.set(pid, entry);
      }
      entry.cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      if (entry.kind === "provider host" || entry.kind === "program") {
        try {
          const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
          if (hwm) entry.hwm = Math.max(entry.hwm, Number(hwm[1]));
        } catch {}
      }
    }
  };
  const timer = setInterval(poll, intervalMs);
  return () => {
    clearInterval(timer);
    const use: ProcessUse = { cpu: {}, peakRssKb: {} };
    for (const e of seen.values()) {
      use.cpu[e.kind] = (use.cpu[e.kind] ?? 0) + e.cpu;
      use.peakRssKb[e.kind] = Math.max(use.peakRssKb[e.kind] ?? 0, e.hwm);
    }
    return use;
  };
}

class Runner {
  constructor(
    private readonly bin: string,
    private readonly project: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly emulator: Emulator,
    private readonly perProcess = false,
    private readonly rss = false,
  ) {}

  run(args: string[], extraEnv: Record<string, string> = {}): Promise<Sample> {
    this.emulator.clearLog();
    const cpu0 = childCpuSeconds();
    const t0 = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(this.bin, "pulumi"), [...args, "--non-interactive", "--cwd", this.project], {
        env: { ...this.env, ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const stopWatch =
        (this.perProcess || this.rss) && child.pid ? watchProcesses(child.pid, this.perProcess ? 10 : 25) : undefined;
      let out = "";
      child.stdout.on("data", (d) => (out = (out + d).slice(-20000)));
      child.stderr.on("data", (d) => (out = (out + d).slice(-20000)));
      child.on("error", reject);
      child.on("close", (code) => {
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        const cpu = childCpuSeconds() - cpu0;
        if (code !== 0) return reject(new Error(`pulumi ${args.join(" ")} exited ${code}\n${out}`));
        const calls: Record<string, number> = {};
        for (const e of this.emulator.log()) {
          const key = `${e.method} ${e.path.replace(/\/\d+\//g, "/{id}/")}`;
          calls[key] = (calls[key] ?? 0) + 1;
        }
        const use = stopWatch?.();
        resolve({
          wall,
          cpu,
          calls,
          processes: this.perProcess ? use?.cpu : undefined,
          peakRssKb: this.rss ? use?.peakRssKb : undefined,
        });
      });
    });
  }

  async output(args: string[]): Promise<string> {
    return execFileSync(path.join(this.bin, "pulumi"), [...args, "--non-interactive", "--cwd", this.project], {
      env: this.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 << 20,
    });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface PhaseResult {
  label: string;
  wall: Record<Kind, number[]>;
  cpu: Record<Kind, number[]>;
  calls: Record<string, number>;
  processes: Record<Kind, Record<string, number>[]>;
  /** peak RSS of the provider host in KB, per run (--rss) */
  rss: Record<Kind, number[]>;
  /** refresh only: N bare keep-alive GETs of the doover stack's resources, per run (bench/bare-get.ts) */
  bareGet?: { wall: number[]; cpu: number[] };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const bin = ensurePulumiCli();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "doover-bench-"));
  // Deployments of installs (--mix installs) end at once: the bench measures the package, not device time.
  const emulator = await startEmulator({ recordFile: null, deploymentStepMs: 0 });
  const report: Record<string, unknown> = { options: o, node: process.version, cpus: os.cpus().length, runs: [] };
  try {
    const project = makeProject(root, o.packageDir);
    if (o.latencyMs > 0) emulator.addFault({ path: "/", delayMs: o.latencyMs, times: 1e9 });
    fs.mkdirSync(path.join(root, "state"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [path.join(REPO_ROOT, "node_modules", ".bin"), bin, process.env.PATH].join(path.delimiter),
      PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
      PULUMI_HOME: path.join(root, "home"),
      PULUMI_CONFIG_PASSPHRASE: "bench",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      DOOVER_API_TOKEN: "",
      DOOVER_PROFILE: "",
      DOOVER_CONFIG: "",
      HOME: path.join(root, "home"),
      BENCH_N: String(o.n),
      BENCH_MIX: o.mix ?? "",
      BENCH_DEVICES: emulator.deviceIds.join(","),
    };
    const runner = new Runner(bin, project, env, emulator, o.perProcess, o.rss);
    console.log(
      `pulumi-doover CLI A/B bench: N=${o.n}${o.mix ? " (half applications, half installs)" : ""}, ` +
        `pairs=${o.pairs}, parallel=${o.parallel}, latency=${o.latencyMs} ms; load ${os.loadavg()[0].toFixed(1)}`,
    );
    console.log(`package: ${o.packageDir}; node ${process.version}; ${os.cpus().length} CPUs; ${root}`);
    for (const parallel of o.parallel) {
      const ph = phases(o.n, parallel).filter((p) => !o.phases || o.phases.includes(p.key));
      const results: PhaseResult[] = ph.map((p) => ({
        label: p.label,
        wall: { doover: [], noop: [] },
        cpu: { doover: [], noop: [] },
        calls: {},
        processes: { doover: [], noop: [] },
        rss: { doover: [], noop: [] },
        ...(p.key === "refresh" ? { bareGet: { wall: [], cpu: [] } } : {}),
      }));
      /** API paths of the doover stack's resources in this pair (for the bare-GET baseline) */
      let readPaths: string[] = [];
      const stateBytes: Record<Kind, number[]> = { doover: [], noop: [] };
      for (let pair = 0; pair < o.pairs; pair++) {
        const order = pair % 2 === 0 ? KINDS : [...KINDS].reverse();
        const stacks = {} as Record<Kind, string>;
        for (const kind of KINDS) {
          const stack = (stacks[kind] = `${kind}-p${parallel}-${pair}`);
          await runner.output(["stack", "init", stack, "--secrets-provider", "passphrase"]);
          await runner.output([
            "config",
            "set-all",
            "--stack",
            stack,
            "--plaintext",
            `doover:apiUrl=${emulator.url}`,
            "--secret",
            `doover:token=${emulator.token}`,
            "--plaintext",
            `doover:organisationId=${emulator.organisationId}`,
          ]);
        }
        for (let i = 0; i < ph.length; i++) {
          // --repeat: a phase that changes nothing (refresh, previews) can run several times per pair.
          const times = ph[i].changed === undefined && ph[i].label.startsWith(o.repeatPhase ?? "\0") ? o.repeat : 1;
          for (let t = 0; t < times; t++)
            for (const kind of t % 2 === 0 ? order : [...order].reverse()) {
              const extra = {
                BENCH_KIND: kind,
                BENCH_PREFIX: `b_${kind}_p${parallel}_${pair}`,
                BENCH_CHANGED: String(ph[i].changed ?? 0),
              };
              if (o.profilePhase && ph[i].label.startsWith(o.profilePhase)) {
                const dir = path.join(o.profileDir ?? path.join(root, "profiles"), `${kind}-p${parallel}-${pair}`);
                fs.mkdirSync(dir, { recursive: true });
                // The CLI stops the provider host with SIGINT, which skips --cpu-prof's write: exit instead.
                const hook = path.join(root, "exit-on-signal.js");
                fs.writeFileSync(
                  hook,
                  'for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => process.exit(0));\n',
                );
                Object.assign(extra, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir} --require ${hook}` });
              }
              const s = await runner.run([...ph[i].args, "--stack", stacks[kind]], extra);
              results[i].wall[kind].push(s.wall);
              results[i].cpu[kind].push(s.cpu);
              if (kind === "doover") results[i].calls = s.calls;
              if (s.processes) results[i].processes[kind].push(s.processes);
              if (s.peakRssKb) results[i].rss[kind].push(s.peakRssKb["provider host"] ?? 0);
              if (ph[i].key === "up" && t === 0) {
                const exported = await runner.output(["stack", "export", "--stack", stacks[kind]]);
                const resources = (JSON.parse(exported).deployment.resources ?? []) as { type: string; id?: string }[];
                const mine = resources.filter(
                  (r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"),
                );
                const bytes = mine.reduce((a, r) => a + JSON.stringify(r).length, 0);
                stateBytes[kind].push(bytes / Math.max(1, mine.length));
                if (kind === "doover") readPaths = mine.map(readPath);
              }
            }
          // The refresh baseline's API part, right after both refreshes: one bare GET per resource.
          const bare = results[i].bareGet;
          if (bare && readPaths.length) {
            for (let t = 0; t < times; t++) {
              const b = await bareGets(root, emulator, readPaths, parallel);
              bare.wall.push(b.wall);
              bare.cpu.push(b.cpu);
            }
          }
        }
      }
      print(o, parallel, results, stateBytes);
      (report.runs as unknown[]).push({ parallel, results, stateBytes });
    }
  } finally {
    await emulator.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(report, null, 2));
}

function print(o: Options, parallel: number, results: PhaseResult[], stateBytes: Record<Kind, number[]>): void {
  console.log(
    `\n--parallel ${parallel}, N=${o.n}, ${o.pairs} pair(s), latency ${o.latencyMs} ms (median of pairs; ratio = doover / no-op)`,
  );
  console.log(
    `| phase | wall doover s | wall no-op s | ratio wall | cpu doover s | cpu no-op s | ratio cpu | API calls (doover) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`,
  );
  for (const r of results) {
    const ratio = (m: Record<Kind, number[]>) => median(m.doover.map((d, i) => d / m.noop[i]));
    const calls =
      Object.entries(r.calls)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ") || "0";
    console.log(
      `| ${r.label} | ${median(r.wall.doover).toFixed(2)} | ${median(r.wall.noop).toFixed(2)} | ${ratio(r.wall).toFixed(2)} | ` +
        `${median(r.cpu.doover).toFixed(2)} | ${median(r.cpu.noop).toFixed(2)} | ${ratio(r.cpu).toFixed(2)} | ${calls} |`,
    );
  }
  if (o.latencyMs > 0) {
    // A remote API: every call costs `latency` more, and at most `parallel` calls overlap. The model is the
    // no-op's wall (no API) plus the calls' added latency spread over the parallelism; required: ≤ 1.10×.
    console.log(
      `remote-API model (latency ${o.latencyMs} ms, --parallel ${parallel}): no-op wall + calls × latency ÷ parallel`,
    );
    for (const r of results) {
      const calls = Object.values(r.calls).reduce((a, b) => a + b, 0);
      const model = median(r.wall.noop) + (calls * o.latencyMs) / 1000 / parallel;
      const ratio = median(r.wall.doover.map((d, i) => d / (r.wall.noop[i] + (calls * o.latencyMs) / 1000 / parallel)));
      console.log(
        `  ${r.label}: ${calls} calls, model ${model.toFixed(2)} s, doover ${median(r.wall.doover).toFixed(2)} s → ` +
          `${ratio.toFixed(2)}× the model (median of pairs) ${ratio <= 1.1 ? "≤" : ">"} 1.10`,
      );
    }
  }
  for (const r of results) {
    const bare = r.bareGet;
    if (!bare?.wall.length) continue;
    // Refresh must read every resource; the no-op reads nothing. Its bound adds one bare keep-alive GET per
    // resource (measured right after each pair's refreshes) to the no-op: required ≤ 1.10×.
    const bound = (m: "wall" | "cpu") =>
      median(r[m].doover.map((d, i) => d / (r[m].noop[i] + bare[m][Math.min(i, bare[m].length - 1)])));
    console.log(
      `${r.label} vs no-op + bare GETs (${median(bare.wall).toFixed(2)} s wall, ${median(bare.cpu).toFixed(2)} s CPU ` +
        `for one keep-alive GET per resource): wall ${bound("wall").toFixed(2)}×, CPU ${bound("cpu").toFixed(2)}× (≤ 1.10 required)`,
    );
  }
  for (const r of results) {
    if (!r.rss.doover.length) continue;
    const mb = (k: Kind) => (median(r.rss[k]) / 1024).toFixed(1);
    console.log(`  ${r.label}: provider host peak RSS doover ${mb("doover")} MB, no-op ${mb("noop")} MB`);
  }
  for (const r of results) {
    if (!r.processes.doover.length) continue;
    const kinds = [...new Set([...r.processes.doover, ...r.processes.noop].flatMap((p) => Object.keys(p)))].sort();
    const cell = (k: Kind, name: string) => median(r.processes[k].map((p) => p[name] ?? 0)).toFixed(2);
    console.log(
      `  ${r.label}: cpu s per process kind (doover / no-op): ${kinds.map((n) => `${n} ${cell("doover", n)} / ${cell("noop", n)}`).join("; ")}`,
    );
  }
  console.log(
    `state bytes per resource (stack export): doover ${median(stateBytes.doover).toFixed(0)}, no-op ${median(stateBytes.noop).toFixed(0)}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
