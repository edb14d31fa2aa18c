#!/usr/bin/env node
// `npx doover-probe [--write [--device ID]] [--json] [--api-url URL] [--organisation ID] [--profile NAME] …`
// Which behaviours the Doover API has, next to what pulumi-doover assumes (docs/probe.md). The token, URL and
// organisation come from the same places as the provider's (stack config aside): flags, then env
// (DOOVER_API_TOKEN, DOOVER_CONTROL_API_BASE_URL, DOOVER_ORGANISATION_ID, DOOVER_PROFILE…), then the
// doover-cli profile in ~/.doover/config. The table (or --json) goes to stdout, progress to stderr.

import { randomBytes } from "node:crypto";
import { DooverProviderError } from "../provider/errors";
import { requestSettings } from "../provider/provider-config";
import { Client, type ClientOptions, CredentialsError, formatJson, formatReport, PROBE_EXIT_CODES } from "../sdk";

const USAGE = `usage: doover-probe [options]

Tells which behaviours your Doover API has, next to what pulumi-doover assumes. Read-only by default.

  --write              also make throwaway objects (probe_<random>…) to see how POSTs of taken names
                       are answered; everything made is removed (applications are archived) at the end
  --device ID          with --write: a test device for the app install and tunnel checks
  --json               print the report as JSON
  --api-url URL        the Control API (default: env DOOVER_CONTROL_API_BASE_URL, the profile, ${"https://api.doover.com"})
  --organisation ID    the organisation to write to (default: env DOOVER_ORGANISATION_ID, the profile)
  --profile NAME       the doover-cli profile in ~/.doover/config (default: env DOOVER_PROFILE, "default")
  --staging            the staging API (env DOOVER_STAGING)
  --retry-budget S     seconds one request keeps retrying (default: env DOOVER_RETRY_BUDGET_SECONDS, else 60)
  --timeout S          seconds per attempt (default: env DOOVER_REQUEST_TIMEOUT_SECONDS, else 30)
  --debug              log every request (env DOOVER_LOG=debug)

The token: env DOOVER_API_TOKEN, else the profile's (\`doover login\`).
Exit: 0 as assumed, 1 a MISMATCH or ERROR, 2 not probed (unreachable, token refused, interrupted),
3 --write left objects behind (listed with the commands to remove them), 64 bad options.`;

interface Args {
  write: boolean;
  json: boolean;
  debug: boolean;
  deviceId?: string;
  client: ClientOptions;
  retryBudgetSeconds?: number;
  timeoutSeconds?: number;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { write: false, json: false, debug: false, client: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const seconds = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0)
        throw new UsageError(`${flag} must be a positive number of seconds, not "${v}"`);
      return n;
    };
    switch (flag) {
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      case "--write":
        args.write = true;
        break;
      case "--json":
        args.json = true;
        break;
      case "--debug":
        args.debug = true;
        break;
      case "--staging":
        args.client.staging = true;
        break;
      case "--device":
        args.deviceId = value();
        if (!/^\d+$/.test(args.deviceId))
          throw new UsageError(`--device must be a device id (digits), not "${args.deviceId}"`);
        break;
      case "--api-url":
        args.client.baseUrl = value();
        break;
      case "--organisation":
      case "--organisation-id":
        args.client.organisationId = value();
        break;
      case "--profile":
        args.client.profile = value();
        break;
      case "--retry-budget":
        args.retryBudgetSeconds = seconds();
        break;
      case "--timeout":
        args.timeoutSeconds = seconds();
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (args.deviceId !== undefined && !args.write) throw new UsageError("--device is used by --write only");
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`doover-probe: ${e.message}\n\n${USAGE}`);
    return PROBE_EXIT_CODES.usage;
  }
  const log = (line: string) => console.error(line);
  let client: Client;
  try {
    const request = requestSettings(); // the provider's env settings (stack config is not read here)
    client = new Client({
      ...args.client,
      timeoutMs: args.timeoutSeconds !== undefined ? args.timeoutSeconds * 1000 : request.timeoutMs,
      retryBudgetMs:
        args.retryBudgetSeconds !== undefined ? args.retryBudgetSeconds * 1000 : (request.retryBudgetMs ?? 60_000),
      maxRequestsPerSecond: request.maxRequestsPerSecond,
      settingNames: {
        timeout: "--timeout (env DOOVER_REQUEST_TIMEOUT_SECONDS)",
        retryBudget: "--retry-budget (env DOOVER_RETRY_BUDGET_SECONDS)",
      },
      debug: args.debug || undefined,
      // No `logger`: the probe says every wait itself (with what it waits for), so the client's own retry
      // lines would repeat it; its other lines (and --debug) still reach stderr.
    });
  } catch (e) {
    if (CredentialsError.isInstance(e) || DooverProviderError.isInstance(e)) {
      console.error(`doover-probe: ${(e as Error).message}`);
      return PROBE_EXIT_CODES.unreachable;
    }
    throw e;
  }
  const prefix = `probe_${[...randomBytes(10)].map((b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("")}`;
  const stop = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts === 1 && args.write) {
      log("doover-probe: interrupted; removing what it made first (Ctrl-C again to quit at once)");
      stop.abort();
      return;
    }
    if (args.write) {
      log(
        `doover-probe: quit before removing what it made: look for applications, app installs and tunnels named ` +
          `${prefix}… (e.g. \`doover app list\`) and archive or delete them.`,
      );
    }
    process.exit(130);
  });
  log(`doover-probe: probing ${client.baseUrl}${args.write ? ` (with writes: names ${prefix}…)` : " (read-only)"}`);
  const report = await client.probe({ write: args.write, deviceId: args.deviceId, log, signal: stop.signal, prefix });
  const width = process.stdout.isTTY ? Math.max(80, Math.min(process.stdout.columns ?? 120, 200)) : 120;
  process.stdout.write(args.json ? formatJson(report) : formatReport(report, width));
  return report.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(`doover-probe: ${e?.stack ?? e}`);
    process.exitCode = 70;
  },
);
