// The read-only checks: reachability, the token, the organisation, pagination, list filters, and samples of
// each model for the field comparison. Nothing here writes.

import { NetworkError, NotFound, RequestTimeout, Unauthorized } from "../errors";
import { API_VERSION, FILTERS, ORGANISATION, PAGINATION, RATE_LIMITS } from "./assumptions";
import {
  addRow,
  countOf,
  describeError,
  get,
  isStop,
  type PageBody,
  type ProbeContext,
  resultsOf,
  sample,
  statusOf,
  throwIfStopped,
  tryGet,
} from "./context";

/**
 * `GET /applications/?per_page=1`: is this a Doover Control API, and does it take the token? Returns the page
 * (for the pagination check), or a reason to stop (nothing else can be probed).
 */
export async function checkReachAndAuth(ctx: ProbeContext): Promise<{ page?: unknown; stop?: string }> {
  const url = ctx.client.baseUrl;
  const source = ctx.client.credentialSource;
  const behaviour = "the API answers at this URL";
  const auth = "the token is accepted";
  try {
    const page = await get(ctx, "/applications/", { page: 1, per_page: 1 });
    addRow(ctx, {
      id: "api.reachable",
      behaviour,
      server: `GET ${url}/applications/ answered 200`,
      assumes: "a Doover Control API",
      verdict: "OK",
    });
    addRow(ctx, {
      id: "api.token",
      behaviour: auth,
      server: `accepted (token from ${source})`,
      assumes: "a valid Bearer token",
      verdict: "OK",
    });
    return { page };
  } catch (e) {
    if (isStop(e)) throw e;
    const status = statusOf(e);
    const said = describeError(e);
    if (Unauthorized.isInstance(e)) {
      addRow(ctx, {
        id: "api.reachable",
        behaviour,
        server: "answered (401)",
        assumes: "a Doover Control API",
        verdict: "OK",
      });
      addRow(ctx, {
        id: "api.token",
        behaviour: auth,
        server: `refused: ${said}`,
        assumes: "a valid Bearer token",
        verdict: "MISMATCH",
        meaning:
          `The token from ${source} was refused, so \`pulumi up\` would fail the same way. Set a valid one: ` +
          "`export DOOVER_API_TOKEN=…`, or `doover login` (then `--profile`/doover:profile to pick the profile), " +
          "or `pulumi config set --secret doover:token …` for a stack.",
      });
      return { stop: "the token was refused (401)" };
    }
    const unreachable = NetworkError.isInstance(e) || RequestTimeout.isInstance(e);
    const notApi = status === 404 || (status >= 200 && status < 400);
    addRow(ctx, {
      id: "api.reachable",
      behaviour,
      server: said,
      assumes: "a Doover Control API",
      verdict: unreachable || status >= 500 ? "ERROR" : "MISMATCH",
      meaning: unreachable
        ? `Nothing answered at ${url}: check the address (--api-url, env DOOVER_CONTROL_API_BASE_URL, the profile's ` +
          "BASE_URL, doover:apiUrl) and the network."
        : notApi
          ? `${url} is not the Control API root (it should answer /applications/, e.g. https://api.doover.com): ` +
            "fix --api-url (doover:apiUrl for a stack)."
          : "The API answered with an error to a plain list of applications: try again later.",
    });
    return { stop: unreachable ? "the API is unreachable" : `the API answered ${status || "no"} status to a list` };
  }
}

