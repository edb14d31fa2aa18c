// What a `doover login` profile costs per API call against a token given as such, A/B interleaved in one
// process against the in-process emulator: (A) a static token, (B) a profile whose token is not due (the session
// is asked before every attempt), (C) a profile whose 1 s tokens keep running out, with rotation (refreshes,
// each under the lock file and written back). Median wall and CPU per round, and the ratios to A. Not a test.
//
//   node dist/bench/token-refresh.js [--calls 200] [--parallel 8] [--rounds 7]
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { Client } from "../sdk";
import { forgetProfileSessions } from "../sdk/profile-session";
import { resetLimiters } from "../sdk/request-limiter";
import { profileBlock } from "../tests/support/doover-profile";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const calls = arg("calls", 200);
  const parallel = arg("parallel", 8);
  const rounds = arg("rounds", 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-token-"));
  const steady = await startEmulator({ token: "bench-static-token" });
  const churn = await startEmulator({ token: "bench-static-token-2", tokenTtlSeconds: 1, rotateRefreshTokens: true });
  const writeProfile = (file: string, e: typeof steady) =>
    fs.writeFileSync(
      file,
      profileBlock("default", {
        BASE_URL: e.url,
        REFRESH_TOKEN: e.refreshToken,
        AUTH_SERVER_URL: e.authServerUrl,
        AUTH_SERVER_CLIENT_ID: e.clientId,
      }),
    );
  const clients = {
    A: () => new Client({ baseUrl: steady.url, token: steady.token, env: {}, configPath: "/nonexistent" }),
    B: () => {
      const file = path.join(dir, "steady");
      writeProfile(file, steady);
      return new Client({ configPath: file, env: {} });
    },
    C: () => {
      const file = path.join(dir, "churn");
      writeProfile(file, churn);
      churn.reset();
      return new Client({ configPath: file, env: {} });
    },
  };
  const results: Record<string, { wall: number[]; cpu: number[] }> = {};
  let refreshes = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [label, make] of Object.entries(clients)) {
      resetLimiters();
      forgetProfileSessions();
      const client = make();
      await client.getApplications(); // the first refresh (B, C) and connections are not measured
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next++ < calls) await client.getApplications();
        }),
      );
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (round > 0) {
        (results[label] ??= { wall: [], cpu: [] }).wall.push(wall);
        results[label].cpu.push((cpu.user + cpu.system) / 1000);
      }
      if (label === "C")
        refreshes += (churn as unknown as { log(): { path: string }[] })
          .log()
          .filter((e) => e.path === "/oauth2/token").length;
    }
  }
  const a = results.A;
  console.log(`${calls} GETs, ${parallel} at a time, median of ${rounds - 1} rounds (ms; ratio to A)`);
  console.log("| | wall | ratio | cpu | ratio |\n| --- | ---: | ---: | ---: | ---: |");
  for (const [label, r] of Object.entries(results)) {
    const w = median(r.wall);
    const c = median(r.cpu);
    console.log(
      `| ${label} | ${w.toFixed(1)} | ${(w / median(a.wall)).toFixed(2)} | ${c.toFixed(1)} | ${(c / median(a.cpu)).toFixed(2)} |`,
    );
  }
  console.log(`C: ${refreshes} grants over ${rounds} rounds`);
  await steady.close();
  await churn.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
