// Issue 7 item 6: saveToDisk keeps the file's own indentation (2 spaces, 4 spaces or tabs).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Application } from "../sdk";

describe("sdk: saveToDisk keeps the file's indentation", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-save-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const entry = {
    sensor_monitor: {
      name: "sensor_monitor",
      type: "DEV",
      depends_on: ["a", "b"],
      config_schema: { type: "object", properties: { n: { type: "integer", default: 5 } } },
      staging_config: {},
    },
    other_setting: [1, 2],
  };

  for (const [label, indent] of [
    ["2 spaces", 2],
    ["4 spaces", 4],
    ["a tab", "\t"],
  ] as const) {
    it(`${label}: an unchanged save is byte-identical, a changed one keeps the layout`, () => {
      const file = path.join(fs.mkdtempSync(path.join(tmp, "c-")), "doover_config.json");
      const text = JSON.stringify(entry, null, indent) + "\n";
      fs.writeFileSync(file, text);
      const [app] = Application.loadConfigFile(file);
      app.saveToDisk();
      assert.equal(fs.readFileSync(file, "utf8"), text);

      app.id = "205837122022733829";
      app.saveToDisk();
      const expected =
        JSON.stringify(
          { ...entry, sensor_monitor: { ...entry.sensor_monitor, id: "205837122022733829" } },
          null,
          indent,
        ) + "\n";
      assert.equal(fs.readFileSync(file, "utf8"), expected);
    });
  }
});