/** The organisation creates go to: configured and visible, or which ones the token could use. */
export async function checkOrganisation(ctx: ProbeContext): Promise<void> {
  const configured = ctx.client.organisationId;
  const behaviour = "the organisation writes go to";
  const listed = await tryGet<PageBody>(ctx, "/organisations/", { page: 1, per_page: 100 });
  if (!listed.ok) {
    addRow(ctx, {
      id: "organisation",
      behaviour,
      server: `could not list organisations: ${describeError(listed.error)}`,
      assumes: ORGANISATION.assumes,
      verdict: "NOTE",
      meaning: configured
        ? `Organisation ${configured} is configured but could not be checked.`
        : "No organisation is configured (doover:organisationId, DOOVER_ORGANISATION_ID or --organisation).",
    });
    ctx.organisationId = configured;
    return;
  }
  const orgs = resultsOf(listed.body).map((o) => ({ id: String(o.id), name: String(o.name ?? "") }));
  const named = (list: { id: string; name: string }[]) =>
    list
      .slice(0, 5)
      .map((o) => `${o.id} (${o.name})`)
      .join(", ") + (list.length > 5 ? ", …" : "");
  if (configured) {
    let found = orgs.find((o) => o.id === configured);
    if (!found) {
      const one = await tryGet<Record<string, unknown>>(ctx, `/organisations/${encodeURIComponent(configured)}/`);
      if (one.ok) found = { id: configured, name: String(one.body.name ?? "") };
    }
    ctx.organisationId = configured;
    addRow(ctx, {
      id: "organisation",
      behaviour,
      server: found
        ? `organisation ${configured} (${found.name}) is visible to this token`
        : `organisation ${configured} is not among the ${orgs.length} this token sees`,
      assumes: ORGANISATION.assumes,
      verdict: found ? "OK" : "MISMATCH",
      meaning: found
        ? undefined
        : "Creates in it would be refused. Set doover:organisationId (or DOOVER_ORGANISATION_ID, or --organisation) " +
          `to one this token may use: ${named(orgs) || "none visible"}.`,
      observed: { configured, visible: orgs.map((o) => o.id) },
    });
    return;
  }
  addRow(ctx, {
    id: "organisation",
    behaviour,
    server: `none configured; this token sees ${orgs.length}: ${named(orgs) || "none"}`,
    assumes: ORGANISATION.assumes,
    verdict: "NOTE",
    meaning:
      "A resource that declares no organisationId sends none, and the live API refuses such creates for " +
      "non-staff tokens (401 'X-Doover-Organisation header missing'): `pulumi config set doover:organisationId " +
      `${orgs[0]?.id ?? "<id>"}\` (and \`--organisation\` for the probe's --write).`,
    observed: { configured: null, visible: orgs.map((o) => o.id) },
  });
}

/** The shape of `GET /applications/?per_page=1`, and whether `page` moves through the list. */
export async function checkPagination(ctx: ProbeContext, page: unknown): Promise<void> {
  const behaviour = "list pagination (GET /applications/)";
  const assumes = PAGINATION.assumes;
  if (Array.isArray(page)) {
    addRow(ctx, {
      id: "pagination",
      behaviour,
      server: `a bare JSON list of ${page.length} (no pages)`,
      assumes,
      verdict: "NOTE",
      meaning: "The package reads a bare list whole; lists stay correct, each one in a single answer.",
    });
    return;
  }
  const body = page as PageBody;
  if (typeof body !== "object" || body === null || !Array.isArray(body.results)) {
    addRow(ctx, {
      id: "pagination",
      behaviour,
      server: `no \`results\` list in the answer (keys: ${Object.keys(body ?? {}).join(", ") || "none"})`,
      assumes,
      verdict: "MISMATCH",
      safety: true,
      meaning:
        "Every list would read as empty: lookups by name find nothing, so a tunnel is created again on every " +
        "`pulumi up` and an interrupted create cannot be recognised. Do not use the package against this API.",
    });
    return;
  }
  const results = body.results as Record<string, unknown>[];
  if (results[0]) sample(ctx, "Application", "list", results[0]);
  const count = typeof body.count === "number" ? body.count : undefined;
  const parts = [`{count: ${count ?? "absent"}, next, previous, results}`];
  const notes: string[] = [];
  let verdict: "OK" | "NOTE" | "MISMATCH" = "OK";
  let safety = false;
  if (results.length > 1) {
    parts.push(`per_page=1 gave ${results.length} results`);
    notes.push("`per_page` is ignored: the package still walks every page, with the server's page size.");
    verdict = "NOTE";
  }
  if (count === undefined) {
    notes.push("No `count`: the package stops at the page whose `next` is null.");
    verdict = "NOTE";
  }
  const more = typeof body.next === "string" || (count !== undefined && count > results.length);
  if (more && results.length > 0) {
    const second = await tryGet(ctx, "/applications/", { page: 2, per_page: 1 });
    if (!second.ok) {
      parts.push(`page=2 failed: ${describeError(second.error)}`);
      verdict = "MISMATCH";
      safety = true;
      notes.push("Lists stop after the first page: lookups by name miss later objects.");
    } else {
      const again = resultsOf(second.body)[0];
      if (again && String(again.id) === String(results[0].id) && results.length === 1) {
        parts.push("page=2 answered the first page again");
        verdict = "MISMATCH";
        safety = true;
        notes.push(
          "`page` is ignored: the package would read the first page over and over and never see the rest, so " +
            "lookups by name miss objects (a create after an ambiguous failure could make a duplicate).",
        );
      } else parts.push("page=2 gave the next one");
    }
  } else parts.push(`${results.length} result(s) in all: page 2 not checked`);
  addRow(ctx, {
    id: "pagination",
    behaviour,
    server: parts.join("; "),
    assumes,
    verdict,
    safety: safety || undefined,
    meaning: notes.length ? notes.join(" ") : undefined,
    observed: { count: count ?? null, firstPageLength: results.length, next: body.next ?? null },
  });
}

