// The create path of every Doover resource kind (applications, tunnels, app installs), in one place.
//
// 1. Look the name up first (one GET), for every kind: the live control plane may answer a POST on a
//    taken name by updating that object (an upsert: doover-cli 0.7.1 publishes applications that way)
//    instead of 409, so a POST is sent only when the name is free. The answer is then checked for an
//    upsert anyway (someone may create the name between our GET and our POST): a status other than
//    201, an id this process saw before, or fields a brand-new object cannot have. A 409 (the other
//    behaviour) or an ambiguous failure (timeout/5xx/reset after sending) is resolved by one more lookup
//    (sdk/create-once.ts); nothing is ever re-sent before that lookup, so there is never a duplicate.
// 2. An existing object under the name (found before the POST, after a 409, or answering it) is
//    - archived (kinds with archive): unarchived and PATCHed to the declared values, and said so;
//    - live, with `adopt` on the resource or the stack-wide recovery switch `doover:adoptExisting`:
//      taken over (PATCHed to the declared values), with a warning to remove `adopt`;
//    - otherwise: an error that names the three ways it happens and the fix for each
//      (renamed resource → `aliases`; made outside the stack → `adopt: true`; interrupted
//      `up` → `pulumi up -c doover:adoptExisting=true`); after an upsert it also lists the fields the
//      server may have changed.
//    `adopt: "<id>"` (and the `import` option, which becomes it) takes over only that id: no POST, and
//    an error naming both ids when the name holds another.
// 3. Every object taken over is remembered for the rest of this provider process (one process per
//    deployment), per API base URL: a delete of the same object in the same deployment — the old
//    resource of a rename that was adopted by the new one — is skipped and logged, never done.

import type { CreateAnswer, RestClient, UpsertEvidence } from "../sdk";
import { createOnce } from "../sdk";
import { adoptPin, adoptSet, adoptText } from "./adopt";
import { DooverProviderError } from "./errors";
import { show } from "./inputs";

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
   * true: the API may answer 409 for a taken name (applications, app installs).
   * false: it accepts duplicates (tunnels).
   */
  nameConflicts: boolean;
  /** exactly one POST (with its status when known); must not retry an ambiguous failure itself */
  post(): Promise<T | CreateAnswer<T>>;
  /** the body `post` sends: its keys are what an upsert may have changed */
  sent?: Record<string, unknown>;
  /** the object with this name (archived ones included for kinds with archive), if any */
  find(): Promise<T | undefined>;
  /** the lookup before the POST (default `find`), e.g. one GET where `find` may take two */
  lookup?(): Promise<T | undefined>;
  /** why an object a POST was answered with cannot be new (see sdk `predatesBy`), if it cannot */
  predates?(obj: T): string | undefined;
  /** pinned adopt: the object with this id (undefined when there is none) */
  retrieve?(id: string): Promise<T | undefined>;
  /** pinned adopt: why the object with the pinned id is not this resource's (another name or device) */
  mismatch?(obj: T): string | undefined;
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
  /** the resource's `adopt` input: false, true, or the pinned id */
  adopt: boolean | string;
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
  /** the object was taken over because of the resource's `adopt` (not the recovery switch, not unarchived) */
  tookOver: boolean;
  /** the POST was answered by updating an object that already existed (then taken over) */
  upsert?: UpsertEvidence;
}

/**
 * Creates the object, or brings back / takes over the one holding its name, following the rules
 * in the file comment. Errors from `takeOver` propagate as they are (wrap them in
 * DooverResourceInitError there, so the engine records the id).
 */
