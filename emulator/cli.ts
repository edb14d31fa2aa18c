#!/usr/bin/env node
// `npm run -s emulator -- --port 0 [--token T] [--state FILE] [--host H] [--organisation-id ID] [--per-page N]
//   [--deploy-step-ms MS] [--token-ttl SECONDS] [--rotate-refresh-tokens]
//   [--post-conflict] [--upsert-status 201|200] [--upsert-installs]
//   [fleet flags: see fleet-cli.ts, e.g. --devices 100 --group pumps/north=10 --deploy-fail-percent 10]
// First stdout line: {"url","token","organisationId","deviceIds","rootGroupId","groupIds","authServerUrl","clientId",
// "refreshToken"}; then serves until SIGTERM/SIGINT.
// (`-s`: without it npm prints its own "> pulumi-doover emulator" banner on stdout first.)

import { checkFleetOptions, FLEET_USAGE, parseFleetFlag } from "./fleet-cli";
import { startEmulator } from "./index";
import type { EmulatorOptions } from "./types";

const USAGE =
  "usage: emulator [--port N] [--host H] [--token T] [--state FILE] [--organisation-id ID] [--per-page N] " +
  "[--deploy-step-ms MS] [--token-ttl SECONDS] [--rotate-refresh-tokens] " +
  "[--post-conflict] [--upsert-status 201|200] [--upsert-installs] " +
  FLEET_USAGE;

/** Flags that take no value (a switch: present means on; `--flag=false` turns it off). */
const SWITCHES: Record<string, (opts: EmulatorOptions, on: boolean) => void> = {
  // POST /applications/ on a taken name: 409 (the spec) instead of the default upsert (docs/live-api.md).
  "--post-conflict": (opts, on) => {
    opts.postConflict = on;
  },
  "--upsert-installs": (opts, on) => {
    opts.upsertInstalls = on;
  },
  "--rotate-refresh-tokens": (opts, on) => {
    opts.rotateRefreshTokens = on;
  },
};

function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const toggle = SWITCHES[flag];
    if (toggle) {
      if (inline !== undefined && !/^(true|false|1|0)$/.test(inline))
        throw new Error(`bad ${flag}=${inline}\n${USAGE}`);
      toggle(opts, inline === undefined || inline === "true" || inline === "1");
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    switch (flag) {
      case "--port":
        opts.port = Number(value);
        if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`bad --port ${value}`);
        break;
      case "--host":
        opts.host = value;
        break;
      case "--token":
        opts.token = value;
        break;
      case "--state":
        opts.statePath = value;
        break;
      case "--organisation-id":
        opts.organisationId = value;
        break;
      case "--per-page":
        opts.perPageDefault = Number(value);
        if (!Number.isInteger(opts.perPageDefault) || opts.perPageDefault < 1)
          throw new Error(`bad --per-page ${value}`);
        break;
      case "--upsert-status":
        if (value !== "200" && value !== "201") throw new Error(`bad --upsert-status ${value} (200 or 201)`);
        opts.upsertStatus = Number(value) as 200 | 201;
        break;
      case "--deploy-step-ms":
        opts.deploymentStepMs = Number(value);
        if (!(opts.deploymentStepMs >= 0)) throw new Error(`bad --deploy-step-ms ${value}`);
        break;
      case "--token-ttl":
        opts.tokenTtlSeconds = Number(value);
        if (!(opts.tokenTtlSeconds > 0)) throw new Error(`bad --token-ttl ${value} (seconds, > 0)`);
        break;
      default:
        if (parseFleetFlag(flag, value, opts)) break;
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  checkFleetOptions(opts);
  return opts;
}

async function main(): Promise<void> {
  // A reader that stops after the first line (e.g. `| head -1`) must not kill the server.
  process.stdout.on("error", () => undefined);
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  const { url, token, organisationId, deviceIds, rootGroupId, groupIds, authServerUrl, clientId, refreshToken } =
    emulator;
  process.stdout.write(
    JSON.stringify({
      url,
      token,
      organisationId,
      deviceIds,
      rootGroupId,
      groupIds,
      authServerUrl,
      clientId,
      refreshToken,
    }) + "\n",
  );
  const stop = () => {
    void emulator.close().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e: Error) => {
  console.error(`emulator: ${e.message}`);
  process.exit(2);
});