/**
 * `name` on /applications/: a name nothing has must find nothing (when the list is not empty), and a name
 * that exists must find only itself. `known` is a name that exists (from the list, or the probe's own app).
 */
export async function checkApplicationNameFilter(ctx: ProbeContext, known?: string): Promise<void> {
  const behaviour = "list filter `name` (GET /applications/)";
  const all = await tryGet(ctx, "/applications/", { page: 1, per_page: 1 });
  const total = all.ok ? countOf(all.body) : undefined;
  const absent = await tryGet(ctx, "/applications/", { name: ctx.absentName, page: 1, per_page: 1 });
  const found = known ? await tryGet(ctx, "/applications/", { name: known, page: 1, per_page: 100 }) : undefined;
  const errors = [all, absent, found]
    .filter((x) => x && !x.ok)
    .map((x) => describeError((x as { error: unknown }).error));
  if (errors.length) {
    addRow(ctx, {
      id: "filter.applications.name",
      behaviour,
      server: errors.join("; "),
      assumes: FILTERS.name,
      verdict: "ERROR",
    });
    return;
  }
  const absentCount = countOf((absent as { body: unknown }).body) ?? 0;
  const foundNames = found ? resultsOf((found as { body: unknown }).body).map((a) => String(a.name)) : [];
  const ignoredAbsent = absentCount > 0;
  const ignoredKnown = known !== undefined && foundNames.some((n) => n !== known);
  const missedKnown = known !== undefined && !foundNames.includes(known);
  const decided = (total ?? 0) > 0 || known !== undefined;
  const server = !decided
    ? "no applications visible to compare with"
    : ignoredAbsent || ignoredKnown
      ? `ignored: name=<a name nothing has> gave ${absentCount} of ${total ?? "?"}`
      : missedKnown
        ? `name=${known} did not list ${known}`
        : `honoured: name=<a name nothing has> gave 0 of ${total ?? "?"}` +
          (known ? `, name=${known} gave only it` : "");
  addRow(ctx, {
    id: "filter.applications.name",
    behaviour,
    server,
    assumes: FILTERS.name,
    verdict: !decided ? "SKIPPED" : ignoredAbsent || ignoredKnown || missedKnown ? "MISMATCH" : "OK",
    safety: missedKnown || undefined,
    meaning: !decided
      ? "Run with --write: the probe then checks the filter with an application of its own."
      : missedKnown
        ? "A lookup by name does not find the application: adopt, unarchive and recovery after an ambiguous " +
          "create failure cannot see it (a create could fail or be re-sent)."
        : ignoredAbsent || ignoredKnown
          ? `Lookups by name stay correct (the package compares names itself) but read every application (${total} ` +
            "today, in pages of 100) for each create that looks a name up."
          : undefined,
    observed: {
      total: total ?? null,
      absentNameCount: absentCount,
      knownName: known ?? null,
      knownNameResults: foundNames.length,
    },
  });
}

