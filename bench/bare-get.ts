// The bare cost of reading N resources: one keep-alive GET per path, `--parallel` at a time, through node:http
// with nothing else (no client, no parsing beyond reading the body). cli-ab.ts runs it after each refresh as
// the refresh baseline's API part: a refresh has to make one such read per resource, which the no-op makes
// none of. Reports on stdout, as JSON, the wall and CPU seconds from the first request to the last answer
// (the process's start is not counted). Not a test.
//
//   node dist/bench/bare-get.js --url <api> --token <token> --paths <file: one path per line> [--parallel 8]
import * as fs from "node:fs";
import * as http from "node:http";

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`${name} is required (see the header of bench/bare-get.ts)`);
  return v;
}

async function main(): Promise<void> {
  const base = new URL(arg("--url"));
  const token = arg("--token");
  const parallel = Number(arg("--parallel", "8"));
  const paths = fs.readFileSync(arg("--paths"), "utf8").split("\n").filter(Boolean);
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const get = (p: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: base.hostname, port: base.port, path: p, agent, headers: { Authorization: `Bearer ${token}` } },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${p}: ${res.statusCode}`))));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
    });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, paths.length) }, async () => {
      while (next < paths.length) await get(paths[next++]);
    }),
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(cpu0);
  agent.destroy();
  console.log(JSON.stringify({ requests: paths.length, wall, cpu: (used.user + used.system) / 1e6 }));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
