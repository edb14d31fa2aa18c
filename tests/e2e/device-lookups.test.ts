// Issue 16 item 12, as a user would: a project outside the repository (pulumi-doover from `npm pack`, the real
// CLI, the emulator) looks devices up by group and by name with the stack's own doover:* config, at preview and
// at up, and exports them; a device that joins the group shows on the next up; a wrong group name fails the
// preview naming the group and the groups that exist.
import assert from "node:assert/strict";
import { emulatorClient } from "../support/emulator";
import { useUserProject } from "../support/user-project";

const TOKEN = "lookup-e2e-token-52ab";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { getDevice, getDevices, getDevicesOutput } from "pulumi-doover";

const config = new pulumi.Config();
const group = config.get("group") ?? "pumps";

const fleet = getDevices({ group, includeSubgroups: true });
export const pumpIds = fleet.then((f) => f.ids);
export const pumpNames = fleet.then((f) => f.names);
export const groupPath = fleet.then((f) => f.group.path);
export const northOnly = getDevicesOutput({ group: pulumi.output("pumps/north") }).ids;
export const firstPump = getDevice({ name: "pumps_device_1" }).then((d) => ({ id: d.id, group: d.group.name }));
`;

describe("e2e getDevices/getDevice in a user's project (preview, up, a device joining the group)", function () {
  this.timeout(900_000);
  const ctx = useUserProject({
    program: PROGRAM,
    emulator: {
      token: TOKEN,
      devices: 2,
      groups: [
        { name: "pumps", devices: 2 },
        { name: "north", parent: "pumps", devices: 3 },
        { name: "tanks", devices: 1 },
      ],
    },
    stack: "dev",
  });
  const sortIds = (ids: string[]) => [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

  it("preview resolves the lookups with the stack's doover:* config", async () => {
    const preview = await ctx.project.preview();
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.stdout, /Emulated Organisation\/pumps/);
    assert.ok(!preview.output.includes(TOKEN), "the token never appears");
  });

  it("up exports the group's devices (subgroups included) and the named device", async () => {
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    const out = await ctx.project.outputs();
    const client = emulatorClient(ctx.emulator);
    const expected = await client.devices.listInGroup(ctx.emulator.groupIds.pumps, { includeSubgroups: true });
    assert.deepEqual(out.pumpIds, sortIds(expected.map((d) => d.id)));
    assert.equal((out.pumpNames as string[]).length, 5);
    assert.equal(out.groupPath, "Emulated Organisation/pumps");
    assert.equal((out.northOnly as string[]).length, 3);
    assert.deepEqual((out.firstPump as { group: string }).group, "pumps");
  });

  it("a device moved into the group shows on the next up", async () => {
    const client = emulatorClient(ctx.emulator);
    const joining = ctx.emulator.deviceIds[0]; // emulated_device_1, in the root group
    await client.devices.patch(joining, { group_id: ctx.emulator.groupIds.north });
    const up = await ctx.project.up();
    assert.equal(up.code, 0, up.output);
    const out = await ctx.project.outputs();
    assert.ok((out.pumpIds as string[]).includes(joining));
    assert.equal((out.pumpIds as string[]).length, 6);
    assert.equal((out.northOnly as string[]).length, 4);
  });

  it("a group that does not exist fails the preview, naming it and the groups that exist", async () => {
    await ctx.project.setConfig("user-project:group", "pumpz");
    const preview = await ctx.project.preview();
    assert.notEqual(preview.code, 0);
    assert.match(
      preview.output,
      /getDevices: no group named "pumpz" in the Doover API at http:\/\/127\.0\.0\.1:\d+ \(organisation \d+\); 4 group\(s\), closest: Emulated Organisation\/pumps/,
    );
    assert.ok(!preview.output.includes(TOKEN), "the token never appears");
  });
});