export async function createOrAdopt<T>(spec: CreatePathSpec<T>): Promise<CreatePathResult<T>> {
  const pin = adoptPin(spec.adopt);
  if (pin !== undefined) return adoptPinned(spec, pin);
  const base = spec.rest.baseUrl;
  for (let freed = 0; ; freed++) {
    const outcome = await createOnce<T>(
      spec.rest,
      () => spec.post(),
      () => spec.find(),
      {
        nameConflicts: spec.nameConflicts,
        isOurs: spec.isOurs ? (found: T) => spec.isOurs!(found) : undefined,
        lookupFirst: spec.lookup ? () => spec.lookup!() : true,
        upsert: {
          id: (o: T) => spec.id(o),
          known: (id: string) => seen().has(key(base, spec.kind, id)),
          predates: spec.predates ? (o: T) => spec.predates!(o) : undefined,
        },
      },
    );
    if (outcome.existing === undefined) {
      remember(base, spec.kind, spec.id(outcome.created as T), outcome.created);
      return { live: outcome.created as T, how: "created", tookOver: false };
    }
    const result = await existing(spec, outcome.existing as T, freed === 0, outcome.upsert);
    if (result) return result;
  }
}

/** `adopt: "<id>"`: take over exactly that object, never POST. */
async function adoptPinned<T>(spec: CreatePathSpec<T>, pin: string): Promise<CreatePathResult<T>> {
  const byName = await (spec.lookup ? spec.lookup() : spec.find());
  if (byName !== undefined && spec.id(byName) !== pin) {
    throw new DooverProviderError(
      `${spec.label} is ${spec.kind} ${spec.id(byName)}, not ${pin} (the id in ${adoptText(pin)}); nothing was ` +
        `changed. Pin the id the name holds (${spec.id(byName)}), or give this ${spec.resourceType} another name.`,
    );
  }
  let found = byName;
  if (found === undefined) {
    found = spec.retrieve ? await spec.retrieve(pin) : undefined;
    if (found === undefined) {
      throw new DooverProviderError(
        `${spec.resourceType} ${adoptText(pin)}: there is no ${spec.kind} ${pin} (and no ${spec.label}); nothing ` +
          `was created. Check the id, or remove it to create the ${spec.kind}.`,
      );
    }
    const other = spec.mismatch?.(found);
    if (other !== undefined) {
      throw new DooverProviderError(
        `${spec.resourceType} ${adoptText(pin)}: ${spec.kind} ${pin} ${other}; a pinned take-over never renames or ` +
          `moves an object. Declare it as it is (then change it in a later \`pulumi up\`), or pin another id.`,
      );
    }
  }
  return (await existing(spec, found, false, undefined))!;
}

/** Takes over `found` (or throws why not); undefined when `vet` freed the name and a POST may follow. */
async function existing<T>(
  spec: CreatePathSpec<T>,
  found: T,
  mayRetry: boolean,
  upsert: UpsertEvidence | undefined,
): Promise<CreatePathResult<T> | undefined> {
  const archived = spec.isArchived?.(found) === true;
  const id = spec.id(found);
  const base = spec.rest.baseUrl;
  const adopt = adoptSet(spec.adopt);
  const changed = upsert ? upsertText(spec, id, upsert) : "";
  remember(base, spec.kind, id, upsert ? undefined : found);
  if (!archived && !adopt && !spec.adoptExisting) throw alreadyExistsError(spec, id, changed);
  if (spec.vet && (await spec.vet(found)) === "retry") {
    if (mayRetry) return undefined;
    throw new DooverProviderError(`${spec.label}: the name was freed but is still taken; run \`pulumi up\` again`);
  }
  const live = await spec.takeOver(found);
  rememberAdopted(base, spec.kind, id);
  const log = spec.log ?? defaultLog;
  const why = archived
    ? "it was archived (e.g. by an earlier `pulumi destroy`); it was unarchived and updated to the declared values"
    : adopt
      ? `${adoptText(spec.adopt)}; it was updated to the declared values`
      : "doover:adoptExisting is set; it was updated to the declared values (remove the setting once the stack has converged: `pulumi config rm doover:adoptExisting`)";
  log(
    `doover: ${spec.resourceType} took over the existing ${spec.label} (id ${id}): ${why}.${changed ? ` ${changed}` : ""}`,
  );
  const tookOver = !archived && adopt;
  if (tookOver) {
    log(
      `doover: warning: remove ${adoptText(spec.adopt)} from this ${spec.resourceType} now that it manages ` +
        `${spec.label} (id ${id}): left in the program, every other stack that runs it takes the same ${spec.kind} ` +
        "over too, and while it is set `pulumi destroy` leaves the object in place instead of removing it.",
    );
  }
  return { live, how: archived ? "unarchived" : "adopted", tookOver, upsert };
}

