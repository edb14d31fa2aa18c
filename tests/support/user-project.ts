// "As a user would" harness: a Pulumi project OUTSIDE the repository, with its own package.json that
// installs pulumi-doover from `npm pack` (+ @pulumi/pulumi), run by the real CLI through
// scripts/pulumi.sh exactly as the README tells users (`npm run pulumi -- <args> --cwd <project>`).
//
// Usage (mocha):
//   import { UserProject } from "./user-project";
//   const project = await UserProject.create({
//     program: `import { DooverApplication } from "pulumi-doover";\nnew DooverApplication("a", {...});`,
//     // dependencies: { "@pulumi/pulumi": "3.270.0" },   // another SDK version than the repo's
//     // devDependencies: { mocha: "^11.7.0" }, files: { "test/x.test.ts": "…" },
//   });
//   await project.initStack("dev");                       // pulumi stack init dev --cwd <dir>
//   await project.useApi(emulator);                       // doover:apiUrl, doover:token (--secret), doover:organisationId
//   const up = await project.up();                        // { code, stdout, stderr, output }; never throws
//   assert.equal(up.code, 0, up.output);
//   const state = await project.exportStack();            // `pulumi stack export` parsed (secrets encrypted)
//   await project.dispose();                              // removes the project, its state and PULUMI_HOME
//
// Costs: `npm pack` runs once per test process (tarball cached by content hash); `npm install` runs once
// per (tarball, dependency set) into a template directory under the OS temp dir, and each project gets a
// hard-linked copy of that node_modules, so creating a project takes well under a second when warm.
// TypeScript `main` runs through the ts-node that @pulumi/pulumi vendors (`runtime.options.typescript:
// true`, as `pulumi new typescript` sets up); type checking on each run is off unless `typeCheck: true`.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, type EmulatorOptions, startTestEmulator } from "./emulator";
import { type ApiTarget, e2eSkipped, ensurePulumiCli, REPO_ROOT, type StateResource } from "./pulumi";

export type { ApiTarget } from "./pulumi";

/** Result of one command; `output` is stdout + stderr for assertion messages. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  output: string;
}

export interface UserProjectOptions {
  /** The program, written to `index.ts` (the project's `main`). */
  program: string;
  /** Pulumi project name (default "user-project"). */
  name?: string;
  /** Extra or overriding dependencies, e.g. `{ "@pulumi/pulumi": "3.270.0" }`. */
  dependencies?: Record<string, string>;
  /** Extra or overriding devDependencies, e.g. `{ mocha: "^11.7.0", "@types/mocha": "^10.0.10" }`. */
  devDependencies?: Record<string, string>;
  /** Extra files, path relative to the project → content (e.g. tests, doover_config.json). */
  files?: Record<string, string>;
  /** package.json `scripts` of the user project. */
  scripts?: Record<string, string>;
  /** Type-check the program on every pulumi run (ts-node), as an unmodified user setup does. Default false. */
  typeCheck?: boolean;
  /** Pulumi.yaml `config:` block (declared project config). */
  projectConfig?: Record<string, unknown>;
}

const repoPackage = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
const devVersion = (name: string): string => repoPackage.devDependencies[name];
/** Shared by every process on this machine: tarballs and installed templates (same filesystem as projects). */
const CACHE_DIR = path.join(os.tmpdir(), "pulumi-doover-user-projects");
const NODE_BIN = path.join(REPO_ROOT, "node_modules", ".bin");

let tarball: string | undefined;

/**
 * `npm pack` of the repository (compiled dist/ must be current: tests run after `tsc`), once per process.
 * Returns the tarball's path in the cache, named by its content hash.
 */
