// Loaded first by every entry point of the package (`pulumi-doover`, `/sdk`, `/testing`, `/provider-runtime`,
// `/emulator`): on a Node.js older than the package needs, stop at load with one line that says so. On Node 20,
// npm installs the package anyway (an `EBADENGINE` warning only) next to an older @pulumi/pulumi (3.248.0, the
// last one that still runs there), and the failures that follow would say nothing about Node.

/** The oldest Node.js major this package runs on (package.json `engines`, as @pulumi/pulumi ≥ 3.249). */
export const MIN_NODE_MAJOR = 22;

/** The one-line message for `version` (e.g. "v20.19.2"), or undefined when it is new enough. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  if (!(major < MIN_NODE_MAJOR)) return undefined;
  return (
    `pulumi-doover needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${version} (${execPath}). ` +
    `Install Node.js ${MIN_NODE_MAJOR} (nvm install ${MIN_NODE_MAJOR}, your OS package, or ` +
    `\`npm install --save-dev node@${MIN_NODE_MAJOR}\` and node_modules/.bin first on PATH), then run ` +
    "`npm install` again so npm picks a current @pulumi/pulumi."
  );
}

const problem = nodeVersionProblem(process.version, process.execPath);
if (problem !== undefined) {
  const e = new Error(problem);
  e.stack = `Error: ${problem}`; // one line, no frames
  // @pulumi/pulumi prints a RunError's message alone, without "unhandled exception" and a stack.
  Object.defineProperty(e, "__pulumiRunError", { value: true });
  throw e;
}
