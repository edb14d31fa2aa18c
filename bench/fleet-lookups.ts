// What a fleet lookup costs: getDevices({ group, includeSubgroups }) against the emulator holding N devices in
// nested groups, A/B interleaved against its own floor, one raw `client.devices.list({ groupTree })` (the same
// device pages, without the group tree read and the subtree check). Reports medians, the ratio and the
// requests each makes. Not a test.
//
//   node dist/bench/fleet-lookups.js [--devices 1000] [--groups 10] [--rounds 15]
import * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../emulator";
import { getDevices } from "../provider/lookup/device-lookups";
import { Client } from "../sdk";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const devices = arg("devices", 1000);
  const groups = arg("groups", 10);
  const rounds = arg("rounds", 15);
  const per = Math.floor(devices / groups);
  const t0 = performance.now();
  const emu = await startEmulator({
    devices: 0,
    recordFile: null,
    groups: [
      { name: "fleet" },
      ...Array.from({ length: groups }, (_, i) => ({ name: `region_${i + 1}`, parent: "fleet", devices: per })),
    ],
  });
  const seeded = performance.now() - t0;
  pulumi.runtime.setAllConfig({ "doover:apiUrl": emu.url, "doover:token": emu.token }, ["doover:token"]);
  const client = new Client({ baseUrl: emu.url, token: emu.token, env: {} });
  const fleet = emu.groupIds.fleet;
  const raw = async () => (await client.devices.list({ groupTree: fleet, archived: false })).length;
  const lookup = async () => (await getDevices({ group: "fleet", includeSubgroups: true })).ids.length;
  const time = async (f: () => Promise<number>) => {
    const start = performance.now();
    const n = await f();
    if (n !== per * groups) throw new Error(`expected ${per * groups} devices, got ${n}`);
    return performance.now() - start;
  };
  const calls = async (f: () => Promise<number>) => {
    emu.clearLog();
    await f();
    return emu.log().length;
  };
  await raw(); // warm both paths (module loads, keep-alive sockets)
  await lookup();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await time(raw));
    b.push(await time(lookup));
  }
  console.log(
    `fleet lookups: ${per * groups} devices in ${groups} groups under "fleet"; seeded in ${seeded.toFixed(0)} ms`,
  );
  console.log("| path | median ms | requests |\n| --- | ---: | ---: |");
  console.log(`| client.devices.list({ groupTree }) | ${median(a).toFixed(1)} | ${await calls(raw)} |`);
  console.log(`| getDevices({ group, includeSubgroups }) | ${median(b).toFixed(1)} | ${await calls(lookup)} |`);
  console.log(`ratio getDevices / raw list: ${(median(b) / median(a)).toFixed(2)} (${rounds} interleaved rounds)`);
  await emu.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
