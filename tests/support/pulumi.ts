// Harness for tests that drive the real Pulumi engine: the CLI from
// scripts/ensure-pulumi.sh, a throw-away file backend and PULUMI_HOME per
// sandbox, and stacks run through the Automation API (inline programs, or a
// local Pulumi.yaml program through our pulumi-language-nodejs host).
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type ConfigMap,
  type DestroyResult,
  type EngineEvent,
  LocalWorkspace,
  type OpType,
  type PreviewResult,
  PulumiCommand,
  type PulumiFn,
  type RefreshResult,
  type Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";
import { type Emulator, type EmulatorOptions, startTestEmulator } from "./emulator";

/** The repository root (holds package.json, node_modules and dist/). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "pulumi-doover") return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-doover package.json above ${from}`);
  }
}

/** `DOOVER_E2E_SKIP=1` skips engine tests for quick local runs; never honoured in CI. */
export function e2eSkipped(): boolean {
  return process.env.DOOVER_E2E_SKIP === "1" && !process.env.CI;
}

let cliBin: string | undefined;

/** Directory holding `pulumi` (+ the Node.js plugins); builds the CLI on a cold cache. Throws if it cannot. */
export function ensurePulumiCli(): string {
  if (cliBin) return cliBin;
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-pulumi.sh")], {
    cwd: REPO_ROOT,
    env: { ...process.env, PATH: toolPath(), ENSURE_PULUMI_QUIET: "1" },
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  cliBin = out.trim().split("\n").pop()!;
  if (!fs.existsSync(path.join(cliBin, "pulumi"))) throw new Error(`ensure-pulumi.sh gave no pulumi in ${cliBin}`);
  return cliBin;
}

// Node 22 from node_modules first: the plugin scripts next to `pulumi` run `node`.
function toolPath(bin?: string): string {
  return [path.join(REPO_ROOT, "node_modules", ".bin"), ...(bin ? [bin] : []), process.env.PATH ?? ""].join(
    path.delimiter,
  );
}

/** Anything with the emulator's connection details (an `Emulator` from emulator/index.ts fits). */
export interface ApiTarget {
  url: string;
  token: string;
  organisationId: string;
}

export type ConfigInput = string | { value: string; secret?: boolean };

export interface StackOptions {
  stackName?: string;
  projectName?: string;
  /** Inline program, run in this process (no language host). */
  program?: PulumiFn;
  /** Or a local program: a directory with Pulumi.yaml (+ Pulumi.<stack>.yaml); copied, `main` made absolute. */
  projectDir?: string;
  /** Sets doover:apiUrl, doover:token (secret) and doover:organisationId. */
  api?: ApiTarget;
  /** Sets doover:stagingApiUrl, doover:stagingToken (secret) and doover:stagingOrganisationId. */
  stagingApi?: ApiTarget;
  config?: Record<string, ConfigInput>;
}

/** A throw-away backend + PULUMI_HOME; `dispose()` removes it. */
export class EngineSandbox {
  private stacks: TestStack[] = [];
  private constructor(
    readonly dir: string,
    readonly bin: string,
    readonly command: PulumiCommand,
    readonly envVars: Record<string, string>,
  ) {}

  static async create(): Promise<EngineSandbox> {
    const bin = ensurePulumiCli();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-e2e-"));
    for (const sub of ["state", "home", "work"]) fs.mkdirSync(path.join(dir, sub));
    const envVars: Record<string, string> = {
      PATH: toolPath(bin),
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // No ambient Doover credentials or settings: stack config is the only source in these tests.
      DOOVER_API_TOKEN: "",
      DOOVER_PROFILE: "",
      DOOVER_CONFIG: "",
      DOOVER_CONTROL_API_BASE_URL: "",
      DOOVER_STAGING: "",
      DOOVER_ORGANISATION_ID: "",
      HOME: path.join(dir, "home"),
    };
    const command = await PulumiCommand.get({ root: path.dirname(bin) });
    return new EngineSandbox(dir, bin, command, envVars);
  }

