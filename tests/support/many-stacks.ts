// Many CI jobs, one organisation (issue 18 §1): N stacks of one user project, each its own `pulumi up` (then
// `destroy`) process, all at once, behind ONE rate limit for the whole organisation (the fault proxy's token
// bucket: 429 + Retry-After). Shared by the suite test (small N, tests/faults/many-stacks.test.ts) and the
// bench (full size, bench/many-stacks.ts).
//
// What a run measures, per phase: the wall time of the slowest process; the API's busy span (first to last
// request the proxy let through); the floor = requests let through ÷ rate (no client can do better); and
// their ratios. The span ratio is the limiter's own efficiency (process starts and exits excluded); the wall
// ratio is what the issue bounds at full size (≤ 1.5).
import { duplicates, liveObjects, stateIds } from "../faults/support";
import type { Emulator } from "./emulator";
import type { FaultProxy } from "./fault-proxy";
import { type CommandResult, UserProject } from "./user-project";

/** `apps` DooverApplications and `tunnels` DooverTunnels on `deviceId`, named after `prefix`. */
export const MANY_STACKS_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DooverApplication, DooverTunnel } from "pulumi-doover";

const cfg = new pulumi.Config();
const apps = cfg.requireNumber("apps");
const tunnels = cfg.requireNumber("tunnels");
const prefix = cfg.require("prefix");
const deviceId = cfg.require("deviceId");
for (let i = 0; i < apps; i++) {
  new DooverApplication(\`app-\${i}\`, {
    name: \`\${prefix}_app_\${i}\`,
    displayName: \`App \${i} of \${prefix}\`,
    type: "processor",
    description: "One of many stacks.",
  });
}
for (let i = 0; i < tunnels; i++) {
  new DooverTunnel(\`tunnel-\${i}\`, {
    deviceId,
    name: \`\${prefix}-tunnel-\${i}\`,
    hostname: "127.0.0.1",
    port: 9000 + i,
    protocol: "tcp",
  });
}
`;

export interface ManyStacksOptions {
  stacks: number;
  apps: number;
  tunnels: number;
  /** the organisation's limit (requests per second, over all stacks) */
  ratePerSecond: number;
  /** `--parallel` of each CLI (default: the CLI's own default, 4 × cores) */
  parallel?: number;
  /** per-stack config, e.g. `{ "doover:maxRequestsPerSecond": "1.25" }` */
  config?: Record<string, string>;
  /** stack names are `<prefix>-<n>` (and name the objects) */
  prefix: string;
}

/** One phase (the N `up`s, or the N `destroy`s). */
export interface PhaseFigures {
  /** exit codes, one per stack */
  codes: (number | null)[];
  /** seconds from the start of the first process to the end of the last */
  wall: number;
  /** seconds from the first to the last request the API received */
  apiSpan: number;
  /** requests the API received (let through by the limit) */
  requests: number;
  /** requests refused with 429 */
  throttled: number;
  /** requests let through, by method and path shape ("POST /applications/") */
  byKind: Record<string, number>;
  /** seconds: requests ÷ rate */
  floor: number;
  wallRatio: number;
  spanRatio: number;
  /** the failed processes' output (empty when all succeeded) */
  failures: string[];
}

/** N stacks of one project behind `proxy` (rate-limited), on devices `deviceIds[i % length]`. */
export class ManyStacks {
  private constructor(
    readonly project: UserProject,
    readonly emulator: Emulator,
    readonly proxy: FaultProxy,
    readonly opts: ManyStacksOptions,
    readonly stacks: string[],
  ) {}

  static async create(emulator: Emulator, proxy: FaultProxy, opts: ManyStacksOptions): Promise<ManyStacks> {
    const project = await UserProject.create({ program: MANY_STACKS_PROGRAM, name: "doover-many-stacks" });
    const stacks = Array.from({ length: opts.stacks }, (_, i) => `${opts.prefix}-${i + 1}`);
    const many = new ManyStacks(project, emulator, proxy, opts, stacks);
    for (const [i, stack] of stacks.entries()) {
      await project.initStack(stack);
      const args = ["config", "set-all", "--stack", stack, "--secret", `doover:token=${emulator.token}`];
      const plain = {
        "doover:apiUrl": proxy.url,
        "doover:organisationId": emulator.organisationId,
        deviceId: many.deviceOf(i),
        apps: String(opts.apps),
        tunnels: String(opts.tunnels),
        prefix: prefixOf(stack),
        ...opts.config,
      };
      for (const [k, v] of Object.entries(plain)) args.push("--plaintext", `${k}=${v}`);
      await project.pulumiOk(args);
    }
    return many;
  }

  deviceOf(i: number): string {
    return this.emulator.deviceIds[i % this.emulator.deviceIds.length];
  }

  /** Runs `pulumi <command>` on every stack at once behind the organisation's limit; never throws. */
  async phase(command: "up" | "destroy"): Promise<PhaseFigures> {
    const { proxy, opts } = this;
    proxy.configure({ ratePerSecond: opts.ratePerSecond });
    const throttled0 = proxy.stats.rateLimited;
    proxy.forwardedLog.length = 0;
    const args = (stack: string) => [
      command,
      "--yes",
      "--skip-preview",
      "--non-interactive",
      "--color",
      "never",
      "--stack",
      stack,
      ...(opts.parallel ? ["--parallel", String(opts.parallel)] : []),
    ];
    const t0 = Date.now();
    let results: CommandResult[];
    try {
      results = await Promise.all(this.stacks.map((s) => this.project.pulumi(args(s), { timeoutMs: 1_800_000 })));
    } finally {
      proxy.configure({});
    }
    const wall = (Date.now() - t0) / 1000;
    const log = proxy.forwardedLog.filter((r) => !r.path.startsWith("/_emulator"));
    const apiSpan = log.length > 1 ? (log[log.length - 1].at - log[0].at) / 1000 : 0;
    const byKind: Record<string, number> = {};
    for (const r of log) {
      const key = `${r.method} ${r.path.replace(/\/\d+\//g, "/{id}/")}`;
      byKind[key] = (byKind[key] ?? 0) + 1;
    }
    const floor = log.length / opts.ratePerSecond;
    return {
      codes: results.map((r) => r.code),
      wall,
      apiSpan,
      requests: log.length,
      throttled: proxy.stats.rateLimited - throttled0,
      byKind,
      floor,
      wallRatio: wall / floor,
      spanRatio: apiSpan / floor,
      failures: results.filter((r) => r.code !== 0).map((r) => r.output.slice(-4000)),
    };
  }

  /**
   * What is wrong with the stacks after an `up` (expected: every object exists once and is the one in state)
   * or a `destroy` (expected: nothing left): duplicates, orphans, missing objects. Empty when all is well.
   */
  async problems(after: "up" | "destroy"): Promise<string[]> {
    const out: string[] = [];
    for (const [i, stack] of this.stacks.entries()) {
      const live = await liveObjects(this.emulator, this.deviceOf(i), prefixOf(stack));
      const objects = [...live.apps, ...live.tunnels];
      const dups = duplicates(objects);
      if (dups.length) out.push(`${stack}: duplicates ${dups}`);
      this.project.stack = stack;
      const state = await stateIds(this.project);
      const expected = after === "up" ? [this.opts.apps, this.opts.tunnels] : [0, 0];
      const seen = [live.apps.length, live.tunnels.length];
      if (seen.join() !== expected.join()) out.push(`${stack}: ${seen} apps/tunnels live, expected ${expected}`);
      const inState = new Set([...state.apps, ...state.tunnels]);
      const orphans = objects.filter((o) => !inState.has(o.id)).map((o) => o.name);
      if (orphans.length) out.push(`${stack}: not in state (orphans) ${orphans}`);
      const lost = [...inState].filter((id) => !objects.some((o) => o.id === id));
      if (lost.length) out.push(`${stack}: in state but not live ${lost}`);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.project.dispose();
  }
}

/** Object names use `_`/`-` after the stack's name (liveObjects matches `<prefix>_` and `<prefix>-`). */
function prefixOf(stack: string): string {
  return stack.replace(/-/g, "_");
}

/** One line per figure, for test messages and the bench. */
export function describePhase(label: string, f: PhaseFigures): string {
  const kinds = Object.entries(f.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  return (
    `${label}: wall ${f.wall.toFixed(1)} s, API busy ${f.apiSpan.toFixed(1)} s, ${f.requests} requests (${kinds}), ` +
    `${f.throttled} answered 429, floor ${f.floor.toFixed(1)} s → wall/floor ${f.wallRatio.toFixed(2)}, ` +
    `busy/floor ${f.spanRatio.toFixed(2)}; exit codes ${f.codes.join(",")}`
  );
}
