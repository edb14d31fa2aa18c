// Project settings for Automation API inline programs that declare Doover resources.
//
// The engine starts the dynamic-provider host (`pulumi-resource-pulumi-nodejs`) in the project's `main`
// directory. That host finds @pulumi/pulumi from its working directory, and the stored provider text finds
// pulumi-doover the same way (provider/shim.ts). For an inline program, `LocalWorkspace` sets `main` to the
// process's working directory, and to nothing (the temp `workDir`) when `projectSettings` are given without one:
// a driver started from another folder (`node ops/sites.js`, a CI step in the checkout's root) or with its own
// project settings fails in the host with "Cannot find module '@pulumi/pulumi/cmd/dynamic-provider'".
// `main` set to the folder these packages are installed in works from any working directory.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { ProjectSettings } from "@pulumi/pulumi/automation";

/**
 * Project settings for `LocalWorkspace.createOrSelectStack({ stackName, projectName, program }, {
 * projectSettings: inlineProjectSettings(projectName) })`: a Node.js project whose `main` is the folder that
 * holds the `node_modules` this package (and its peer `@pulumi/pulumi`) is installed in, so the provider host
 * the engine starts for Doover resources finds both, whatever the process's working directory or the
 * workspace's `workDir`. `settings` adds or overrides fields (e.g. `backend`, `description`).
 */
export function inlineProjectSettings(projectName: string, settings: Partial<ProjectSettings> = {}): ProjectSettings {
  return { name: projectName, runtime: "nodejs", main: installRoot(), ...settings };
}

/**
 * The folder whose `node_modules` hold pulumi-doover and @pulumi/pulumi (both resolve from it). Throws, naming
 * what is missing, when there is none.
 */
export function installRoot(): string {
  const packageRoot = path.resolve(__dirname, "..", ".."); // dist/provider → the package
  const parts = packageRoot.split(path.sep);
  // The project above the outermost node_modules (npm, pnpm's symlinks), then above the innermost (a nested
  // install, pnpm's store), then the package itself (this repository).
  const candidates = [parts.indexOf("node_modules"), parts.lastIndexOf("node_modules")]
    .filter((i) => i > 0)
    .map((i) => parts.slice(0, i).join(path.sep) || path.sep);
  candidates.push(packageRoot);
  const missing: string[] = [];
  for (const dir of candidates) {
    const gap = unresolved(dir);
    if (!gap) return dir;
    missing.push(`${dir} (${gap})`);
  }
  throw new Error(
    "pulumi-doover: no folder where both pulumi-doover and @pulumi/pulumi resolve, for the provider host of an " +
      `inline program; tried ${missing.join(", ")}. Install both in the project that runs the program ` +
      "(`npm install pulumi-doover @pulumi/pulumi`).",
  );
}

function unresolved(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return "no such folder";
  const req = createRequire(path.join(dir, "noop.js"));
  for (const module of ["@pulumi/pulumi/cmd/dynamic-provider", "pulumi-doover/provider-runtime"]) {
    try {
      req.resolve(module);
    } catch {
      return `${module} not found`;
    }
  }
  return undefined;
}
