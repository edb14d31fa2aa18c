// One Pulumi stack per site, driven from one Node.js process with the Automation API (inline programs, no
// Pulumi.yaml): the `apps` stack publishes the application, then every site's stack installs it on the site's
// devices, a few stacks at a time. `destroy` goes the other way round.
//
//   npm run build
//   export DOOVER_API_TOKEN=…  DOOVER_ORGANISATION_ID=…      # the token never enters stack config or state
//   export PULUMI_CONFIG_PASSPHRASE=…                         # or a stack secrets provider of your team's
//   npm run sites -- up      [--sites sites.json] [--concurrency 4] [--json result.json] [--only north,south]
//   npm run sites -- preview | outputs
//   npm run sites -- destroy [--remove]                       # --remove also deletes the emptied stacks
//
// The backend is Pulumi's usual choice: PULUMI_BACKEND_URL, else `pulumi login`. `pulumi` must be on PATH.
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { inlineProjectSettings } from "pulumi-doover";
import { appsProgram, type Site, type Sites, siteProgram } from "./programs";

const PROJECT = "doover-sites";
const APPS_STACK = "apps";
type Command = "up" | "preview" | "destroy" | "outputs";

interface Options {
  command: Command;
  sitesFile: string;
  concurrency: number;
  json?: string;
  only?: string[];
  remove: boolean;
}

/** What happened to one stack. */
interface StackResult {
  stack: string;
  ok: boolean;
  /** Resource changes by kind (create, update, same, delete, …). */
  changes: Record<string, number>;
  outputs: Record<string, unknown>;
  seconds: number;
  error?: string;
}

function parseArgs(argv: string[]): Options {
  const command = argv[0] as Command;
  if (!["up", "preview", "destroy", "outputs"].includes(command)) {
    throw new Error(`usage: sites <up|preview|destroy|outputs> [options] (got ${argv[0] ?? "nothing"})`);
  }
  const o: Options = { command, sitesFile: "sites.json", concurrency: 4, remove: false };
  for (let i = 1; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    if (argv[i] === "--sites") o.sitesFile = value();
    else if (argv[i] === "--concurrency") o.concurrency = Math.max(1, Number(value()));
    else if (argv[i] === "--json") o.json = value();
    else if (argv[i] === "--only") o.only = value().split(",");
    else if (argv[i] === "--remove") o.remove = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

/** Creates or selects the stack, with the API settings of the environment as plain stack config. */
async function stackFor(name: string, program: PulumiFn): Promise<Stack> {
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, projectName: PROJECT, program },
    // `main` = where pulumi-doover is installed: the provider host finds it whatever this process's cwd.
    { projectSettings: inlineProjectSettings(PROJECT) },
  );
  const config: Record<string, { value: string }> = {};
  if (process.env.DOOVER_ORGANISATION_ID)
    config["doover:organisationId"] = { value: process.env.DOOVER_ORGANISATION_ID };
  if (process.env.DOOVER_CONTROL_API_BASE_URL)
    config["doover:apiUrl"] = { value: process.env.DOOVER_CONTROL_API_BASE_URL };
  if (Object.keys(config).length) await stack.setAllConfig(config);
  return stack;
}

/** Runs one command on one stack; never throws (a failed stack does not stop the others). */
async function run(name: string, program: PulumiFn, o: Options): Promise<StackResult> {
  const started = Date.now();
  const log: string[] = [];
  const onOutput = (line: string) => log.push(line);
  const result = (ok: boolean, changes: Record<string, number> = {}, outputs: Record<string, unknown> = {}) => ({
    stack: name,
    ok,
    changes,
    outputs,
    seconds: (Date.now() - started) / 1000,
  });
  try {
    const stack = await stackFor(name, program);
    let r: StackResult;
    if (o.command === "up") {
      const up = await stack.up({ onOutput, color: "never" });
      r = result(true, up.summary.resourceChanges, plain(up.outputs));
    } else if (o.command === "preview") {
      const preview = await stack.preview({ onOutput, color: "never" });
      r = result(true, preview.changeSummary);
    } else if (o.command === "destroy") {
      const destroyed = await stack.destroy({ onOutput, color: "never" });
      if (o.remove) await stack.workspace.removeStack(name);
      r = result(true, destroyed.summary.resourceChanges);
    } else {
      r = result(true, {}, plain(await stack.outputs()));
    }
    console.log(`${name}: ${o.command} done in ${r.seconds.toFixed(1)} s ${JSON.stringify(r.changes)}`);
    return r;
  } catch (e) {
    const error = `${(e as Error).message}\n${log.slice(-30).join("")}`;
    console.error(`${name}: ${o.command} FAILED\n${error}`);
    return { ...result(false), error };
  }
}

function plain(outputs: Record<string, { value: unknown; secret: boolean }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
}

/** Runs `task` for every item, at most `limit` at a time, in order of the list. */
async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const sites = JSON.parse(fs.readFileSync(path.resolve(o.sitesFile), "utf8")) as Sites;
  const chosen = sites.sites.filter((s) => !o.only || o.only.includes(s.name));
  const apps = appsProgram(sites);
  const results: StackResult[] = [];
  const onSites = async (applicationId: string) =>
    pool(chosen, o.concurrency, (site: Site) => run(site.name, siteProgram(site, applicationId), o));

  if (o.command === "destroy") {
    results.push(...(await onSites("")));
    // The application goes last, and only when every site's install of it is gone.
    if (!o.only && results.every((r) => r.ok)) results.push(await run(APPS_STACK, apps, o));
  } else {
    // Sites need the application's id: `up` makes or updates the apps stack first; the others read its outputs.
    const appsResult = await run(APPS_STACK, apps, o.command === "up" ? o : { ...o, command: "outputs" });
    results.push(appsResult);
    const applicationId = appsResult.outputs.applicationId;
    if (typeof applicationId === "string") results.push(...(await onSites(applicationId)));
    else console.error(`no applicationId from the ${APPS_STACK} stack: run \`sites up\` first`);
  }

  const failed = results.filter((r) => !r.ok).map((r) => r.stack);
  console.log(
    `${results.length - failed.length} of ${results.length} stacks ok${failed.length ? `; failed: ${failed}` : ""}`,
  );
  if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(results, null, 2)}\n`);
  process.exitCode = failed.length || results.length === 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
