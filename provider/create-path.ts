// The create path of every Doover resource kind (applications, tunnels, app installs), in one place.
//
// 1. Kinds whose names the API keeps unique (applications: global; app installs: per device) POST
//    first: no lookup in the normal case. A 409 or an ambiguous failure (timeout/5xx/reset after
//    sending) is resolved by one lookup by name (sdk/create-once.ts); nothing is ever re-sent
//    before that lookup, so there is never a duplicate.
//    Kinds whose names the API does not keep unique (tunnels: the API accepts a second tunnel
//    with the same name on a device) look the name up once before their POST instead.
// 2. An existing object under the name is
//    - archived (kinds with archive): unarchived and PATCHed to the declared values, and said so;
//    - live, with `adopt: true` on the resource or the stack-wide recovery switch
//      `doover:adoptExisting`: taken over (PATCHed to the declared values);
//    - otherwise: an error that names the three ways it happens and the fix for each
//      (renamed resource → `aliases`; made outside the stack → `adopt: true`; interrupted
//      `up` → `pulumi up -c doover:adoptExisting=true`).
// 3. Every object taken over is remembered for the rest of this provider process (one process per
//    deployment), per API base URL: a delete of the same object in the same deployment — the old
//    resource of a rename that was adopted by the new one — is skipped and logged, never done.

import type { RestClient } from "../sdk";
import { createOnce } from "../sdk";
import { DooverProviderError } from "./errors";

/** How one resource kind creates, finds, unarchives and takes over its objects. */
export interface CreatePathSpec<T> {
  /** the object kind in messages, e.g. `application`, `tunnel`, `app install` */
  kind: string;
  /** the Pulumi resource class, e.g. `DooverApplication` */
  resourceType: string;
  /** the object in messages, e.g. `application "pump_monitor"` or `tunnel "ssh" on device 42` */
  label: string;
  /** the request layer (time budget, backoff, base URL for the adopted-object registry) */
  rest: RestClient;
  /**
   * true: the API answers 409 for a taken name (applications, app installs): POST first.
   * false: it accepts duplicates (tunnels): one lookup before the POST.
   */
  nameConflicts: boolean;
  /** exactly one POST; must not retry an ambiguous failure itself (use the sdk's `post` methods) */
  post(): Promise<T>;
  /** the object with this name (archived ones included for kinds with archive), if any */
  find(): Promise<T | undefined>;
  /**
   * After an ambiguous failure: does the object found carry what we sent (then it is our create)?
   * Default: yes.
   */
  isOurs?(found: T): boolean;
  id(obj: T): string;
  /** kinds with archive/unarchive: is this one archived (then it is brought back, adopt or not) */
  isArchived?(obj: T): boolean;
  /**
   * Before an existing object is taken over: throw a DooverProviderError to refuse (e.g. another
   * organisation), or return "retry" after freeing the name (the POST is then sent again).
   */
  vet?(existing: T): Promise<"take" | "retry">;
  /** unarchive when archived, then PATCH what differs from the declared values; returns the live object */
  takeOver(existing: T): Promise<T>;
  /** the resource's `adopt` input */
  adopt: boolean;
  /** the stack-wide recovery switch `doover:adoptExisting` */
  adoptExisting: boolean;
  /** where notices go (default: stderr, which the Pulumi engine shows in its log) */
  log?: (line: string) => void;
}

/** How the object came to be managed by this resource. */
export type CreateHow = "created" | "adopted" | "unarchived";

export interface CreatePathResult<T> {
  live: T;
  how: CreateHow;
}

/**
 * Creates the object, or brings back / takes over the one holding its name, following the rules
 * in the file comment. Errors from `takeOver` propagate as they are (wrap them in
 * DooverResourceInitError there, so the engine records the id).
 */
export async function createOrAdopt<T>(spec: CreatePathSpec<T>): Promise<CreatePathResult<T>> {
  // Explicit adopt expects the object to exist; kinds without unique names must always look first.
  if (!spec.nameConflicts || spec.adopt) {
    const found = await spec.find();
    if (found !== undefined) {
      const result = await existing(spec, found, true);
      if (result) return result;
    }
  }
  for (let freed = 0; ; freed++) {
    const outcome = await createOnce<T>(
      spec.rest,
      () => spec.post(),
      () => spec.find(),
      {
        nameConflicts: spec.nameConflicts,
        isOurs: spec.isOurs ? (found: T) => spec.isOurs!(found) : undefined,
      },
    );
    if (outcome.existing === undefined) return { live: outcome.created as T, how: "created" };
    const result = await existing(spec, outcome.existing as T, freed === 0);
    if (result) return result;
  }
}