/** `archived=true|false` on /applications/, and whether the unfiltered list shows archived applications. */
export async function checkArchivedFilter(ctx: ProbeContext): Promise<void> {
  const behaviour = "list filter `archived` (GET /applications/)";
  const [all, yes, no] = [
    await tryGet(ctx, "/applications/", { page: 1, per_page: 1 }),
    await tryGet(ctx, "/applications/", { archived: true, page: 1, per_page: 100 }),
    await tryGet(ctx, "/applications/", { archived: false, page: 1, per_page: 1 }),
  ];
  const failed = [all, yes, no].filter((x) => !x.ok);
  if (failed.length) {
    addRow(ctx, {
      id: "filter.applications.archived",
      behaviour,
      server: failed.map((x) => describeError((x as { error: unknown }).error)).join("; "),
      assumes: FILTERS.archived,
      verdict: "ERROR",
    });
    return;
  }
  const body = (x: typeof all) => (x as { body: unknown }).body;
  const archivedList = resultsOf(body(yes));
  const liveList = resultsOf(body(no));
  const total = countOf(body(all));
  const yesCount = countOf(body(yes)) ?? archivedList.length;
  const noCount = countOf(body(no)) ?? liveList.length;
  const wrongYes = archivedList.some((a) => a.archived !== true);
  const wrongNo = liveList.some((a) => a.archived === true);
  let unfiltered = "";
  if (total !== undefined && yesCount > 0) {
    unfiltered =
      total === yesCount + noCount
        ? "; the unfiltered list shows archived ones too"
        : total === noCount
          ? "; the unfiltered list hides archived ones"
          : "";
  }
  const decided = yesCount + noCount > 0;
  addRow(ctx, {
    id: "filter.applications.archived",
    behaviour,
    server: !decided
      ? "no applications visible to compare with"
      : wrongYes || wrongNo
        ? `ignored: archived=true listed live applications or archived=false archived ones`
        : `honoured: archived=true gave ${yesCount}, archived=false gave ${noCount} of ${total ?? "?"}${unfiltered}`,
    assumes: FILTERS.archived,
    verdict: !decided ? "SKIPPED" : wrongYes || wrongNo ? "MISMATCH" : "OK",
    meaning: !decided
      ? "Run with --write: the probe then archives an application of its own."
      : wrongYes || wrongNo
        ? "Lookups by name still find the application (the package checks names and archived flags itself), " +
          "reading more of the list than needed."
        : undefined,
    observed: { total: total ?? null, archivedTrue: yesCount, archivedFalse: noCount },
  });
}

