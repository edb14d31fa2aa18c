// What the package assumes about the server, in the one place the probe reads it from. The create path
// itself lives in sdk/create-once.ts (the wire half: POST, 409, lookups after an ambiguous failure) and
// provider/create-path.ts (adopt, unarchive, errors); each entry below names the rule of theirs it describes.
// When the create path changes how it meets a server behaviour, change the entry here with it: the probe's
// verdicts, and the `--write` rows that run the create path itself against the probe's own objects, follow.

import { VERSION } from "../version";

/** How a server answered a POST whose name is already taken (by the probe's own object). */
export type TakenNameOutcome =
  /** 409 Conflict */
  | "conflict"
  /** 2xx with the id of the object that held the name: it was updated with the fields sent */
  | "upsert"
  /** 2xx with a new id: a second object with the same name */
  | "duplicate"
  /** 400/422 (e.g. a field error on `name`) */
  | "rejected"
  /** 403 */
  | "forbidden"
  /** any other answer */
  | "other";

/** How a server answered a POST whose name is held by an archived application. */
export type ArchivedNameOutcome =
  /** 409: archived applications keep their names */
  | "conflict"
  /** 2xx, a new application: archived ones free their names */
  | "new"
  /** 2xx, the archived application's id, now live: the POST brought it back with the fields sent */
  | "upsert-unarchived"
  /** 2xx, the archived application's id, still archived */
  | "upsert-archived"
  | "rejected"
  | "forbidden"
  | "other";

/** One server behaviour the create path depends on. */
export interface Assumption<O extends string> {
  /** what the package assumes, as the table prints it */
  assumes: string;
  /** outcomes the create path handles as intended (anything else is a MISMATCH) */
  handles: readonly O[];
  /** outcomes that are handled but worth a NOTE (they change what users see, not what is safe) */
  notes?: readonly O[];
  /** outcomes that can duplicate, lose or overwrite objects when they happen */
  unsafe: readonly O[];
  /** what each outcome means for `pulumi up` (shown for MISMATCH and NOTE) */
  meaning: Partial<Record<O, string>>;
}

const PKG = `pulumi-doover ${VERSION}`;

/**
 * `POST /applications/` with a name held by a live application of the caller's organisation.
 * sdk/create-once.ts (`lookupFirst`, `upsert` signals) via `ApplicationsApi.createOrFind` and
 * provider/create-path.ts: the name is looked up before every POST, so a taken name is never POSTed; an answer
 * that is an upsert (a status other than 201, an id seen before, fields a new application cannot have) is
 * "already exists"; a 409 is looked up.
 */
export const APPLICATION_TAKEN_NAME: Assumption<TakenNameOutcome> = {
  assumes: "409 or an upsert: the create path looks the name up first and detects an upsert",
  handles: ["conflict", "upsert"],
  notes: ["upsert"],
  unsafe: ["duplicate"],
  meaning: {
    upsert:
      "This API updates an application when its name is POSTed again (as doover-cli 0.7.1's `app publish` " +
      `expects). ${PKG} never POSTs a taken name (it looks every name up first), and takes an answer that shows ` +
      "an upsert for 'already exists', naming the fields the server may have changed. `doover app publish` " +
      "without a pinned id can change an application a stack manages: `pulumi preview` then shows the drift.",
    duplicate:
      "The server made a second application with a name that was taken: names are not unique on this API, " +
      "so lookups by name (`adopt: true`, `doover:adoptExisting`, recovery after an interrupted `pulumi up`) " +
      "may pick the wrong one. Do not rely on them against this API.",
    rejected:
      "A taken name is refused with a 400 instead of 409: nothing is overwritten (the create path looks names " +
      "up first), but a create racing another program's for the same name stops with the server's message.",
    forbidden:
      "A taken name is refused with a 403: nothing is overwritten; `pulumi up` stops with the server's message.",
    other: "An answer the create path does not expect: `pulumi up` stops with the server's message.",
  },
};

