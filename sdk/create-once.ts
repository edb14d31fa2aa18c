// Creates are POSTs, never re-sent blindly. This is the wire half of the create path (the provider
// half, with adopt/unarchive/errors, is provider/create-path.ts):
// - send once;
// - 409 Conflict on the first attempt: the name is taken. Look it up and hand the object back
//   (`existing`): the caller decides (adopt, unarchive, or an error). Nothing is looked up before.
// - an ambiguous failure (network error, timeout, 5xx after the request may have been processed):
//   look the name up. Found and carrying what we sent (`isOurs`): that is our create (`created`).
//   Found but different: someone else's (`existing`). Not found: re-send after a backoff, within
//   the request layer's time budget. A 409 answering a re-send means an earlier attempt landed
//   (or someone raced us): one more lookup decides the same way.
// - a failure where nothing was sent (refused, no such host: the request layer already retried it for
//   its whole budget) or an API this process never reached: nothing can have landed, so it is thrown as
//   it is; a lookup would only spend a second budget failing the same way.

import { ApiUnreachable, Conflict, NetworkError, RequestTimeout, ServerError } from "./errors";
import type { RestClient } from "./rest-client";

/** Network error, timeout or 5xx after the request may have been processed. */
export function isAmbiguousFailure(e: unknown): boolean {
  return NetworkError.isInstance(e) || RequestTimeout.isInstance(e) || ServerError.isInstance(e);
}

/** `created`: this call made the object (or one of its ambiguous attempts did). `existing`: the name was taken. */
export type CreateOutcome<T> = { created: T; existing?: undefined } | { existing: T; created?: undefined };

export interface CreateOnceOptions<T> {
  /**
   * After an ambiguous failure, does the object found under the name carry what we sent? Default:
   * yes (right when nothing else could have made it, e.g. the name was looked up just before).
   */
  isOurs?: (found: T) => boolean;
  /** The API answers 409 for a taken name (applications, installs). Default true. */
  nameConflicts?: boolean;
}

/**
 * `send` once; resolve a 409 or an ambiguous failure with `lookup` (see the file comment). Throws
 * the Conflict when the name is taken by an object `lookup` cannot see, and the last failure when
 * the time budget of `rest` runs out.
 */
export async function createOnce<T>(
  rest: RestClient,
  send: () => Promise<T>,
  lookup: () => Promise<T | undefined>,
  opts: CreateOnceOptions<T> = {},
): Promise<CreateOutcome<T>> {
  const isOurs = opts.isOurs ?? (() => true);
  const nameConflicts = opts.nameConflicts ?? true;
  let firstFailureAt: number | undefined;
  let sentBefore = false; // an earlier attempt of ours may have landed
  for (let attempt = 1; ; attempt++) {
    try {
      return { created: await send() };
    } catch (e) {
      const conflict = nameConflicts && Conflict.isInstance(e);
      if (!conflict && !isAmbiguousFailure(e)) throw e;
      if (ApiUnreachable.isInstance(e) || (!sentBefore && (e as NetworkError).notSent === true)) throw e;
      const found = await lookup();
      if (found !== undefined) {
        if (sentBefore || !conflict) {
          // Ours when it carries what we sent; else someone else's object under the name.
          return isOurs(found) ? { created: found } : { existing: found };
        }
        return { existing: found };
      }
      if (conflict) throw e; // taken by something this token cannot see
      sentBefore = true;
      firstFailureAt ??= Date.now();
      const wait = rest.backoffMs(attempt);
      rest.checkBudget(e, attempt, firstFailureAt, wait);
      await rest.sleep(wait);
    }
  }
}
