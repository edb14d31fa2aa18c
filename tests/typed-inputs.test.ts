// Issue 7 item 16: `type`, `visibility` and `protocol` are string-literal unions, so a typo fails to compile.
// Small programs are compiled with the TypeScript compiler against the package's own declarations (dist/).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { repoRoot } from "./support/configs";

function compile(body: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typed-inputs-"));
  try {
    const file = path.join(dir, "program.ts");
    const entry = path.join(repoRoot, "dist", "index");
    fs.writeFileSync(
      file,
      `import { DooverApplication, DooverTunnel, Type, Visibility } from ${JSON.stringify(entry)};\n${body}\n`,
    );
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      types: [],
      typeRoots: [path.join(repoRoot, "node_modules", "@types")],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const app = (type: string, visibility = '"private"') =>
  `new DooverApplication("a", { displayName: "A", description: "d", type: ${type}, visibility: ${visibility} });`;
const tunnel = (protocol: string) =>
  `new DooverTunnel("t", { deviceId: "1", hostname: "h", port: 22, protocol: ${protocol} });`;

describe("typed inputs (compile-time)", function () {
  this.timeout(60000);

  it("codes, names and the enums compile", () => {
    const ok = [
      app('"device"'),
      app('"DEV"'),
      app("Type.report", "Visibility.public"),
      app('"PRO"', '"PUB"'),
      tunnel('"tcp"'),
      tunnel('"https"'),
    ].join("\n");
    assert.deepEqual(compile(ok), []);
  });

  for (const [label, body, bad] of [
    ["type", app('"devcie"'), "devcie"],
    ["visibility", app('"device"', '"secret"'), "secret"],
    ["protocol", tunnel('"ftp"'), "ftp"],
  ] as const) {
    it(`${label}: a typo fails to compile`, () => {
      const errors = compile(body);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0], new RegExp(`"${bad}"`));
    });
  }
});
