// The doover_config.json samples the config tests run over: fixtures written for this repository, shaped
// like real files (tests/fixtures/configs/README.md lists what each one covers), plus the real example file
// pydoover's source distribution carries, fetched from PyPI (see pydooverSdistFile). Nothing outside the
// repository and the download cache is read.

import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot as findRepoRoot, pydooverSdistFile } from "./openapi";

/** Repo root, from either the source tree (tests/support) or the compiled one (dist/tests/support). */
export const repoRoot: string = findRepoRoot();

/** The fixture samples: one folder per sample, each with a `doover_config.json` (and its deployment/ files). */
export const fixtureConfigsDir: string = path.join(repoRoot, "tests", "fixtures", "configs");

export interface ConfigSample {
  /** sample folder name, e.g. `gate-encoder`, or `pydoover-example` for the registry file */
  name: string;
  dir: string;
  file: string;
}

/** Every `tests/fixtures/configs/<sample>/doover_config.json`, sorted by name; throws when there are none. */
export function listFixtureConfigs(): ConfigSample[] {
  const samples = fs
    .readdirSync(fixtureConfigsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(fixtureConfigsDir, d.name, "doover_config.json")))
    .map((d) => ({
      name: d.name,
      dir: path.join(fixtureConfigsDir, d.name),
      file: path.join(fixtureConfigsDir, d.name, "doover_config.json"),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (samples.length === 0) throw new Error(`no doover_config.json fixtures under ${fixtureConfigsDir}`);
  return samples;
}

/** The fixture sample `name` (a test that needs one fails, never skips, when it is gone). */
export function fixtureConfig(name: string): ConfigSample {
  const sample = listFixtureConfigs().find((s) => s.name === name);
  if (!sample) throw new Error(`fixture ${name} not found under ${fixtureConfigsDir}`);
  return sample;
}

/** pydoover 1.18.3's `examples/doover_config.json` (a legacy-format file), from its sdist on PyPI; throws when it cannot be fetched. */
export function registryExampleConfig(): ConfigSample {
  const file = pydooverSdistFile("examples/doover_config.json");
  return { name: "pydoover-example", dir: path.dirname(file), file };
}

/** Copy a sample folder (config + deployment/ etc.) into a fresh temp dir; samples are never written. */
export function copySample(sample: ConfigSample, tmpRoot: string): string {
  const dest = path.join(tmpRoot, sample.name);
  fs.cpSync(sample.dir, dest, { recursive: true });
  return path.join(dest, "doover_config.json");
}