/** Takes over `found` (or throws why not); undefined when `vet` freed the name and a POST may follow. */
async function existing<T>(
  spec: CreatePathSpec<T>,
  found: T,
  mayRetry: boolean,
): Promise<CreatePathResult<T> | undefined> {
  const archived = spec.isArchived?.(found) === true;
  const id = spec.id(found);
  if (!archived && !spec.adopt && !spec.adoptExisting) throw alreadyExistsError(spec, id);
  if (spec.vet && (await spec.vet(found)) === "retry") {
    if (mayRetry) return undefined;
    throw new DooverProviderError(`${spec.label}: the name was freed but is still taken; run \`pulumi up\` again`);
  }
  const live = await spec.takeOver(found);
  rememberAdopted(spec.rest.baseUrl, spec.kind, id);
  const log = spec.log ?? defaultLog;
  const why = archived
    ? "it was archived (e.g. by an earlier `pulumi destroy`); it was unarchived and updated to the declared values"
    : spec.adopt
      ? "`adopt: true`; it was updated to the declared values"
      : "doover:adoptExisting is set; it was updated to the declared values (remove the setting once the stack has converged: `pulumi config rm doover:adoptExisting`)";
  log(`doover: ${spec.resourceType} took over the existing ${spec.label} (id ${id}): ${why}`);
  return { live, how: archived ? "unarchived" : "adopted" };
}

/** The "already exists" error: the three ways it happens and the fix for each. */
export function alreadyExistsError(
  spec: Pick<CreatePathSpec<unknown>, "kind" | "label" | "resourceType">,
  id: string,
): DooverProviderError {
  return new DooverProviderError(
    `${spec.label} already exists (id ${id}) and this ${spec.resourceType} does not manage it yet. Which case is it?\n` +
      `  1. You renamed this resource in the program (or moved it into a component): tell Pulumi it is the same ` +
      `resource with \`aliases: [{ name: "<old name>" }]\` in its options. The old name is the ${spec.resourceType} ` +
      `that \`pulumi preview\` shows as "delete" (or \`pulumi stack --show-urns\` lists with the same ${spec.kind}).\n` +
      `  2. The ${spec.kind} was made outside this stack (doover-cli, the web UI, another stack): set \`adopt: true\` on ` +
      `this ${spec.resourceType} to manage it from now on (\`pulumi destroy\` will then remove it).\n` +
      `  3. An earlier \`pulumi up\` was interrupted after creating it (killed, cancelled CI job, lost network): run ` +
      `\`pulumi up -c doover:adoptExisting=true\` once, then \`pulumi config rm doover:adoptExisting\`.\n` +
      `Otherwise choose another name.`,
  );
}

// Objects taken over in this process: `${baseUrl} ${kind} ${id}`. Shared across module copies.
const ADOPTED = Symbol.for("pulumi-doover.adopted-objects.v1");
function adopted(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (g[ADOPTED] ??= new Set());
}
const key = (baseUrl: string, kind: string, id: string) => `${baseUrl.replace(/\/+$/, "")} ${kind} ${id}`;

/** Records that a resource of this deployment took over the object (create-path does this itself). */
export function rememberAdopted(baseUrl: string, kind: string, id: string): void {
  adopted().add(key(baseUrl, kind, id));
}

/** Whether a resource of this deployment took over the object. */
export function wasAdopted(baseUrl: string, kind: string, id: string): boolean {
  return adopted().has(key(baseUrl, kind, id));
}

/**
 * For delete: true (and a log line) when another resource of this deployment took the object over,
 * so the delete must not happen — e.g. the old half of a rename whose new half used `adopt: true`.
 */
export function skipDeleteOfAdopted(
  baseUrl: string,
  kind: string,
  id: string,
  label: string,
  log: (line: string) => void = defaultLog,
): boolean {
  if (!wasAdopted(baseUrl, kind, id)) return false;
  log(
    `doover: not deleting ${label} (id ${id}): another resource of this deployment took it over, so it stays; ` +
      `the old resource is only removed from the stack`,
  );
  return true;
}

/** Forgets every remembered take-over (tests). */
export function resetAdopted(): void {
  adopted().clear();
}

function defaultLog(line: string): void {
  console.error(line);
}
