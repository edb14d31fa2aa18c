// Creates are POSTs, never re-sent blindly. This is the wire half of the create path (the provider
// half, with adopt/unarchive/errors, is provider/create-path.ts). The live control plane may answer a
// POST whose name is taken by *updating* that object (an upsert: doover-cli 0.7.1 relies on it for
// applications) instead of 409, so nothing here trusts a POST to create:
// - `lookupFirst`: look the name up once before the first POST. A taken name comes back as `existing`
//   and nothing is sent (the normal case costs one GET).
// - send once. A 2xx answer is checked for signs of an upsert (`upsert` signals: a status other than
//   201, an id known before, fields a brand-new object cannot have). Then the answer comes back as
//   `existing` with `upsert` evidence: the server changed that object with the fields sent.
// - 409 Conflict on the first attempt: the name was taken after the lookup (or there was none). Look
//   it up and hand the object back (`existing`): the caller decides (adopt, unarchive, or an error).
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

const ANSWER = "pulumi-doover.CreateAnswer";

/** A create's 2xx answer with its HTTP status: what `send` returns when the status is known. */
export class CreateAnswer<T> {
  readonly brand: string = ANSWER;
  constructor(
    readonly object: T,
    /** 201 Created; anything else (an upsert's 200) says the object was not made by this POST */
    readonly status: number,
  ) {}

  static isInstance(v: unknown): v is CreateAnswer<unknown> {
    return typeof v === "object" && v !== null && (v as { brand?: unknown }).brand === ANSWER;
  }
}

/** How to tell that a 2xx answer to a create is an object that existed before the POST. */
export interface UpsertSignals<T> {
  /** the object's id */
  id(obj: T): string;
  /** ids known to exist before this create (e.g. seen earlier by this process) */
  known?(id: string): boolean;
  /** why the answer cannot be a brand-new object (e.g. "it has 3 installs"), or undefined */
  predates?(obj: T): string | undefined;
}

/** Why a create's answer was taken for an upsert of an existing object. */
export interface UpsertEvidence {
  /** the HTTP status of the answer */
  status: number;
  /** each sign, in words (e.g. "the API answered 200, not 201 Created") */
  reasons: string[];
  /** an earlier attempt of this create failed ambiguously: the object may be that attempt's */
  afterAmbiguousFailure: boolean;
}

/**
 * `created`: this call made the object (or one of its ambiguous attempts did). `existing`: the name was
 * taken; with `upsert`, the POST was answered with that object, which the server changed with the fields
 * sent (without `upsert`, nothing was written to it).
 */
export type CreateOutcome<T> =
  | { created: T; existing?: undefined; upsert?: undefined }
  | { existing: T; created?: undefined; upsert?: UpsertEvidence };

export interface CreateOnceOptions<T> {
  /**
   * After an ambiguous failure, does the object found under the name carry what we sent? Default:
   * yes (right when nothing else could have made it, e.g. the name was looked up just before).
   */
  isOurs?: (found: T) => boolean;
  /** The API answers 409 for a taken name (applications, installs). Default true. */
  nameConflicts?: boolean;
  /**
   * Look the name up once before the first POST (with `lookup`, or this function when given, e.g. a
   * single-GET lookup); a taken name is `existing` and nothing is sent. Default false.
   */
  lookupFirst?: boolean | (() => Promise<T | undefined>);
  /** Recognise an upsert in a 2xx answer (then `existing` with `upsert`). Without it every 2xx is `created`. */
  upsert?: UpsertSignals<T>;
}

/**
 * `send` once; resolve a 409 or an ambiguous failure with `lookup` (see the file comment). `send` returns
 * the object, or a {@link CreateAnswer} when the status is known. Throws the Conflict when the name is
 * taken by an object `lookup` cannot see, and the last failure when the time budget of `rest` runs out.
 */
export async function createOnce<T>(
  rest: RestClient,
  send: () => Promise<T | CreateAnswer<T>>,
  lookup: () => Promise<T | undefined>,
  opts: CreateOnceOptions<T> = {},
): Promise<CreateOutcome<T>> {
  const isOurs = opts.isOurs ?? (() => true);
  const nameConflicts = opts.nameConflicts ?? true;
  if (opts.lookupFirst) {
    const found = await (typeof opts.lookupFirst === "function" ? opts.lookupFirst() : lookup());
    if (found !== undefined) return { existing: found };
  }
  let firstFailureAt: number | undefined;
  let sentBefore = false; // an earlier attempt of ours may have landed
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await send();
      const [object, status] = CreateAnswer.isInstance(answer)
        ? [(answer as CreateAnswer<T>).object, (answer as CreateAnswer<T>).status]
        : [answer as T, 201];
      const upsert = opts.upsert && upsertEvidence(opts.upsert, object, status, sentBefore);
      return upsert ? { existing: object, upsert } : { created: object };
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

function upsertEvidence<T>(
  signals: UpsertSignals<T>,
  object: T,
  status: number,
  afterAmbiguousFailure: boolean,
): UpsertEvidence | undefined {
  const reasons: string[] = [];
  if (status !== 201) reasons.push(`the API answered ${status}, not 201 Created`);
  const id = signals.id(object);
  if (signals.known?.(id)) reasons.push(`id ${id} existed before this create`);
  const old = signals.predates?.(object);
  if (old) reasons.push(old);
  return reasons.length > 0 ? { status, reasons, afterAmbiguousFailure } : undefined;
}

/**
 * Signs that an object a create was answered with predates the POST: what a brand-new object cannot have
 * (`has`: e.g. installs, a deployment), and values of fields the create did not send (`unsent`) that a new
 * object holds empty. Conservative: only fields no server fills in by itself.
 */
export function predatesBy(
  obj: Record<string, unknown>,
  sent: Record<string, unknown>,
  opts: { has?: Record<string, string>; unsent?: readonly string[] },
): string | undefined {
  const signs: string[] = [];
  if (obj.archived === true) signs.push("it is archived");
  for (const [key, what] of Object.entries(opts.has ?? {})) {
    const v = obj[key];
    if (key in sent || isEmptyValue(v) || v === 0) continue;
    const n = Array.isArray(v) ? v.length : typeof v === "number" ? v : undefined;
    signs.push(n === undefined ? `it has ${what}` : `it has ${n} ${what}`);
  }
  for (const key of opts.unsent ?? []) {
    if (key in sent || `${key}_id` in sent) continue; // e.g. container_registry_profile ← _id
    if (!isEmptyValue(obj[key])) signs.push(`its ${key} is set although this create did not send it`);
  }
  return signs.length > 0 ? signs.join("; ") : undefined;
}

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}
