#!/usr/bin/env node
// A small Node.js language host for the Pulumi CLI (`pulumi-language-nodejs`).
//
// The official host is a Go module that is not obtainable from the Go module
// proxy, so `scripts/ensure-pulumi.sh` installs this script next to `pulumi`
// instead. It implements the pulumirpc.LanguageRuntime gRPC service with the
// stubs shipped in @pulumi/pulumi and runs programs exactly as the official host
// does: `node <@pulumi/pulumi>/cmd/run --monitor … <program>` with the stack
// config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS. A TypeScript `main` runs as is:
// Node 22 strips the types (or, with `runtime.options.typescript: true`, the ts-node
// that @pulumi/pulumi vendors compiles it). Plugins are not downloaded: dynamic
// providers need none, and `pulumi install` only says to run `npm ci`.
//
// Usage (by the engine): pulumi-language-nodejs [flags] <engine address>
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

// Resolve @pulumi/pulumi from the project: the engine starts us in the program directory. (This
// script is a copy in the CLI cache, shared by every checkout, so there is nothing to fall back on.)
function projectRequire() {
  try {
    const pkg = createRequire(path.join(process.cwd(), "noop.js")).resolve("@pulumi/pulumi/package.json");
    // Its own dependencies (grpc-js, google-protobuf) resolve from there, hoisted or not.
    return createRequire(pkg);
  } catch {
    process.stderr.write(
      `pulumi-language-nodejs: cannot find @pulumi/pulumi from ${process.cwd()}; run \`npm ci\` in the project\n`,
    );
    process.exit(1);
  }
}

const req = projectRequire();
const grpc = req("@grpc/grpc-js");
const services = req("./proto/language_grpc_pb");
const langpb = req("./proto/language_pb");
const pluginpb = req("./proto/plugin_pb");
const emptypb = req("google-protobuf/google/protobuf/empty_pb");
const sdkVersion = req("./package.json").version;
const runScript = req.resolve("./cmd/run");

// Exit code @pulumi/pulumi/cmd/run uses when it already reported the error.
const EXIT_ALREADY_LOGGED = 32;

const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const engineAddress = positional[positional.length - 1] || "";

function optionsOf(info) {
  const opts = info && info.getOptions();
  return opts ? opts.toJavaScript() : {};
}

// Programs being run, so a signal to us reaches them too.
const running = new Set();

// How often we and the programs check that the process that started us is still there.
const WATCH_MS = 500;
// Loaded into each program (`node --import`): exit once its parent (this host) is gone.
const PROGRAM_WATCHDOG = `const p = process.ppid;
setInterval(() => { if (process.ppid !== p) process.exit(1); }, ${WATCH_MS}).unref();`;

function runProgram(request) {
  const info = request.getInfo();
  const options = optionsOf(info);
  const config = {};
  for (const [k, v] of request.getConfigMap().entries()) config[k] = v;
  const pwd = request.getPwd() || (info && info.getProgramDirectory()) || process.cwd();
  const program = (info && info.getEntryPoint()) || request.getProgram() || ".";

  const args = [
    ...(options.nodeargs ? String(options.nodeargs).split(/\s+/).filter(Boolean) : []),
    // The program exits when we are gone (a SIGKILL to us leaves no handler to stop it).
    `--import=data:text/javascript,${encodeURIComponent(PROGRAM_WATCHDOG)}`,
    runScript,
    `--monitor=${request.getMonitorAddress()}`,
    `--engine=${engineAddress}`,
    `--project=${request.getProject()}`,
    `--stack=${request.getStack()}`,
    `--pwd=${pwd}`,
    `--parallel=${request.getParallel()}`,
  ];
  if (request.getOrganization()) args.push(`--organization=${request.getOrganization()}`);
  if (info && info.getRootDirectory()) args.push(`--root-directory=${info.getRootDirectory()}`);
  if (request.getDryrun()) args.push("--dry-run");
  args.push(program, ...request.getArgsList());

  const env = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
    // Compiled JavaScript is the supported setup; TypeScript only when asked for.
    PULUMI_NODEJS_TYPESCRIPT: options.typescript === true ? "true" : "false",
  };
  if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = String(options.tsconfig);

  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: pwd, env, stdio: ["ignore", "inherit", "inherit"] });
    running.add(child);
    child.on("error", (err) => resolve({ error: `failed to start node: ${err.message}`, bail: false }));
    child.on("exit", (code, signal) => {
      running.delete(child);
      if (code === 0) resolve({ error: "", bail: false });
      else if (code === EXIT_ALREADY_LOGGED) resolve({ error: "", bail: true });
      else resolve({ error: `Program exited with non-zero exit code: ${code ?? signal}`, bail: false });
    });
  });
}

