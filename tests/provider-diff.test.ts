// stableEqual (provider/diff.ts) compares every declared field in every read and diff; its shortcuts for
// strings, booleans and unset values must give exactly the answer of comparing canonical JSON texts.
import assert from "node:assert/strict";
import { canonical, stableEqual } from "../provider/diff";

describe("provider diff: stableEqual", () => {
  it("agrees with comparing canonical texts on every pair of a grid of values (unset, text, numbers, objects)", () => {
    const values: unknown[] = [
      undefined,
      null,
      "",
      "a",
      "null",
      "true",
      "1",
      true,
      false,
      0,
      -0,
      1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      [],
      [null],
      [undefined],
      [1, "a"],
      {},
      { a: undefined },
      { a: null },
      { a: 1, b: [2] },
      { b: [2], a: 1 },
      { a: { c: 1, d: null } },
      { a: { d: undefined, c: 1 } },
    ];
    for (const a of values) {
      for (const b of values) {
        assert.equal(stableEqual(a, b), canonical(a) === canonical(b), `${canonical(a)} vs ${canonical(b)}`);
      }
    }
  });
});