/** `name` on a device's installs (or on /app_installs/ without a device). */
export async function checkInstallNameFilter(ctx: ProbeContext, known?: string): Promise<void> {
  const path = ctx.deviceId ? `/devices/${encodeURIComponent(ctx.deviceId)}/app_installs/` : "/app_installs/";
  const behaviour = `list filter \`name\` (GET ${ctx.deviceId ? "/devices/{d}/app_installs/" : "/app_installs/"})`;
  const all = await tryGet(ctx, path, { page: 1, per_page: 1 });
  const absent = await tryGet(ctx, path, { name: ctx.absentName, page: 1, per_page: 1 });
  const found = known ? await tryGet(ctx, path, { name: known, page: 1, per_page: 100 }) : undefined;
  const failed = [all, absent, found].filter((x) => x && !x.ok) as { error: unknown }[];
  if (failed.length) {
    addRow(ctx, {
      id: "filter.installs.name",
      behaviour,
      server: failed.map((x) => describeError(x.error)).join("; "),
      assumes: FILTERS.installName,
      verdict: NotFound.isInstance(failed[0].error) && ctx.deviceId ? "ERROR" : "NOTE",
    });
    return;
  }
  const body = (x: unknown) => (x as { body: unknown }).body;
  if (resultsOf(body(all))[0]) sample(ctx, "AppInstall", "list", resultsOf(body(all))[0]);
  const total = countOf(body(all)) ?? 0;
  const absentCount = countOf(body(absent)) ?? 0;
  const foundNames = found ? resultsOf(body(found)).map((i) => String(i.name)) : [];
  const ignored = absentCount > 0 || (known !== undefined && foundNames.some((n) => n !== known));
  const missed = known !== undefined && !foundNames.includes(known);
  const decided = total > 0 || known !== undefined;
  addRow(ctx, {
    id: "filter.installs.name",
    behaviour,
    server: !decided
      ? "no installs visible to compare with"
      : ignored
        ? `ignored: name=<a name nothing has> gave ${absentCount} of ${total}`
        : missed
          ? `name=${known} did not list ${known}`
          : `honoured: name=<a name nothing has> gave 0 of ${total}` + (known ? `, name=${known} gave only it` : ""),
    assumes: FILTERS.installName,
    verdict: !decided ? "SKIPPED" : ignored || missed ? "MISMATCH" : "OK",
    safety: missed || undefined,
    meaning: !decided
      ? "Run with --write --device <id>: the probe then checks the filter with an install of its own."
      : missed
        ? "An install lookup by name does not find the install: adopt and recovery after an ambiguous create " +
          "failure cannot see it."
        : ignored
          ? "Install lookups stay correct (the package compares names itself) but read every install of the device."
          : undefined,
    observed: { path, total, absentNameCount: absentCount },
  });
}

/**
 * `group` and `group_tree` on /devices/ (what fleet rollouts select devices with): a group's list must hold only
 * that group's devices, a subtree's only the subtree's. The package checks every answer itself (a wrong list
 * is refused, `group_tree` falls back to one list per group), so an ignored filter stops or slows, never widens.
 */
export async function checkDeviceGroupFilters(ctx: ProbeContext): Promise<void> {
  const all = await tryGet(ctx, "/devices/", { page: 1, per_page: 100 });
  const devices = all.ok ? resultsOf(all.body) : [];
  if (devices[0]) sample(ctx, "Device", "list", devices[0]);
  const groupOf = (d: Record<string, unknown>) => String((d.group as { id?: unknown } | null)?.id ?? "");
  const groups = [...new Set(devices.map(groupOf).filter(Boolean))];
  const behaviour = "list filters `group`, `group_tree` (GET /devices/)";
  if (!all.ok || groups.length === 0) {
    addRow(ctx, {
      id: "filter.devices.group",
      behaviour,
      server: all.ok ? "no devices in groups visible to compare with" : describeError(all.error),
      assumes: FILTERS.deviceGroups,
      verdict: all.ok ? "SKIPPED" : "NOTE",
    });
    return;
  }
  const g = groups[0];
  const one = await tryGet(ctx, "/devices/", { group: g, page: 1, per_page: 100 });
  const outside = one.ok ? resultsOf(one.body).filter((d) => groupOf(d) !== g).length : 0;
  let subtree: Set<string> | undefined;
  try {
    throwIfStopped(ctx);
    subtree = new Set(await ctx.client.groups.descendants(g));
  } catch (e) {
    if (isStop(e)) throw e;
  }
  const tree = await tryGet(ctx, "/devices/", { group_tree: g, page: 1, per_page: 100 });
  const treeOutside =
    tree.ok && subtree ? resultsOf(tree.body).filter((d) => !subtree!.has(groupOf(d))).length : undefined;
  const parts: string[] = [];
  parts.push(
    !one.ok
      ? `group=<id>: ${describeError(one.error)}`
      : outside
        ? `group=<id> ignored (${outside} device(s) of other groups)`
        : groups.length > 1 || devices.length < (countOf(all.body) ?? 0)
          ? "group=<id> honoured"
          : "group=<id> gave only that group's devices (all visible devices are in it)",
  );
  parts.push(
    !tree.ok
      ? `group_tree=<id> refused (${statusOf(tree.error) || describeError(tree.error)})`
      : treeOutside === undefined
        ? "group_tree=<id> answered (the group tree could not be read to check it)"
        : treeOutside
          ? `group_tree=<id> ignored (${treeOutside} device(s) outside the subtree)`
          : "group_tree=<id> honoured",
  );
  const groupWrong = !one.ok || outside > 0;
  const treeWrong = !tree.ok || (treeOutside ?? 0) > 0;
  addRow(ctx, {
    id: "filter.devices.group",
    behaviour,
    server: parts.join("; "),
    assumes: FILTERS.deviceGroups,
    verdict: groupWrong ? "MISMATCH" : treeWrong ? "NOTE" : "OK",
    meaning: groupWrong
      ? "Device lists by group (rollouts to a group) stop with an error here: the package refuses a list that " +
        "holds devices of other groups rather than deploy to them. Select devices by id instead."
      : treeWrong
        ? "Lists of a group with its subgroups are made one group at a time (one request per group): slower, same devices."
        : undefined,
    observed: { group: g, outsideGroup: outside, outsideSubtree: treeOutside ?? null, groupTreeRefused: !tree.ok },
  });
}

