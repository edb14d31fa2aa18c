// Tests that need infrastructure the machine lacks (outside CI only: in CI a missing input fails) are not
// registered at all, because a pending (skipped) test turns its group red under `npm test`. Instead the
// file says why, in its output and in the summary scripts/test.sh prints ($DOOVER_TEST_NOTES).
import * as fs from "node:fs";

/** Reports that `what` was not run and why (one line in the output, and in `npm test`'s summary). */
export function noteNotRun(what: string, why: string): void {
  const line = `not run: ${what}: ${why}`;
  console.log(`\n  ${line}\n`);
  const file = process.env.DOOVER_TEST_NOTES;
  if (file) fs.appendFileSync(file, `${line}\n`);
}