/**
 * `POST /applications/` with a name held by an archived application.
 * provider/create-path.ts: the lookup before the POST (sdk `findByName` includes archived applications) finds
 * the archived application, which is unarchived and updated to the declared values; an answer that is the
 * archived application (an upsert) is recognised ("it is archived") and handled the same way.
 */
export const APPLICATION_ARCHIVED_NAME: Assumption<ArchivedNameOutcome> = {
  assumes: "409 (archived apps keep their names); the create path finds and unarchives it",
  handles: ["conflict", "new", "upsert-unarchived", "upsert-archived"],
  notes: ["new", "upsert-unarchived", "upsert-archived"],
  unsafe: [],
  meaning: {
    new:
      "Archived applications free their names. The create path still finds the archived one first and brings " +
      "it back (`pulumi destroy` then `pulumi up` keeps one application); other clients get a new one.",
    "upsert-unarchived":
      "The POST itself brought the archived application back with the fields sent: the create path finds the " +
      "archived application before it POSTs, so it unarchives and updates it itself; the end state is the same.",
    "upsert-archived":
      "The POST updated the archived application and left it archived. The create path finds the archived " +
      "application before it POSTs (and recognises an archived answer as an upsert), and unarchives it.",
    rejected: "A 400 instead of 409: the create path finds the archived application first; nothing changes.",
    forbidden: "A 403: the create path finds the archived application first; nothing changes.",
    other: "An answer the create path does not expect; it finds the archived application before it POSTs.",
  },
};

/**
 * `POST /app_installs/` with a name already used on the device.
 * sdk/create-once.ts via `AppInstallsApi.createOrFind` and provider/app-install/app-install-create.ts: the name
 * is looked up on the device before every POST; an answer that is an upsert (a status other than 201, an id
 * seen before, a deployment or config profiles a new install cannot have) is "already exists"; a 409 is
 * looked up.
 */
export const INSTALL_TAKEN_NAME: Assumption<TakenNameOutcome> = {
  assumes: "409 or an upsert: the create path looks the name up on the device first",
  handles: ["conflict", "upsert"],
  notes: ["upsert"],
  unsafe: ["duplicate"],
  meaning: {
    upsert:
      "This API updates an install when its name is POSTed again on the device. The create path looks every " +
      "install name up first, so it never sends one; see the create-path rows for how it reads an upsert answer.",
    duplicate:
      "The device accepted a second install with the same name: names are not unique per device here. The " +
      "create path looks names up first, but two programs creating the same install at once would install the " +
      "application twice; lookups by name (adopt, recovery) may pick either.",
    rejected:
      "A taken name is refused with a 400 instead of 409: nothing is overwritten (the create path looks names " +
      "up first), but a create racing another program's stops with the server's message.",
    forbidden: "A 403: nothing is overwritten; `pulumi up` stops with the server's message.",
    other: "An answer the create path does not expect: `pulumi up` stops with the server's message.",
  },
};

/**
 * `POST /devices/{d}/tunnels/` with a name already used on the device.
 * provider/tunnel/tunnel-provider.ts: `nameConflicts: false`, so the create path looks the name up
 * before its POST and never relies on the server to refuse a second one.
 */
export const TUNNEL_TAKEN_NAME: Assumption<TakenNameOutcome> = {
  assumes: "accepted or refused: the create path looks the name up first",
  handles: ["duplicate", "conflict", "rejected", "upsert"],
  notes: ["upsert"],
  unsafe: [],
  meaning: {
    upsert:
      "The POST updated the tunnel that held the name. The create path looks names up first, so this only " +
      "matters when two programs create the same tunnel at once.",
    forbidden: "A 403: `pulumi up` stops with the server's message; nothing is changed.",
    other: "An answer the create path does not expect: `pulumi up` stops with the server's message.",
  },
};