/** A query parameter the spec does not list: refused (400) or silently ignored? */
export async function checkUnknownParameter(ctx: ProbeContext): Promise<void> {
  const r = await tryGet(ctx, "/applications/", { probe_unknown_filter: "1", page: 1, per_page: 1 });
  const behaviour = "a query parameter the spec does not list";
  if (r.ok) {
    addRow(ctx, {
      id: "filter.unknown",
      behaviour,
      server: "ignored (answered 200 with the unfiltered list)",
      assumes: FILTERS.unknown,
      verdict: "NOTE",
      meaning:
        "A misspelt or unsupported filter returns everything here: code of your own that filters lists (e.g. " +
        "`client.getApplications({...})`) must check the results, as the package does.",
    });
    return;
  }
  addRow(ctx, {
    id: "filter.unknown",
    behaviour,
    server: statusOf(r.error) === 400 ? "refused (400)" : describeError(r.error),
    assumes: FILTERS.unknown,
    verdict: statusOf(r.error) === 400 ? "OK" : "NOTE",
  });
}

/** Samples of each model the token can read (a list item and the same object on its own). */
export async function sampleModels(ctx: ProbeContext): Promise<void> {
  const app = ctx.samples.Application?.list;
  if (app?.id !== undefined) {
    const one = await tryGet(ctx, `/applications/${encodeURIComponent(String(app.id))}/`);
    if (one.ok) sample(ctx, "Application", "detail", one.body);
  }
  const installs = ctx.deviceId ? `/devices/${encodeURIComponent(ctx.deviceId)}/app_installs/` : "/app_installs/";
  const install = ctx.samples.AppInstall?.list ?? resultsOf(await okBody(ctx, installs))[0];
  if (install) {
    sample(ctx, "AppInstall", "list", install);
    const id = encodeURIComponent(String(install.id));
    const one = await tryGet<Record<string, unknown>>(ctx, `/app_installs/${id}/`);
    if (one.ok) {
      sample(ctx, "AppInstall", "detail", one.body);
      if (one.body.latest_deployment) sample(ctx, "Deployment", "detail", one.body.latest_deployment);
    }
    const deployments = resultsOf(await okBody(ctx, `/app_installs/${id}/deployments/`));
    if (deployments[0]) sample(ctx, "Deployment", "list", deployments[0]);
  }
  const device = ctx.samples.Device?.list;
  if (device?.id !== undefined) {
    const one = await tryGet(ctx, `/devices/${encodeURIComponent(String(device.id))}/`);
    if (one.ok) sample(ctx, "Device", "detail", one.body);
  }
  const group = resultsOf(await okBody(ctx, "/groups/"))[0];
  if (group) {
    sample(ctx, "Group", "list", group);
    const one = await tryGet(ctx, `/groups/${encodeURIComponent(String(group.id))}/`);
    if (one.ok) sample(ctx, "Group", "detail", one.body);
  }
  const tunnels = ctx.deviceId ? `/devices/${encodeURIComponent(ctx.deviceId)}/tunnels/` : "/tunnels/";
  const tunnel = resultsOf(await okBody(ctx, tunnels))[0];
  if (tunnel) {
    sample(ctx, "Tunnel", "list", tunnel);
    const one = await tryGet(ctx, `/tunnels/${encodeURIComponent(String(tunnel.id))}/`);
    if (one.ok) sample(ctx, "Tunnel", "detail", one.body);
  }
}

