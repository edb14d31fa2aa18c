// `npx doover-probe` as a user runs it (issue 19): in their own project outside the repository, with
// pulumi-doover installed from `npm pack`, against the emulator — the "Check your API" step of the README.
import assert from "node:assert/strict";
import { objectsNamed } from "../support/probe";
import { useUserProject } from "../support/user-project";

describe("doover-probe from a user's project (npm pack, npx)", function () {
  this.timeout(300_000);
  const ctx = useUserProject({
    name: "probe-user",
    program: `import { DooverApplication } from "pulumi-doover";\nexport const kind = typeof DooverApplication;\n`,
  });

  it("`npx doover-probe` reads the environment, prints the table, exit 0", async () => {
    const e = ctx.emulator;
    const r = await ctx.project.run("npx", ["doover-probe"], {
      extraEnv: {
        DOOVER_API_TOKEN: e.token,
        DOOVER_CONTROL_API_BASE_URL: e.url,
        DOOVER_ORGANISATION_ID: e.organisationId,
      },
    });
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /doover-probe \(pulumi-doover \d+\.\d+\.\d+\) against http:\/\/127\.0\.0\.1:\d+/);
    assert.match(r.stdout, /Exit 0: the API behaves as the package assumes\./);
  });

  it("`npx doover-probe --write --device <id> --json`: the installed package probes and removes everything", async () => {
    const e = ctx.emulator;
    const r = await ctx.project.run(
      "npx",
      [
        "doover-probe",
        "--api-url",
        e.url,
        "--organisation",
        e.organisationId,
        "--write",
        "--device",
        e.deviceIds[0],
        "--json",
      ],
      { extraEnv: { DOOVER_API_TOKEN: e.token } },
    );
    assert.equal(r.code, 0, r.output);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.leftovers, []);
    const left = await objectsNamed(e, report.prefix);
    assert.deepEqual([left.installs, left.tunnels], [[], []]);
    assert.ok(left.apps.length === 1 && left.apps[0].archived);
  });
});