function unary(fn) {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (resp) => callback(null, resp),
        (err) => callback({ code: grpc.status.INTERNAL, details: String((err && err.message) || err) }),
      );
  };
}

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(services.LanguageRuntimeService, {
  handshake: unary(() => new langpb.LanguageHandshakeResponse()),
  getPluginInfo: unary(() => new pluginpb.PluginInfo().setVersion(sdkVersion)),
  // Dynamic providers run in the bundled `pulumi-nodejs` plugin, which the
  // engine finds on its own; this project needs no downloaded plugins.
  getRequiredPlugins: unary(() => new langpb.GetRequiredPluginsResponse().setPluginsList([])),
  getRequiredPackages: unary(() => new langpb.GetRequiredPackagesResponse().setPackagesList([])),
  run: unary(async (request) => {
    const result = await runProgram(request);
    return new langpb.RunResponse().setError(result.error).setBail(result.bail);
  }),
  about: unary(() =>
    new langpb.AboutResponse().setExecutable(process.execPath).setVersion(process.version.replace(/^v/, "")),
  ),
  getProgramDependencies: unary((request) => {
    const resp = new langpb.GetProgramDependenciesResponse();
    const info = request.getInfo();
    const pkgFile = nearestPackageJson((info && info.getProgramDirectory()) || process.cwd());
    if (!pkgFile) return resp;
    const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
    const pkgReq = createRequire(pkgFile);
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort()) {
      let version = "";
      try {
        version = pkgReq(`${name}/package.json`).version;
      } catch {
        // not installed, or not resolvable through exports
      }
      resp.addDependencies(new langpb.DependencyInfo().setName(name).setVersion(version));
    }
    return resp;
  }),
  installDependencies: (call) => {
    // Installing is npm's job (scripts/setup.sh runs `npm ci`); say so rather than succeed silently.
    const note = "pulumi-language-nodejs: dependencies come from npm: run `npm ci` (or `npm run setup`)\n";
    call.write(new langpb.InstallDependenciesResponse().setStdout(Buffer.from(note)));
    call.end();
  },
  runtimeOptionsPrompts: unary(() => new langpb.RuntimeOptionsResponse()),
  cancel: unary(() => new emptypb.Empty()),
});

server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`pulumi-language-nodejs: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});

// The program the host runs (the project's package.json, walking up from the program directory).
function nearestPackageJson(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const f = path.join(d, "package.json");
    if (fs.existsSync(f)) return f;
    if (path.dirname(d) === d) return undefined;
  }
}

// Stops the programs and exits. The engine normally ends us with a signal; when the CLI dies without
// one (SIGKILL, OOM, a cancelled CI job) we are re-parented, and nothing else would ever stop us.
let stopping = false;
function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  for (const child of running) child.kill(sig);
  server.forceShutdown();
  const exitWhenDone = () => (running.size === 0 ? process.exit(0) : undefined);
  for (const child of running) child.once("exit", exitWhenDone);
  exitWhenDone();
  // Programs that ignore the signal get no more than a short grace period.
  setTimeout(() => {
    for (const child of running) child.kill("SIGKILL");
    process.exit(1);
  }, 3000).unref();
}

for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => shutdown(sig));

const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) shutdown("SIGTERM");
}, WATCH_MS).unref();
