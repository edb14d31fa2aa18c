// Many processes, one rate limit (issue 18 §1), at suite size: 4 stacks of one organisation (different names,
// each on its own device) run `pulumi up` as 4 CLI processes at the same time behind one limit of 5 requests/s
// for the whole organisation (429 + Retry-After from the fault proxy), then 4 `destroy`s at once. Every process
// finishes in one run with 0 failures, 0 duplicates and 0 orphans, and the API is kept busy: the span from its
// first to its last request is within 1.5× of the floor (requests ÷ rate). The wall time includes each CLI's
// start and exit, a fixed cost that dominates at this size; bench/many-stacks.ts bounds it at full size
// (4 × 50 apps + 20 tunnels). Scale with DOOVER_MANY_STACKS_APPS / _TUNNELS.
import assert from "node:assert/strict";
import { type Emulator, startTestEmulator } from "../support/emulator";
import { FaultProxy } from "../support/fault-proxy";
import { describePhase, ManyStacks } from "../support/many-stacks";
import { e2eSkipped } from "../support/pulumi";

const STACKS = 4;
const APPS = Number(process.env.DOOVER_MANY_STACKS_APPS ?? 8);
const TUNNELS = Number(process.env.DOOVER_MANY_STACKS_TUNNELS ?? 4);
const RATE = 5;
/** The bound the issue sets on time ÷ floor; here on the API's busy span, which the limiter controls. */
const BOUND = 1.5;

describe(`${STACKS} CLI processes, one organisation limit of ${RATE} req/s (${APPS} apps + ${TUNNELS} tunnels each)`, function () {
  this.timeout(1_200_000);
  let emulator: Emulator;
  let proxy: FaultProxy;
  let many: ManyStacks;

  before(async function () {
    if (e2eSkipped()) this.skip();
    emulator = await startTestEmulator({ token: `many-tok-${Date.now().toString(36)}`, devices: STACKS });
    proxy = await FaultProxy.start({ target: emulator.url });
    many = await ManyStacks.create(emulator, proxy, {
      stacks: STACKS,
      apps: APPS,
      tunnels: TUNNELS,
      ratePerSecond: RATE,
      prefix: "job",
    });
  });
  after(async () => {
    await many?.dispose();
    await proxy?.close();
    await emulator?.close();
  });

  for (const command of ["up", "destroy"] as const) {
    it(`${STACKS} concurrent \`${command}\`s: all succeed, 0 duplicates, 0 orphans, API busy ≤ ${BOUND}× the floor`, async () => {
      const f = await many.phase(command);
      const figures = describePhase(command, f);
      console.log(`      ${figures}`);
      assert.deepEqual(f.failures, [], figures);
      assert.deepEqual(await many.problems(command), [], figures);
      assert.ok(f.throttled > 0, `the organisation's limit was reached (429s answered): ${figures}`);
      const objects = STACKS * (APPS + TUNNELS);
      assert.ok(f.requests >= objects, `at least one request per object: ${figures}`);
      assert.ok(f.spanRatio <= BOUND, `API busy span ≤ ${BOUND} × floor: ${figures}`);
    });
  }
});