async function okBody(ctx: ProbeContext, path: string): Promise<unknown> {
  const r = await tryGet(ctx, path, { page: 1, per_page: 1 });
  return r.ok ? r.body : undefined;
}

/** Version headers heard on any answer of the run. */
export function versionRow(ctx: ProbeContext): void {
  const seen = [...ctx.observer.versionHeaders].map(([k, v]) => `${k}: ${[...v].join(" | ")}`);
  const versioned = [...ctx.observer.versionHeaders.keys()].filter((k) => /version/i.test(k));
  addRow(ctx, {
    id: "api.version",
    behaviour: "API version headers",
    server: seen.length ? seen.join("; ") : "none",
    assumes: API_VERSION.assumes,
    verdict: versioned.length ? "NOTE" : "OK",
    meaning: versioned.length
      ? "The API names a version: quote it when you report a difference between the package and the API."
      : undefined,
    observed: Object.fromEntries([...ctx.observer.versionHeaders].map(([k, v]) => [k, [...v]])),
  });
}

/** Rate-limit headers and throttling answers heard during the run. */
export function rateLimitRow(ctx: ProbeContext): void {
  const o = ctx.observer;
  const headers = [...o.rateHeaders].filter(([k]) => k !== "retry-after");
  const throttles = o.throttles;
  const withoutRetryAfter = throttles.filter((t) => t.retryAfter === null);
  const parts: string[] = [];
  parts.push(
    headers.length
      ? headers.map(([k, v]) => `${k}: ${[...v].slice(0, 3).join(" | ")}`).join("; ")
      : "no rate-limit headers",
  );
  if (throttles.length) {
    const statuses = [...new Set(throttles.map((t) => t.status))].join("/");
    parts.push(
      `${throttles.length} × ${statuses} during the run` +
        (withoutRetryAfter.length ? ` (${withoutRetryAfter.length} without Retry-After)` : ", each with Retry-After"),
    );
  }
  if (o.retries)
    parts.push(`${o.retries} retr${o.retries === 1 ? "y" : "ies"}, ${Math.round(o.retryWaitMs / 100) / 10} s waited`);
  const notes: string[] = [];
  if (headers.length)
    notes.push(
      "The API announces its limits: to stay under them across a whole deployment, set doover:maxRequestsPerSecond " +
        "(env DOOVER_MAX_REQUESTS_PER_SECOND) below the announced rate.",
    );
  if (withoutRetryAfter.length)
    notes.push(
      "Throttling answers without Retry-After: the package backs off on its own (0.5 s doubling, up to 30 s).",
    );
  addRow(ctx, {
    id: "api.rate-limits",
    behaviour: "rate limits (headers, 429/503)",
    server: parts.join("; "),
    assumes: RATE_LIMITS.assumes,
    verdict: notes.length ? "NOTE" : "OK",
    meaning: notes.length ? notes.join(" ") : undefined,
    observed: {
      headers: Object.fromEntries(headers.map(([k, v]) => [k, [...v]])),
      throttled: throttles.length,
      throttledWithoutRetryAfter: withoutRetryAfter.length,
      retries: o.retries,
      retryWaitMs: o.retryWaitMs,
      noAnswer: o.noAnswers,
    },
  });
}
