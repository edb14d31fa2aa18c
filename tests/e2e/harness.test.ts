// The harness itself with a trivial in-memory dynamic resource: proves the
// CLI, file backend, secrets config and the inline-program path without Doover.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { changes, e2eSkipped, EngineSandbox } from "../support/pulumi";

const counter: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `c-${inputs.n}`, outs: { n: inputs.n, doubled: inputs.n * 2 } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.n !== news.n };
  },
  async update(_id, _olds, news) {
    return { outs: { n: news.n, doubled: news.n * 2 } };
  },
};

class Counter extends pulumi.dynamic.Resource {
  declare readonly doubled: pulumi.Output<number>;
  constructor(name: string, n: number) {
    super(counter, name, { n, doubled: undefined });
  }
}

function program(n: number) {
  return async () => ({ doubled: new Counter("counter", n).doubled });
}

describe("e2e harness (trivial dynamic resource)", function () {
  this.timeout(180_000);
  let sandbox: EngineSandbox;
  before(async function () {
    if (e2eSkipped()) this.skip();
    sandbox = await EngineSandbox.create();
  });
  after(async () => sandbox?.dispose());

  it("runs preview, up, an update and destroy through the real engine", async () => {
    const s = await sandbox.stack({ program: program(2), config: { "doover:token": { value: "tok-123", secret: true } } });
    assert.deepEqual(changes(await s.preview()), ["create counter"]);
    const up = await s.up();
    assert.equal(up.outputs.doubled, 4);
    s.setProgram(program(5));
    assert.deepEqual(changes(await s.preview()), ["update counter"]);
    assert.equal((await s.up()).outputs.doubled, 10);
    assert.ok(!(await s.exportText()).includes("tok-123"));
    assert.deepEqual(changes(await s.destroy()), ["delete counter"]);
  });
});