/** What an upsert answer means, and the fields it may have changed (with their old values when known). */
function upsertText<T>(spec: CreatePathSpec<T>, id: string, upsert: UpsertEvidence): string {
  const before = seen().get(key(spec.rest.baseUrl, spec.kind, id));
  const fields = Object.keys(spec.sent ?? {}).map((k) => {
    if (!before || !(k in before)) return k;
    return `${k} (was ${show(before[k], 60)})`;
  });
  const unknown = before ? "" : " (their earlier values are unknown: this provider had not read it before)";
  const earlier = upsert.afterAmbiguousFailure
    ? " An earlier attempt of this create got no answer, so it may be that attempt's own object (then case 3 applies)."
    : "";
  return (
    `The API answered the create with ${spec.kind} ${id}, which already existed (${upsert.reasons.join("; ")}): ` +
    `it updated that ${spec.kind} in place (an upsert on the name) instead of creating one. Fields this create ` +
    `sent, which may now hold new values there: ${fields.join(", ") || "none"}${unknown}.${earlier}`
  );
}

/** The "already exists" error: the three ways it happens and the fix for each (after `note`, if any). */
export function alreadyExistsError(
  spec: Pick<CreatePathSpec<unknown>, "kind" | "label" | "resourceType">,
  id: string,
  note = "",
): DooverProviderError {
  return new DooverProviderError(
    `${spec.label} already exists (id ${id}) and this ${spec.resourceType} does not manage it yet.` +
      `${note ? ` ${note}` : ""} Which case is it?\n` +
      `  1. You renamed this resource in the program (or moved it into a component): tell Pulumi it is the same ` +
      `resource with \`aliases: [{ name: "<old name>" }]\` in its options. The old name is the ${spec.resourceType} ` +
      `that \`pulumi preview\` shows as "delete" (or \`pulumi stack --show-urns\` lists with the same ${spec.kind}).\n` +
      `  2. The ${spec.kind} was made outside this stack (doover-cli, the web UI, another stack): set \`adopt: "${id}"\` ` +
      `(or \`adopt: true\`) on this ${spec.resourceType} to manage it from now on, then remove it once \`pulumi up\` ` +
      `took it over (\`pulumi destroy\` will then remove it).\n` +
      `  3. An earlier \`pulumi up\` was interrupted after creating it (killed, cancelled CI job, lost network): run ` +
      `\`pulumi up -c doover:adoptExisting=true\` once, then \`pulumi config rm doover:adoptExisting\`.\n` +
      `Otherwise choose another name.`,
  );
}

// Objects this process found or made on the create path, per `${baseUrl} ${kind} ${id}`: the fields they
// held when last seen (undefined when not kept), so an upsert answer names old values. Shared across module
// copies; deployment data is never kept.
const SEEN = Symbol.for("pulumi-doover.seen-objects.v1");
function seen(): Map<string, Record<string, unknown> | undefined> {
  const g = globalThis as unknown as Record<symbol, Map<string, Record<string, unknown> | undefined> | undefined>;
  return (g[SEEN] ??= new Map());
}

function remember(baseUrl: string, kind: string, id: string, obj: unknown): void {
  const k = key(baseUrl, kind, id);
  if (obj === undefined || obj === null || typeof obj !== "object") {
    if (!seen().has(k)) seen().set(k, undefined);
    return;
  }
  const { deployment_data: _d, ...fields } = obj as Record<string, unknown>;
  seen().set(k, fields);
}

/** Forgets every object seen on the create path (tests). */
export function resetSeen(): void {
  seen().clear();
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
