// List filters over real HTTP: every query parameter the OpenAPI document lists for a list
// endpoint the emulator serves is implemented (checked against the spec itself), and anything
// else answers 400 instead of silently returning the whole list.

import assert from "node:assert/strict";
import { ROUTES } from "../emulator";
import { appInstallListSpec, deploymentListSpec } from "../emulator/app-installs";
import { applicationListSpec } from "../emulator/applications";
import { configProfileListSpec } from "../emulator/config-profiles";
import { accessListSpec, deviceTypeListSpec } from "../emulator/device-types";
import { deviceListSpec } from "../emulator/devices";
import { organisationListSpec } from "../emulator/directory";
import { acceptedParameters, type ListSpec } from "../emulator/filters";
import { memberListSpec, roleListSpec } from "../emulator/group-roles";
import { groupListSpec } from "../emulator/groups";
import {
  groupPermissionListSpec,
  membershipListSpec,
  roleListSpec as organisationRoleListSpec,
  pendingListSpec,
  userListSpec,
} from "../emulator/people";
import { solutionInstallListSpec } from "../emulator/solution-installs";
import { Store } from "../emulator/store";
import { tunnelListSpec } from "../emulator/tunnels";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { loadSpec } from "./support/openapi";

interface SpecParameter {
  name: string;
  in: string;
  schema?: { type?: string; enum?: string[] };
}

// The emulator's table for each list route of this test's scope (other lists are only checked for
// rejecting unknown parameters).
const TABLES: Record<string, ListSpec<any>> = {
  "/applications/": applicationListSpec(new Store(undefined, {})),
  "/tunnels/": tunnelListSpec,
  "/devices/{parent_lookup_device}/tunnels/": tunnelListSpec,
  "/devices/": deviceListSpec(new Store(undefined, {})),
  "/groups/": groupListSpec,
  "/groups/roles/": roleListSpec,
  "/groups/{parent_lookup_group}/users/": memberListSpec,
  "/devices/types/": deviceTypeListSpec,
  "/devices/types/{parent_lookup_device_type}/organisation_access/": accessListSpec(new Store(undefined, {})),
  "/devices/{parent_lookup_device}/solution_installs/": solutionInstallListSpec,
  "/organisations/": organisationListSpec,
  "/app_installs/": appInstallListSpec(new Store(undefined, {})),
  "/devices/{parent_lookup_device}/app_installs/": appInstallListSpec(new Store(undefined, {})),
  "/applications/{parent_lookup_application}/installs/": appInstallListSpec(new Store(undefined, {})),
  "/app_installs/{parent_lookup_app_install}/deployments/": deploymentListSpec,
  "/applications/{parent_lookup_application}/config_profiles/": configProfileListSpec,
  "/users/": userListSpec,
  "/organisations/users/": membershipListSpec(new Store(undefined, {})),
  "/organisations/users/{parent_lookup_user}/groups/": groupPermissionListSpec,
  "/organisations/pending_users/": pendingListSpec,
  "/organisations/roles/": organisationRoleListSpec,
};

function queryParameters(spec: any, template: string): SpecParameter[] {
  return ((spec.paths[template]?.get?.parameters ?? []) as SpecParameter[]).filter((p) => p.in === "query");
}

