// Small property-bag helpers shared by the providers.

import { ApiUnreachable, NotFound, PRODUCTION_API_URL, Unauthorized } from "../sdk";
import { stableEqual } from "./diff";
import { DooverProviderError, messageOf } from "./errors";

export type Props = Record<string, unknown>;

/** Drops Pulumi's reserved keys (`__provider`); the host adds `__provider` back itself. */
export function stripReserved(p: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(p)) if (!k.startsWith("__")) out[k] = v;
  return out;
}

/** The listed keys that are set. */
export function pick(p: Props, keys: readonly string[]): Props {
  const out: Props = {};
  for (const k of keys) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

/**
 * What `read` returns: the refreshed state, and the inputs only when refreshing changed them (drift, or a
 * `get`/import that had none). Without `inputs` the engine keeps the stored ones: a refresh that finds
 * nothing changed sends and stores less.
 */
export function readResult(
  id: string,
  before: Props,
  next: Props,
  inputKeys: readonly string[],
): { id: string; props: Props; inputs?: Props } {
  const inputs = pick(next, inputKeys);
  return stableEqual(inputs, pick(before, inputKeys)) ? { id, props: next } : { id, props: next, inputs };
}

/** The object `read` fetches, or undefined when the API answers 404 (gone, or never there). */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (NotFound.isInstance(e)) return undefined;
    throw e;
  }
}

/** Runs an API call, adding what was being done to any error (sdk messages never hold the token). */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw wrap(what, e);
  }
}

export function wrap(what: string, e: unknown): Error {
  if (DooverProviderError.isInstance(e)) return e as Error;
  const advice = Unauthorized.isInstance(e) ? `. ${TOKEN_ORDER}` : unreachableAdvice(e);
  return new DooverProviderError(`${what}: ${messageOf(e)}${advice}`, { cause: e });
}

/** The next step for an API never reached, by where its URL came from (the brief repeats get none). */
function unreachableAdvice(e: unknown): string {
  if (!ApiUnreachable.isInstance(e) || (e as ApiUnreachable).repeat) return "";
  const source = (e as ApiUnreachable).baseUrlSource;
  const key = /^stack config (doover:\w+)$/.exec(source)?.[1];
  if (key) {
    return (
      ` Next: \`pulumi config get ${key}\` shows it; fix it with \`pulumi config set ${key} <url>\`, or remove it ` +
      `(\`pulumi config rm ${key}\`) to use ${key === "doover:apiUrl" ? PRODUCTION_API_URL : "the default"}.`
    );
  }
  if (source.startsWith("env ")) {
    return " Next: fix or unset DOOVER_CONTROL_API_BASE_URL (or set `doover:apiUrl` in stack config, which wins).";
  }
  if (source.startsWith("BASE_URL of profile")) {
    return " Next: fix BASE_URL in that profile (or set `doover:apiUrl` in stack config, which wins).";
  }
  return ` Next: check this machine's network and DNS, or set \`doover:apiUrl\` if the API lives elsewhere.`;
}

/** Which token wins, said in every 401 (a rotated token is the usual cause). */
export const TOKEN_ORDER =
  "Tokens are tried in this order: stack config `doover:token` (note: `pulumi refresh` and `pulumi destroy` use " +
  "the value saved, encrypted, with the stack's provider at the last `pulumi up`), then env DOOVER_API_TOKEN, " +
  "then the ~/.doover/config profile; a 401 moves on to the next one. After rotating the token, either run " +
  "`pulumi config set --secret doover:token <new token>` and `pulumi up`, or export DOOVER_API_TOKEN=<new token> " +
  "(or `doover login`) and run the command again";
