// The real doover_config.json samples shared with the team (../shared/doover/configs).

import * as fs from "node:fs";
import * as path from "node:path";

/** Repo root, from either the source tree (tests/support) or the compiled one (dist/tests/support). */
export const repoRoot: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export const sharedConfigsDir: string = path.resolve(repoRoot, "../shared/doover/configs");

export interface SharedConfig {
  /** sample folder name, e.g. `channel-gate-encoder-rs` */
  name: string;
  dir: string;
  file: string;
}

/** Every `<sample>/doover_config.json`, sorted; [] when the shared folder is absent. */
export function listSharedConfigs(): SharedConfig[] {
  if (!fs.existsSync(sharedConfigsDir)) return [];
  return fs
    .readdirSync(sharedConfigsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(sharedConfigsDir, d.name, "doover_config.json")))
    .map((d) => ({
      name: d.name,
      dir: path.join(sharedConfigsDir, d.name),
      file: path.join(sharedConfigsDir, d.name, "doover_config.json"),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Why config tests are skipped, or undefined when the samples are there. */
export function sharedConfigsMissingReason(): string | undefined {
  return fs.existsSync(sharedConfigsDir) ? undefined : `shared configs not found at ${sharedConfigsDir}`;
}

/** Copy a sample folder (config + deployment/ etc.) into a fresh temp dir; never write into ../shared. */
export function copySample(sample: SharedConfig, tmpRoot: string): string {
  const dest = path.join(tmpRoot, sample.name);
  fs.cpSync(sample.dir, dest, { recursive: true });
  return path.join(dest, "doover_config.json");
}