  async stack(opts: StackOptions): Promise<TestStack> {
    const stackName = opts.stackName ?? "test";
    const workDir = fs.mkdtempSync(path.join(this.dir, "work", `${stackName}-`));
    let stack: Stack;
    const wsOpts = {
      workDir,
      pulumiCommand: this.command,
      envVars: this.envVars,
      pulumiHome: this.envVars.PULUMI_HOME,
    };
    if (opts.projectDir) {
      copyProject(opts.projectDir, workDir);
      stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, wsOpts);
    } else {
      if (!opts.program) throw new Error("StackOptions needs program or projectDir");
      const projectName = opts.projectName ?? "doover-e2e";
      stack = await LocalWorkspace.createOrSelectStack(
        { stackName, projectName, program: opts.program },
        {
          ...wsOpts,
          // main = repo root: the provider host resolves pulumi-doover and @pulumi/pulumi from there.
          projectSettings: { name: projectName, runtime: "nodejs", main: REPO_ROOT },
          secretsProvider: "passphrase",
        },
      );
    }
    const config: ConfigMap = {};
    for (const [k, v] of Object.entries(opts.config ?? {})) config[k] = typeof v === "string" ? { value: v } : v;
    if (opts.api) {
      config["doover:apiUrl"] = { value: opts.api.url };
      config["doover:token"] = { value: opts.api.token, secret: true };
      config["doover:organisationId"] = { value: opts.api.organisationId };
    }
    if (opts.stagingApi) {
      config["doover:stagingApiUrl"] = { value: opts.stagingApi.url };
      config["doover:stagingToken"] = { value: opts.stagingApi.token, secret: true };
      config["doover:stagingOrganisationId"] = { value: opts.stagingApi.organisationId };
    }
    if (Object.keys(config).length) await stack.setAllConfig(config);
    const ts = new TestStack(stack, (args) => this.cli(args, workDir));
    this.stacks.push(ts);
    return ts;
  }

  /** Runs `pulumi <args>` with this sandbox's environment; resolves to stdout. */
  cli(args: string[], cwd: string = this.dir): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        path.join(this.bin, "pulumi"),
        args,
        { cwd, env: { ...process.env, ...this.envVars }, maxBuffer: 64 << 20 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`pulumi ${args.join(" ")}: ${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  }

  /** Removes every stack (best effort, no destroy) and the sandbox directory. */
  async dispose(): Promise<void> {
    for (const s of this.stacks) await s.stack.workspace.removeStack(s.stack.name, { force: true }).catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Copies Pulumi.yaml and Pulumi.*.yaml, pointing `main` at the original (absolute) program. Stack files
// lose what a developer's own `pulumi config set --secret` left there (salt, encrypted values): the
// sandbox has its own passphrase, and tests set their secrets themselves.
function copyProject(projectDir: string, workDir: string): void {
  const yaml = require("yaml") as typeof import("yaml");
  for (const f of fs.readdirSync(projectDir)) {
    if (!/^Pulumi(\.[\w-]+)?\.ya?ml$/.test(f)) continue;
    const doc = yaml.parse(fs.readFileSync(path.join(projectDir, f), "utf8")) ?? {};
    if (/^Pulumi\.ya?ml$/.test(f)) {
      doc.main = path.resolve(projectDir, doc.main ?? ".");
    } else {
      delete doc.encryptionsalt;
      for (const [k, v] of Object.entries(doc.config ?? {})) {
        if (v && typeof v === "object" && "secure" in v) delete doc.config[k];
      }
    }
    fs.writeFileSync(path.join(workDir, f), yaml.stringify(doc));
  }
}

/** One engine operation's result plus the per-resource steps seen in its events. */
export interface OpRecord {
  stdout: string;
  /** Per-resource steps in event order (stack and provider resources left out). */
  steps: Step[];
  changeSummary: Partial<Record<OpType, number>>;
}
export interface Step {
  op: OpType;
  name: string;
  type: string;
  diffs: string[];
}

export class TestStack {
  constructor(
    readonly stack: Stack,
    /** Runs the CLI in this stack's workspace and returns stdout. */
    readonly cli: (args: string[]) => Promise<string>,
  ) {}

  /** Swaps the inline program for later operations. */
  setProgram(program: PulumiFn): void {
    (this.stack.workspace as LocalWorkspace).program = program;
  }

  /**
   * `pulumi preview --diff`, or with `diff: false` the default display (the one that also prints what the
   * provider writes to stderr, live and under Diagnostics; `--diff` leaves those lines out).
   */
  async preview(opts: { expectNoChanges?: boolean; refresh?: boolean; diff?: boolean } = {}): Promise<OpRecord> {
    const steps: Step[] = [];
    const r: PreviewResult = await this.stack.preview({
      diff: true,
      ...opts,
      color: "never",
      onEvent: collect(steps),
    });
    return { stdout: r.stdout, steps, changeSummary: r.changeSummary };
  }

  async up(opts: { expectNoChanges?: boolean } = {}): Promise<OpRecord & { outputs: Record<string, unknown> }> {
    const steps: Step[] = [];
    const r: UpResult = await this.stack.up({ ...opts, color: "never", onEvent: collect(steps) });
    const outputs = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
    return { stdout: r.stdout, steps, changeSummary: r.summary.resourceChanges ?? {}, outputs };
  }

  async refresh(): Promise<OpRecord> {
    const steps: Step[] = [];
    const r: RefreshResult = await this.stack.refresh({ color: "never", onEvent: collect(steps) });
    return { stdout: r.stdout, steps, changeSummary: r.summary.resourceChanges ?? {} };
  }

  async destroy(): Promise<OpRecord> {
    const steps: Step[] = [];
    const r: DestroyResult = await this.stack.destroy({ color: "never", onEvent: collect(steps) });
    return { stdout: r.stdout, steps, changeSummary: r.summary.resourceChanges ?? {} };
  }

  /** Exactly what `pulumi stack export` prints (secrets stay encrypted, unlike `Stack.exportStack()`). */
  async exportText(): Promise<string> {
    return this.cli(["stack", "export", "--stack", this.stack.name]);
  }

  /** Custom resources in state (no stack, no providers), by resource name; secrets decrypted. */
  async resources(): Promise<Record<string, StateResource>> {
    const dep = (await this.stack.exportStack()).deployment;
    const out: Record<string, StateResource> = {};
    for (const r of (dep.resources ?? []) as StateResource[]) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
      out[r.urn.split("::").pop()!] = r;
    }
    return out;
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function collect(steps: Step[]): (e: EngineEvent) => void {
  return (e) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.type === "pulumi:pulumi:Stack" || m.type.startsWith("pulumi:providers:")) return;
    steps.push({
      op: m.op,
      name: m.urn.split("::").pop()!,
      type: m.type.replace(/^pulumi-nodejs:dynamic\//, ""),
      diffs: m.diffs ?? [],
    });
  };
}

/**
 * Steps other than "same" (and the create/delete halves of a replace) as "op name" strings, sorted:
 * a compact thing to assert on, e.g. ["create app1", "replace tunnel1", "update app2"].
 */
export function changes(rec: OpRecord): string[] {
  return rec.steps
    .filter((s) => !["same", "create-replacement", "delete-replaced"].includes(s.op))
    .map((s) => `${s.op} ${s.name}`)
    .sort();
}

/**
 * Mocha hooks for a suite on the real engine: `before` starts an emulator and an EngineSandbox, `after`
 * removes both; skipped when the real-engine tests are. Stacks are the suite's own (`sandbox.stack(...)`).
 */
export function useEngineSandbox(emulatorOptions: EmulatorOptions = {}): {
  readonly emulator: Emulator;
  readonly sandbox: EngineSandbox;
} {
  let emulator: Emulator | undefined;
  let sandbox: EngineSandbox | undefined;
  before(async function () {
    if (e2eSkipped()) this.skip();
    emulator = await startTestEmulator(emulatorOptions);
    sandbox = await EngineSandbox.create();
  });
  after(async () => {
    await sandbox?.dispose();
    await emulator?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("engine sandbox not started yet: use it inside a test or hook");
    return v;
  };
  return {
    get emulator() {
      return started(emulator);
    },
    get sandbox() {
      return started(sandbox);
    },
  };
}
