// mocha's spec reporter, plus the run's counts as one line of JSON in $MOCHA_COUNTS_FILE, so that
// scripts/test.sh can tell a group that ran nothing or left tests pending from one that passed
// (`mocha --reporter dist/tests/support/counting-reporter.js`).

import * as fs from "node:fs";
import Mocha from "mocha";

/** What scripts/test.sh reads back: the number of tests that passed, failed (hooks included) or stayed pending. */
interface RunCounts {
  passes: number;
  failures: number;
  pending: number;
}

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const file = process.env.MOCHA_COUNTS_FILE;
    if (!file) return;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const counts: RunCounts = { passes, failures, pending };
      fs.writeFileSync(file, `${JSON.stringify(counts)}\n`);
    });
  }
}

export = CountingReporter;
