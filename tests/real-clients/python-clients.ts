// The real Doover clients (doover-cli and pydoover from PyPI) pointed at an emulator: a venv from
// scripts/ensure-python-clients.sh (cached under ~/.cache/pulumi-doover), a temporary HOME whose
// ~/.doover/config profile names the emulator, and an environment with no ambient Doover settings.

import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Emulator } from "../../emulator";
import { Client } from "../../sdk";
import { type EmulatorOptions, startTestEmulator } from "../support/emulator";
import { EngineSandbox, e2eSkipped, REPO_ROOT } from "../support/pulumi";

/** The venv holding `doover` and a Python that imports pydoover. */
export interface PythonClients {
  venv: string;
  doover: string;
  python: string;
}

/** Exit code of ensure-python-clients.sh when no usable python3 exists. */
const NO_PYTHON = 3;

/**
 * The cached venv (installed on first use; a cold install takes about half a minute).
 * Returns a string (the reason) when Python itself is missing; throws on any other failure.
 */
export function ensurePythonClients(): PythonClients | string {
  try {
    const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-python-clients.sh")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      timeout: 15 * 60_000,
    });
    const venv = out.trim().split("\n").pop()!;
    return { venv, doover: path.join(venv, "bin", "doover"), python: path.join(venv, "bin", "python") };
  } catch (e) {
    const err = e as { status?: number; stderr?: string; message: string };
    if (err.status === NO_PYTHON) return (err.stderr ?? "").trim() || "python3 not found";
    throw new Error(`scripts/ensure-python-clients.sh failed: ${err.message}\n${err.stderr ?? ""}`);
  }
}

/** The clients, or an error saying what to install: a missing input fails (never skips — a skipped group passes). */
export function requirePythonClients(): PythonClients {
  const clients = ensurePythonClients();
  if (typeof clients !== "string") return clients;
  throw new Error(
    `The real-client tests need Python >= 3.11 with venv (${clients}). ` +
      "Install python3 and python3-venv, or run scripts/ensure-python-clients.sh to see the failure.",
  );
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Big integers (snowflake ids printed as Python ints) become strings so JSON.parse keeps them exact. */
export function parseJsonKeepingIds(text: string): any {
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

/** A temporary HOME with a `default` profile for the emulator, and runners for both clients. */
export class DooverHome {
  readonly dir: string;
  readonly configPath: string;

  constructor(
    readonly clients: PythonClients,
    readonly emulator: Emulator,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-real-clients-"));
    this.configPath = path.join(this.dir, ".doover", "config");
    fs.mkdirSync(path.dirname(this.configPath), { mode: 0o700 });
    // pydoover's ConfigManager format; an empty TOKEN_EXPIRES means "no expiry known".
    const profile = [
      "[profile=default]",
      `TOKEN=${emulator.token}`,
      "TOKEN_EXPIRES=",
      "AGENT_ID=",
      `BASE_URL=${emulator.url}`,
      "REFRESH_TOKEN=",
      "REFRESH_TOKEN_ID=",
      `BASE_DATA_URL=${emulator.url}`,
      "AUTH_SERVER_URL=",
      "AUTH_SERVER_CLIENT_ID=",
      "",
    ].join("\n");
    fs.writeFileSync(this.configPath, profile, { mode: 0o600 });
  }

  /**
   * The clients' environment: this HOME, Sentry off, and none of the settings that would make
   * doover-cli bypass the profile (DOOVER_API_TOKEN, trusted publishing inside GitHub Actions).
   */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(DOOVER_|ACTIONS_ID_TOKEN_|PYTHON)/.test(k) || k === "GITHUB_ACTIONS" || k === "VIRTUAL_ENV") continue;
      env[k] = v;
    }
    return {
      ...env,
      HOME: this.dir,
      DOOVER_SENTRY_ENABLED: "0",
      NO_COLOR: "1",
      TERM: "dumb",
      COLUMNS: "200",
      PYTHONDONTWRITEBYTECODE: "1",
    };
  }

  private run(file: string, args: string[], opts: { cwd?: string; input?: string } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = execFile(
        file,
        args,
        { cwd: opts.cwd ?? this.dir, env: this.env(), maxBuffer: 32 << 20, timeout: 120_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(opts.input ?? "");
    });
  }

  /** `doover <args>` (JSON rendering); rejects with its output when it exits non-zero. */
  async doover(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<string> {
    const r = await this.run(this.clients.doover, ["--render", "json", ...args], opts);
    if (r.code !== 0) throw new Error(`doover ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** `doover <args>` whose output is one JSON document. */
  async dooverJson(args: string[], opts: { cwd?: string } = {}): Promise<any> {
    return parseJsonKeepingIds(await this.doover(args, opts));
  }

  /**
   * Runs a Python snippet with pydoover; `client` is a ControlClient built from the `default`
   * profile, `args` the JSON given here, and whatever the snippet assigns to `result` is returned.
   */
  async pydoover(snippet: string, args: unknown = {}): Promise<any> {
    const program = [
      "import json, sys",
      "from pydoover.api import ControlClient",
      "args = json.loads(sys.stdin.read())",
      "client = ControlClient(profile='default')",
      "def plain(v):",
      "    return v.to_dict() if hasattr(v, 'to_dict') else v",
      "result = None",
      snippet,
      "print(json.dumps(result, default=lambda o: plain(o) if hasattr(o, 'to_dict') else str(o)))",
    ].join("\n");
    const r = await this.run(this.clients.python, ["-c", program], { input: JSON.stringify(args) });
    if (r.code !== 0) throw new Error(`pydoover snippet exited ${r.code}\n${r.stderr}\n--- snippet ---\n${snippet}`);
    return parseJsonKeepingIds(r.stdout.trim().split("\n").pop()!);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What `useRealClients` gives a describe block (set by its `before` hook). */
export interface RealClientsSuite {
  readonly emulator: Emulator;
  readonly home: DooverHome;
  /** The engine sandbox, made on first use and disposed after the block. */
  engine(this: Mocha.Context): Promise<EngineSandbox>;
}

/**
 * The set-up every real-clients block shares: an emulator, a HOME whose ~/.doover/config names it (Python
 * missing fails, never skips), the emulator reset before each test, everything closed after the block.
 */
export function useRealClients(options: EmulatorOptions): RealClientsSuite {
  let emulator: Emulator | undefined;
  let home: DooverHome | undefined;
  let sandbox: EngineSandbox | undefined;
  before(async function () {
    this.timeout(20 * 60_000); // a cold venv install downloads from PyPI
    const clients = requirePythonClients();
    emulator = await startTestEmulator(options);
    home = new DooverHome(clients, emulator);
  });
  after(async () => {
    await sandbox?.dispose();
    home?.dispose();
    await emulator?.close();
  });
  beforeEach(() => emulator?.reset());
  return {
    get emulator() {
      if (!emulator) throw new Error("the real-clients emulator is not started yet (use it inside a hook or test)");
      return emulator;
    },
    get home() {
      if (!home) throw new Error("the real-clients HOME is not made yet (use it inside a hook or test)");
      return home;
    },
    async engine(this: Mocha.Context) {
      if (e2eSkipped()) this.skip();
      sandbox ??= await EngineSandbox.create();
      return sandbox;
    },
  };
}

/** The package's own client reading the same ~/.doover/config profile as the Python clients. */
export function profileClient(home: DooverHome, emulator: Emulator): Client {
  return new Client({
    configPath: home.configPath,
    profile: "default",
    env: {},
    organisationId: emulator.organisationId,
  });
}