describe("emulator list filters", function () {
  this.timeout(30000); // parsing the 1 MB OpenAPI document takes a few seconds
  const emu = useEmulator();
  const call = (method: string, p: string, body?: unknown) => emulatorFetch(emu.current, method, p, body);
  const names = async (q: string) => {
    const r = await call("GET", `/applications/${q}`);
    assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
    return r.body.results.map((x: { name: string }) => x.name);
  };
  const seedApps = async () => {
    const make = async (name: string, extra: Record<string, unknown>) => {
      const r = await call("POST", "/applications/", applicationBody(emu.current, name, extra));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const a = await make("alpha_pump", {
      display_name: "Alpha Pump",
      description: "Pumps Water",
      stars: 5,
      type: "DEV",
      allow_many: true,
    });
    const b = await make("beta_meter", {
      display_name: "Beta Meter",
      description: "Meters water flow",
      stars: 1,
      container_registry_profile_id: "93955828574386692",
    });
    const c = await make("gamma_pump", {
      display_name: "Gamma",
      description: "Another pump",
      stars: 3,
      visibility: "PUB",
    });
    return { a, b, c };
  };

  describe("derived from the OpenAPI document", function () {
    let spec: any;
    before(function () {
      this.timeout(5 * 60_000); // a cold cache downloads pydoover's sdist from PyPI (scripts/ensure-pydoover-sdist.sh)
      spec = loadSpec();
    });

    it("every list route the emulator serves answers 400 for a parameter its spec entry does not list", async function () {
      const lists = ROUTES.filter(
        (r) => r.methods.GET && /_list$/.test(spec.paths[r.template]?.get?.operationId ?? ""),
      ).map((r) => r.template);
      assert.ok(lists.includes("/applications/") && lists.includes("/tunnels/"));
      const [device] = emu.current.deviceIds;
      for (const template of lists) {
        // Path ids: a seeded device, else any number (an unknown parent is a 404, which fails below).
        const p = template.replace("{parent_lookup_device}", device).replace(/\{\w+\}/g, "1");
        const r = await call("GET", `${p}?not_in_the_spec=1`);
        assert.equal(r.status, 400, `${p}: ${JSON.stringify(r.body)}`);
        assert.ok(r.body.error?.not_in_the_spec, `${p}: ${JSON.stringify(r.body)}`);
      }
    });

    for (const [template, table] of Object.entries(TABLES)) {
      it(`${template}: accepts exactly the query parameters the spec lists`, function () {
        const listed = queryParameters(spec, template)
          .map((p) => p.name)
          .sort();
        assert.deepEqual(acceptedParameters(table), listed);
      });
    }

    it("/applications/, /devices/ and the tunnel lists implement every listed filter (none left unsupported)", function () {
      for (const t of ["/applications/", "/devices/", "/tunnels/", "/devices/{parent_lookup_device}/tunnels/"]) {
        const unsupported = Object.entries(TABLES[t].filters)
          .filter(([, f]) => "unsupported" in f)
          .map(([k]) => k);
        assert.deepEqual(unsupported, [], t);
      }
    });

    it("/applications/: a malformed value of every typed parameter is a 400 naming it", async function () {
      await seedApps();
      const bad: Record<string, string> = { integer: "many", boolean: "maybe" };
      let checked = 0;
      for (const p of queryParameters(spec, "/applications/")) {
        if (p.name === "page" || p.name === "per_page") continue;
        const value = p.schema?.enum ? "NOPE" : bad[p.schema?.type ?? ""];
        if (value === undefined) continue; // free text: every value is valid
        const r = await call("GET", `/applications/?${p.name}=${value}`);
        assert.equal(r.status, 400, `${p.name}=${value}: ${JSON.stringify(r.body)}`);
        assert.ok(r.body.error[p.name], `${p.name}: ${JSON.stringify(r.body)}`);
        checked++;
      }
      assert.ok(checked >= 16, `only ${checked} typed parameters checked`);
    });
  });

  it("filters on stars and its gt/gte/lt/lte lookups", async function () {
    await seedApps();
    assert.deepEqual(await names("?stars=3"), ["gamma_pump"]);
    assert.deepEqual(await names("?stars__gt=1"), ["alpha_pump", "gamma_pump"]);
    assert.deepEqual(await names("?stars__gte=3&ordering=stars"), ["gamma_pump", "alpha_pump"]);
    assert.deepEqual(await names("?stars__lt=3"), ["beta_meter"]);
    assert.deepEqual(await names("?stars__lte=3"), ["beta_meter", "gamma_pump"]);
    assert.deepEqual(await names("?stars__gt=1&stars__lt=5"), ["gamma_pump"]);
  });

  it("filters on approx_installs (0 for every application here)", async function () {
    await seedApps();
    assert.equal((await names("?approx_installs=0")).length, 3);
    assert.deepEqual(await names("?approx_installs__gt=0"), []);
    assert.equal((await names("?approx_installs__gte=0")).length, 3);
    assert.deepEqual(await names("?approx_installs__lt=0"), []);
    assert.equal((await names("?approx_installs__lte=0")).length, 3);
    assert.deepEqual(await names("?approx_installs=1"), []);
  });

  it("filters on organisation, organisation__isnull, container_registry_profile and id", async function () {
    const { b } = await seedApps();
    const org = emu.current.organisationId;
    assert.equal((await names(`?organisation=${org}`)).length, 3);
    assert.deepEqual(await names("?organisation=1"), []);
    assert.deepEqual(await names("?organisation__isnull=true"), []);
    assert.equal((await names("?organisation__isnull=false")).length, 3);
    assert.deepEqual(await names("?container_registry_profile=93955828574386692"), ["beta_meter"]);
    assert.deepEqual(await names(`?id=${b.id}`), ["beta_meter"]);
    assert.equal((await call("GET", "/applications/?organisation=abc")).status, 400);
  });

  it("filters on exact, __contains (case-sensitive) and __icontains text", async function () {
    await seedApps();
    assert.deepEqual(await names("?display_name=Gamma"), ["gamma_pump"]);
    assert.deepEqual(await names("?display_name=gamma"), []);
    assert.deepEqual(await names("?name__contains=pump"), ["alpha_pump", "gamma_pump"]);
    assert.deepEqual(await names("?description__contains=water"), ["beta_meter"]);
    assert.deepEqual(await names("?description__icontains=WATER"), ["alpha_pump", "beta_meter"]);
    assert.deepEqual(await names("?display_name__contains=Pump"), ["alpha_pump"]);
    assert.deepEqual(await names("?display_name__icontains=pump"), ["alpha_pump"]);
    assert.deepEqual(await names("?name__icontains=METER"), ["beta_meter"]);
    assert.deepEqual(await names("?description=Another%20pump"), ["gamma_pump"]);
  });

  it("filters on type, visibility and allow_many; an empty value filters nothing", async function () {
    await seedApps();
    assert.deepEqual(await names("?type=DEV"), ["alpha_pump"]);
    assert.deepEqual(await names("?visibility=PUB"), ["gamma_pump"]);
    assert.deepEqual(await names("?allow_many=true"), ["alpha_pump"]);
    assert.deepEqual(await names("?allow_many=False"), ["beta_meter", "gamma_pump"]);
    assert.equal((await names("?stars=&name=")).length, 3);
  });

  it("searches every term in name, display name and description", async function () {
    await seedApps();
    assert.deepEqual(await names("?search=pump"), ["alpha_pump", "gamma_pump"]);
    assert.deepEqual(await names("?search=water%20METER"), ["beta_meter"]);
    assert.deepEqual(await names("?search=pump,another"), ["gamma_pump"]);
  });

  it("orders by several fields, descending with '-', and rejects unknown fields", async function () {
    await seedApps();
    assert.deepEqual(await names("?ordering=-stars"), ["alpha_pump", "gamma_pump", "beta_meter"]);
    assert.deepEqual(await names("?ordering=type,-name"), ["alpha_pump", "gamma_pump", "beta_meter"]);
    assert.deepEqual(await names("?ordering=display_name"), ["alpha_pump", "beta_meter", "gamma_pump"]);
    const r = await call("GET", "/applications/?ordering=-colour");
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /colour/);
  });

  it("answers 400 for a query parameter the spec does not list, naming it", async function () {
    await seedApps();
    for (const p of ["/applications/?colour=red", "/applications/?stars__ne=1", "/tunnels/?name=x"]) {
      const r = await call("GET", p);
      assert.equal(r.status, 400, `${p}: ${JSON.stringify(r.body)}`);
      const key = p.slice(p.indexOf("?") + 1).split("=")[0];
      assert.ok(r.body.error[key], JSON.stringify(r.body));
      assert.match(r.body.detail, new RegExp(`"${key}"`));
    }
  });

  it("searches and orders tunnels on both tunnel lists; rejects field filters", async function () {
    const [d1, d2] = emu.current.deviceIds;
    const mk = async (device: string, name: string, hostname: string, port: number) => {
      const r = await call("POST", `/devices/${device}/tunnels/`, { name, hostname, port, protocol: "tcp" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    await mk(d1, "ssh", "10.0.0.1", 22);
    await mk(d1, "modbus", "plc.local", 502);
    await mk(d2, "web-ssh", "10.0.0.2", 2222);
    const tnames = async (p: string) => {
      const r = await call("GET", p);
      assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
      return r.body.results.map((t: { name: string }) => t.name);
    };
    assert.deepEqual(await tnames("/tunnels/?search=ssh"), ["ssh", "web-ssh"]);
    assert.deepEqual(await tnames("/tunnels/?search=PLC"), ["modbus"]);
    assert.deepEqual(await tnames("/tunnels/?ordering=-port"), ["web-ssh", "modbus", "ssh"]);
    assert.deepEqual(await tnames(`/devices/${d1}/tunnels/?ordering=name`), ["modbus", "ssh"]);
    assert.deepEqual(await tnames(`/devices/${d1}/tunnels/?search=10.0.0`), ["ssh"]);
    for (const p of [`/devices/${d1}/tunnels/?protocol=tcp`, "/tunnels/?ordering=password"]) {
      assert.equal((await call("GET", p)).status, 400, p);
    }
  });

  it("devices, groups and organisations: listed filters work, unemulated ones answer 400", async function () {
    const [d1, d2] = emu.current.deviceIds;
    const ids = async (p: string) => {
      const r = await call("GET", p);
      assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
      return r.body.results.map((d: { id: string }) => d.id);
    };
    assert.deepEqual(await ids(`/devices/?id=${d1}&id=${d2}`), [d1, d2]);
    assert.deepEqual(await ids(`/devices/?id=${d2}`), [d2]);
    assert.deepEqual(await ids("/devices/?name__icontains=DEVICE_1"), [d1]);
    assert.equal((await ids(`/devices/?organisation=${emu.current.organisationId}`)).length, 3);
    assert.equal((await ids("/organisations/?name__icontains=emulated")).length, 1);
    for (const p of ["/groups/?permission=edit", "/organisations/?retention_period__gt=3"]) {
      const r = await call("GET", p);
      assert.equal(r.status, 400, p);
      assert.match(r.body.detail, /does not implement/);
    }
  });
});