/** The status of a POST that creates (every create of the spec answers 201). */
export const CREATE_STATUS = {
  assumes: "201 Created",
  expected: 201,
  meaning:
    "Creates answer another 2xx than 201: the package still reads the object, but a create path that tells " +
    "an upsert from a new object by its status would see every create as an upsert.",
};

/** Pagination (sdk/paginate.ts). */
export const PAGINATION = {
  assumes: "{count, next, previous, results}; `page` and `per_page` honoured",
};

/** The list filters lookups by name rely on (sdk `findByName` of applications and installs). */
export const FILTERS = {
  name: "honoured (lookups by name send it)",
  archived: "honoured (lookups ask for archived apps with it)",
  installName: "honoured (install lookups send it)",
  deviceGroups: "honoured; group_tree may be refused (answers are checked against the group)",
  unknown: "not sent by the package",
};

/** Rate limits (sdk/rest-client.ts, sdk/request-limiter.ts). */
export const RATE_LIMITS = {
  assumes: "none read; 429/503 retried, Retry-After honoured, within doover:retryBudgetSeconds",
};

/** API versions (the package is built against one spec; the API sends no version in the spec). */
export const API_VERSION = {
  assumes: "none: built against the Control API spec 1.0.0 (pydoover 1.18.3)",
};

/** Fields of each model (sdk/types.ts, sdk/app-install-types.ts; see known-fields.ts). */
export const MODEL_FIELDS = {
  assumes: (type: string) => `the fields of the SDK's ${type}`,
  unknownMeaning:
    "The package ignores fields it does not know: a resource neither sets nor shows them, and its updates " +
    "(PATCH of the declared fields) leave them as they are.",
  missingRequiredMeaning:
    "Fields the package reads are missing: refresh and preview compare them as empty (a change on every run), " +
    "and lookups that check them (after an ambiguous create failure) may not recognise the package's own objects.",
};

/** A POST of the fields the package sends, read back. */
export const FIELD_ECHO = {
  assumes: "stored and read back as sent",
  meaning:
    "Fields the server drops or changes are compared with the declared value on every preview: `pulumi preview` " +
    "shows a change for them every time, and `pulumi up` sends them again.",
};

/** doover-cli 0.7.1's second `app publish`: a POST without the create-only fields. */
export const PARTIAL_POST = {
  assumes: "not sent by the package (doover-cli's second `app publish` sends it)",
  upsertMeaning:
    "`doover app publish` (without a pinned id) updates an application in place here, including one a " +
    "DooverApplication manages: `pulumi preview` then shows the fields it changed as drift, and `pulumi up` " +
    "sets them back.",
  refusedMeaning:
    "`doover app publish` without a pinned id cannot update an existing application here (it must pin the id); " +
    "nothing to do for the package.",
};

/** The organisation creates are made in (doover:organisationId / DOOVER_ORGANISATION_ID / the profile). */
export const ORGANISATION = {
  assumes: "a configured organisation this token may use",
};

/** The create path run against the probe's own objects (`--write`): its verdict is the code's. */
export const CREATE_PATH = {
  assumes: `"already exists" (${PKG})`,
  raceAssumes: `"already exists": the answer is recognised as an upsert (${PKG})`,
  undetectableMeaning:
    "On this API an upsert is answered like a create (201) and the object showed no sign of being older, so a " +
    "create racing another program's for the same name (between the create path's lookup and its POST) would " +
    "take that object for a new one. Outside such a race nothing changes: every create looks its name up first. " +
    "Keep the names different programs create apart.",
  createdMeaning:
    "The create path took the server's answer for a new object although the name was taken: `pulumi up` " +
    "would record someone else's object as created by the stack (and change or remove it later).",
  undeterminedMeaning:
    "A fault ate the answer, and an object that carries exactly what was sent is the create path's own as far " +
    "as anyone can tell. Run the probe again (on a quieter network) to see this row decided.",
};
