// A throw-away PostgreSQL server for the shared-state-backend tests: the machine's binaries
// (scripts/ensure-postgres.sh finds them; .ci/run installs Debian's package first), `initdb` into a temp dir,
// listening on 127.0.0.1 at a free port with password (scram-sha-256) authentication, one database for Pulumi's
// state. Started synchronously, so a test file can decide at load time whether its tests exist (see
// `postgresOrReason`), and stopped with `stop()` (or at process exit, whatever happens).
//
// PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (Debian's package makes
// one), else as `nobody`, owning only its temp dir.
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./pulumi";

/** A running server and how to reach it. */
export interface Postgres {
  /** Directory of the server binaries used. */
  bin: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `postgres://user:password@127.0.0.1:port/database?sslmode=disable`: what `pulumi login` takes. */
  url: string;
  /** The same without the password (give it in `PGPASSWORD`, as the docs recommend). */
  urlWithoutPassword: string;
  /** Runs SQL with psql; returns its unaligned, tuples-only output. */
  sql(query: string): string;
  /** Stops the server and removes its directory (idempotent). */
  stop(): void;
}

/** `CI` set (any value but "" / "0" / "false"): missing infrastructure is a failure, not a skip. */
export function inCi(): boolean {
  const ci = process.env.CI ?? "";
  return ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * Starts a server, or says why it cannot: the binaries are missing (with the command that installs them) or
 * the server did not start (with its log). Never throws.
 */
export function postgresOrReason(): { postgres: Postgres } | { reason: string } {
  try {
    return { postgres: startPostgres() };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

/** Starts a server (synchronously; a few seconds). Throws with the reason when it cannot. */
export function startPostgres(): Postgres {
  const bin = findBin();
  const env = binEnv(bin);
  const runAs = process.getuid?.() === 0 ? serverUser() : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doover-pg-"));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  const as = (cmd: string): string[] =>
    runAs ? ["setpriv", `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, "--clear-groups", cmd] : [cmd];
  const run = (cmd: string, args: string[]) => {
    const [file, ...pre] = as(path.join(bin, cmd));
    return spawnSync(file, [...pre, ...args], { env, encoding: "utf8", timeout: 120_000, cwd: dir });
  };
  try {
    const password = crypto.randomBytes(12).toString("hex");
    const user = "pulumi";
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chownSync(dir, runAs.uid, runAs.gid);
      fs.chownSync(pwfile, runAs.uid, runAs.gid);
    }
    const data = path.join(dir, "data");
    const init = run("initdb", [
      "-D",
      data,
      "-U",
      user,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "-E",
      "UTF8",
      "--no-sync",
      "--no-instructions",
    ]);
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}):\n${init.stdout}${init.stderr}`);
    fs.rmSync(pwfile);

    // A free port can be taken between the probe and the bind: try a few.
    let port = 0;
    let lastLog = "";
    for (let attempt = 0; attempt < 5 && !port; attempt++) {
      const candidate = freePort();
      const log = path.join(dir, `server-${attempt}.log`);
      const opts = `-p ${candidate} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
      const started = run("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start"]);
      if (started.status === 0) port = candidate;
      else lastLog = `${started.stdout}${started.stderr}${fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""}`;
    }
    if (!port) throw new Error(`the PostgreSQL server did not start:\n${lastLog}`);

    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", stop);
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
      cleanup();
    };
    process.on("exit", stop);
    const database = "pulumi_state";
    const pgEnv = { ...env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" };
    const psql = (args: string[]) =>
      execFileSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", user, ...args], {
        env: pgEnv,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
    try {
      psql(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", `CREATE DATABASE ${database}`]);
    } catch (e) {
      stop();
      throw new Error(`could not create the database: ${(e as { stderr?: string }).stderr ?? e}`);
    }
    const base = `127.0.0.1:${port}/${database}?sslmode=disable`;
    return {
      bin,
      port,
      user,
      password,
      database,
      url: `postgres://${user}:${password}@${base}`,
      urlWithoutPassword: `postgres://${user}@${base}`,
      sql: (query) => psql(["-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query]),
      stop,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** The server binaries' directory from scripts/ensure-postgres.sh (find only: installing is .ci/run's job). */
function findBin(): string {
  const r = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-postgres.sh")], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const bin = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !bin) {
    throw new Error(`no PostgreSQL server binaries: ${r.stderr.trim() || `ensure-postgres.sh exited ${r.status}`}`);
  }
  return bin;
}

/** Environment for the binaries; packages unpacked in user space (ensure-postgres.sh) bring their own libraries. */
function binEnv(bin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  for (const k of Object.keys(env)) if (/^PG/.test(k)) delete env[k];
  const root = /^(.+)\/usr\/lib\/postgresql\/[^/]+\/bin$/.exec(bin)?.[1];
  if (root) {
    const lib = path.join(root, "usr", "lib");
    const dirs = fs
      .readdirSync(lib)
      .filter((d) => d.endsWith("-linux-gnu"))
      .map((d) => path.join(lib, d));
    env.LD_LIBRARY_PATH = [...dirs, lib, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  }
  return env;
}

/** The account the server runs as when we are root. */
function serverUser(): { uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (r.status === 0 && g.status === 0) return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new Error("running as root, and neither a postgres nor a nobody user exists to run the server as");
}

/** A port nothing listens on right now (probed by a short-lived child: there is no synchronous listen). */
function freePort(): number {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: "utf8" },
  );
  return Number(out.trim());
}
