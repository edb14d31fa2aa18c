// Creates are POSTs, never re-sent blindly: after an ambiguous failure the object may
// exist already, so look it up (by its unique name) before sending again.

import { Conflict, NetworkError, RequestTimeout, ServerError } from "./errors";
import type { RestClient } from "./rest-client";

/** Network error, timeout or 5xx after the request may have been processed. */
export function isAmbiguousFailure(e: unknown): boolean {
  return NetworkError.isInstance(e) || RequestTimeout.isInstance(e) || ServerError.isInstance(e);
}

/**
 * `send` once; on an ambiguous failure adopt what `lookup` finds, else re-send after a
 * backoff, at most `rest.retries` more times. With `conflictMeansLanded`, a 409 answering a
 * re-send means an earlier attempt did land: one more lookup decides.
 */
export async function createOnce<T>(
  rest: RestClient,
  send: () => Promise<T>,
  lookup: () => Promise<T | undefined>,
  opts: { conflictMeansLanded?: boolean } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const landedConflict = opts.conflictMeansLanded === true && attempt > 0 && Conflict.isInstance(e);
      if (!isAmbiguousFailure(e) && !landedConflict) throw e;
      const found = await lookup();
      if (found) return found;
      if (landedConflict || attempt >= rest.retries) throw e;
      await rest.pause(attempt + 1, e);
    }
  }
}