export function packTarball(): string {
  if (tarball && fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(CACHE_DIR, "pack-"));
  try {
    // --ignore-scripts: dist/ is already compiled; a prepare/prepack script would only redo it.
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ""}` },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 << 20,
    });
    const file = path.join(tmp, JSON.parse(out)[0].filename);
    const hash = sha256(fs.readFileSync(file)).slice(0, 16);
    const dest = path.join(CACHE_DIR, `pulumi-doover-${repoPackage.version}-${hash}.tgz`);
    if (!fs.existsSync(dest)) fs.renameSync(file, dest);
    else fs.utimesSync(dest, new Date(), new Date());
    tarball = dest;
    return dest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The file list `npm pack` would ship (paths inside the package, sorted). */
export function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--dry-run", "--json"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 << 20,
  });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path).sort();
}

function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Installs (once, cached) node_modules for this dependency set; returns the template directory. */
function installTemplate(manifest: Record<string, unknown>, tgz: string): string {
  const key = sha256(JSON.stringify([manifest, process.versions.node])).slice(0, 16);
  const dir = path.join(CACHE_DIR, `template-${key}`);
  const complete = path.join(dir, ".complete");
  if (fs.existsSync(complete)) {
    const now = new Date();
    fs.utimesSync(complete, now, now); // last use, for pruneCache
    return dir;
  }
  pruneCache();
  const tmp = fs.mkdtempSync(path.join(CACHE_DIR, "install-"));
  fs.writeFileSync(path.join(tmp, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.mkdirSync(path.join(tmp, "vendor"));
  fs.copyFileSync(tgz, path.join(tmp, "vendor", path.basename(tgz)));
  try {
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: tmp,
      env: { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`npm install for a user project failed: ${err.message}\n${err.stderr?.toString() ?? ""}`);
  }
  fs.writeFileSync(path.join(tmp, ".complete"), "");
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // Another process finished the same template first: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Removes templates and tarballs unused for a day (each new tarball hash makes a new ~130 MB template). */
function pruneCache(): void {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of fs.readdirSync(CACHE_DIR)) {
    const p = path.join(CACHE_DIR, name);
    const stamp = name.startsWith("template-") ? path.join(p, ".complete") : p;
    try {
      if ((name.startsWith("template-") || name.endsWith(".tgz")) && fs.statSync(stamp).mtimeMs < dayAgo) {
        fs.rmSync(p, { recursive: true, force: true });
      }
    } catch {
      // in use or removed by another process
    }
  }
}

/** A user's Pulumi project in a temp dir outside the repository, with its own backend and PULUMI_HOME. */
export class UserProject {
  /** Stack selected by the last `initStack`/`selectStack` (passed as `--stack` by the helpers). */
  stack = "dev";

  private constructor(
    /** Root of this project's sandbox: `project/`, `state/`, `home/`. */
    readonly sandbox: string,
    /** The project directory (package.json, Pulumi.yaml, index.ts, node_modules). */
    readonly dir: string,
    /** Environment of every command (what scripts/pulumi.sh needs; no ambient Doover settings). */
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Packs the repo (cached), installs the dependencies (cached template) and writes the project files. */
  static async create(opts: UserProjectOptions): Promise<UserProject> {
    const tgz = packTarball();
    const name = opts.name ?? "user-project";
    // The tarball sits in the project (as a user would keep it), so the lock's relative path holds in every copy.
    const vendored = path.join("vendor", path.basename(tgz));
    const manifest = {
      name,
      private: true,
      version: "1.0.0",
      main: "index.ts",
      dependencies: {
        "@pulumi/pulumi": devVersion("@pulumi/pulumi"),
        "pulumi-doover": `file:${vendored}`,
        ...opts.dependencies,
      },
      devDependencies: {
        "@types/node": devVersion("@types/node"),
        typescript: devVersion("typescript"),
        ...opts.devDependencies,
      },
    };
    const template = installTemplate(manifest, tgz);

    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "doover-user-"));
    const dir = path.join(sandbox, "project");
    for (const sub of ["project", "state", "home"]) fs.mkdirSync(path.join(sandbox, sub));
    execFileSync("cp", ["-al", path.join(template, "node_modules"), path.join(dir, "node_modules")]);
    execFileSync("cp", ["-al", path.join(template, "vendor"), path.join(dir, "vendor")]);
    fs.copyFileSync(path.join(template, "package-lock.json"), path.join(dir, "package-lock.json"));
    fs.writeFileSync(
      path.join(dir, "package.json"),
      `${JSON.stringify({ ...manifest, ...(opts.scripts ? { scripts: opts.scripts } : {}) }, null, 2)}\n`,
    );
    // TypeScript 6 loads no @types package unless `types` names it.
    const devDeps: Record<string, string> = manifest.devDependencies;
    const types = ["node", ...(devDeps["@types/mocha"] ? ["mocha"] : [])];
    const tsconfig = { ...USER_TSCONFIG, compilerOptions: { ...USER_TSCONFIG.compilerOptions, types } };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const yaml = [
      `name: ${name}`,
      "description: A user's Pulumi program using pulumi-doover",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      "main: index.ts",
    ];
    if (opts.projectConfig) yaml.push(`config: ${JSON.stringify(opts.projectConfig)}`);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `${yaml.join("\n")}\n`);
    fs.writeFileSync(path.join(dir, "index.ts"), opts.program);
    for (const [rel, content] of Object.entries(opts.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }

    // The CLI first, with the real HOME (a cold cache builds it once); scripts/pulumi.sh then finds it there.
    const cliBin = ensurePulumiCli();
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing ambient: no outer Pulumi backend/stack, no Doover credentials or profile.
    for (const k of Object.keys(env)) if (/^(PULUMI_|DOOVER_)/.test(k)) delete env[k];
    Object.assign(env, {
      PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${path.join(sandbox, "state")}`,
      PULUMI_HOME: path.join(sandbox, "home", ".pulumi"),
      PULUMI_CONFIG_PASSPHRASE: "user-project-passphrase",
      // A fresh HOME (no ~/.doover/config, no ~/.pulumi), but the real caches: the CLI's, Go's and npm's.
      HOME: path.join(sandbox, "home"),
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
      npm_config_cache: process.env.npm_config_cache || path.join(os.homedir(), ".npm"),
      ...(path.basename(cliBin) === "bin" ? { PULUMI_CLI_CACHE: path.dirname(cliBin) } : {}),
      ...(opts.typeCheck ? {} : { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }),
    });
    return new UserProject(sandbox, dir, env);
  }

  /**
   * `pulumi --cwd <project> <args>` through scripts/pulumi.sh (what `npm run pulumi --` runs), with this
   * project's env plus `extraEnv`. Resolves with the exit code; never rejects on a non-zero exit.
   */
  pulumi(args: string[], opts: { extraEnv?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
    return this.run("bash", [path.join(REPO_ROOT, "scripts", "pulumi.sh"), "--cwd", this.dir, ...args], opts);
  }

  /** Like `pulumi()`, but throws (with the output) on a non-zero exit; resolves to stdout. */
  async pulumiOk(args: string[], opts: { extraEnv?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.pulumi(args, opts);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code ?? r.signal}:\n${r.output}`);
    return r.stdout;
  }

  /**
   * Starts `pulumi --cwd <project> <args>` as the leader of a new process group (so a test can kill the
   * CLI, or the whole group, the way a CI runner does). The caller waits for and reaps it.
   */
  spawnPulumi(args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn("bash", [path.join(REPO_ROOT, "scripts", "pulumi.sh"), "--cwd", this.dir, ...args], {
      cwd: this.dir,
      env: { ...this.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  }

  /** Any command in the project directory with the project's env (e.g. `npx mocha`, `npx tsc --noEmit`). */
  run(
    cmd: string,
    args: string[],
    opts: { extraEnv?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    return new Promise((resolve) => {
      execFile(
        cmd,
        args,
        {
          cwd: this.dir,
          env: { ...this.env, ...opts.extraEnv },
          maxBuffer: 64 << 20,
          timeout: opts.timeoutMs ?? 600_000,
          killSignal: "SIGKILL",
        },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
          const code = e ? (typeof e.code === "number" ? e.code : null) : 0;
          resolve({ code, signal: e?.signal ?? null, stdout, stderr, output: `${stdout}\n${stderr}` });
        },
      );
    });
  }

  /** `pulumi stack init <name>` (and selects it for the helpers below). */
  async initStack(name = "dev"): Promise<void> {
    await this.pulumiOk(["stack", "init", name]);
    this.stack = name;
  }

  /** `pulumi config set [--secret] <key> <value> --stack <stack>`. */
  async setConfig(key: string, value: string, opts: { secret?: boolean } = {}): Promise<void> {
    const args = ["config", "set", ...(opts.secret ? ["--secret"] : []), "--stack", this.stack, key];
    // The value after `--` so values starting with "-" are not read as flags.
    await this.pulumiOk([...args, "--", value]);
  }

  /** Points the stack at an API (an `Emulator` fits): doover:apiUrl, doover:token (secret), doover:organisationId. */
  async useApi(api: ApiTarget): Promise<void> {
    await this.setConfig("doover:apiUrl", api.url);
    await this.setConfig("doover:token", api.token, { secret: true });
    await this.setConfig("doover:organisationId", api.organisationId);
  }

  /** `pulumi preview --diff` on the current stack. */
  preview(extra: string[] = []): Promise<CommandResult> {
    return this.pulumi(["preview", "--diff", "--non-interactive", "--color", "never", "--stack", this.stack, ...extra]);
  }

  /** `pulumi up --yes` on the current stack. */
  up(extra: string[] = []): Promise<CommandResult> {
    return this.pulumi(["up", "--yes", "--non-interactive", "--color", "never", "--stack", this.stack, ...extra]);
  }

  /** `pulumi refresh --yes` on the current stack. */
  refresh(extra: string[] = []): Promise<CommandResult> {
    return this.pulumi(["refresh", "--yes", "--non-interactive", "--color", "never", "--stack", this.stack, ...extra]);
  }

  /** `pulumi destroy --yes` on the current stack. */
  destroy(extra: string[] = []): Promise<CommandResult> {
    return this.pulumi(["destroy", "--yes", "--non-interactive", "--color", "never", "--stack", this.stack, ...extra]);
  }

  /** Stack outputs (`pulumi stack output --json --show-secrets`). */
  async outputs(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.pulumiOk(["stack", "output", "--json", "--show-secrets", "--stack", this.stack]));
  }

  /**
   * Exactly what `pulumi stack export` prints: secrets stay encrypted (each save re-encrypts them, so their
   * ciphertext changes), unless `showSecrets` (then they are plaintext and comparable).
   */
  exportText(opts: { showSecrets?: boolean } = {}): Promise<string> {
    return this.pulumiOk(["stack", "export", "--stack", this.stack, ...(opts.showSecrets ? ["--show-secrets"] : [])]);
  }

  /** `pulumi stack export`, parsed. */
  async exportStack(opts: { showSecrets?: boolean } = {}): Promise<{
    version: number;
    deployment: { resources?: StackResource[] } & Record<string, unknown>;
  }> {
    return JSON.parse(await this.exportText(opts));
  }

  /** Custom resources in state (no stack, no providers), by resource name. */
  async resources(opts: { showSecrets?: boolean } = {}): Promise<Record<string, StackResource>> {
    const out: Record<string, StackResource> = {};
    for (const r of (await this.exportStack(opts)).deployment.resources ?? []) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
      out[r.urn.split("::").pop()!] = r;
    }
    return out;
  }

  /** Replaces `index.ts` (or another file) for the next run. */
  writeFile(rel: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, rel), content);
  }

  /** Removes the project, its state and PULUMI_HOME (no destroy). */
  async dispose(): Promise<void> {
    fs.rmSync(this.sandbox, { recursive: true, force: true });
  }
}

/** A resource in `pulumi stack export` output. */
export type StackResource = StateResource;

/** The tsconfig the README recommends to users: works with TypeScript 5.x and 6.x. */
export const USER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    outDir: "bin",
    sourceMap: true,
    skipLibCheck: true,
    forceConsistentCasingInFileNames: true,
    types: ["node"] as string[],
  },
  include: ["**/*.ts"],
  exclude: ["node_modules", "bin"],
};

/**
 * Mocha hooks for a suite that runs one user project against its own emulator: `before` starts the emulator
 * and creates the project (with `stack`: initialises it and points it at the emulator), `after` removes both.
 * The suite is skipped when the real-engine tests are (or when `skip()` says so).
 */
export function useUserProject(
  opts: UserProjectOptions & {
    emulator?: EmulatorOptions;
    stack?: string;
    skip?: () => boolean;
    /** more setup once the stack points at the emulator (e.g. the program's own config) */
    setUp?: (project: UserProject, emulator: Emulator) => Promise<void>;
  },
): { readonly emulator: Emulator; readonly project: UserProject } {
  const { emulator: emulatorOptions, stack, skip, setUp, ...projectOptions } = opts;
  let emulator: Emulator | undefined;
  let project: UserProject | undefined;
  before(async function () {
    if (skip?.() || e2eSkipped()) this.skip();
    emulator = await startTestEmulator(emulatorOptions);
    project = await UserProject.create(projectOptions);
    if (stack !== undefined) {
      await project.initStack(stack);
      await project.useApi(emulator);
    }
    await setUp?.(project, emulator);
  });
  after(async () => {
    await project?.dispose();
    await emulator?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("user project not created yet: use it inside a test or hook");
    return v;
  };
  return {
    get emulator() {
      return started(emulator);
    },
    get project() {
      return started(project);
    },
  };
}
