// Route table: OpenAPI path templates → handlers per method.

import * as installs from "./app-installs";
import * as apps from "./applications";
import * as profiles from "./config-profiles";
import type { Handler } from "./context";
import * as types from "./device-types";
import * as devices from "./devices";
import * as dir from "./directory";
import * as roles from "./group-roles";
import * as groups from "./groups";
import * as installer from "./installer";
import * as people from "./people";
import * as solutions from "./solution-installs";
import * as tunnels from "./tunnels";

export interface Route {
  template: string;
  regex: RegExp;
  params: string[];
  methods: Record<string, Handler>;
}

// Path parameters the spec constrains to digits; anything else cannot match the route (404).
const DIGITS = new Set(["parent_lookup_device", "parent_lookup_group"]);

function appInstallRoutes(): Route[] {
  return [
    route("/app_installs/", {
      GET: installs.listAppInstalls,
      POST: installs.createAppInstall,
    }),
    route("/app_installs/{id}/", {
      GET: installs.retrieveAppInstall,
      PUT: installs.putAppInstall,
      PATCH: installs.patchAppInstall,
      DELETE: installs.deleteAppInstall,
    }),
    route("/app_installs/{id}/archive/", { POST: installs.archiveAppInstall }),
    route("/app_installs/{id}/unarchive/", {
      POST: installs.unarchiveAppInstall,
    }),
    route("/app_installs/{id}/sync_config_profiles/", { POST: installs.syncConfigProfiles }),
    route("/app_installs/{parent_lookup_app_install}/deployments/", {
      GET: installs.listDeployments,
      POST: installs.createDeployment,
    }),
    route("/app_installs/{parent_lookup_app_install}/deployments/{id}/", {
      GET: installs.retrieveDeployment,
    }),
    route("/devices/{parent_lookup_device}/app_installs/", {
      GET: installs.listAppInstalls,
    }),
    route("/applications/{parent_lookup_application}/installs/", {
      GET: installs.listAppInstalls,
    }),
    route("/applications/{parent_lookup_application}/installs/{id}/sync_config_profiles/", {
      POST: installs.syncConfigProfiles,
    }),
  ];
}

/** Users, organisation users, invitations, roles and agents (what doover-cli's user/org/agent commands call). */
function peopleRoutes(): Route[] {
  return [
    route("/users/", { GET: people.listUsers }),
    route("/users/me/", { GET: people.me }), // before /users/{id}/, which would take "me" as an id
    route("/users/{id}/", { GET: people.retrieveUser, PUT: people.patchUser, PATCH: people.patchUser }),
    route("/users/{id}/sync/", { POST: people.syncUser }),
    route("/organisations/users/", { GET: people.listMemberships, POST: people.createMembership }),
    route("/organisations/users/{user}/", {
      GET: people.retrieveMembership,
      PATCH: people.patchMembership,
      DELETE: people.deleteMembership,
    }),
    route("/organisations/users/{parent_lookup_user}/groups/", { GET: people.listUserGroups }),
    route("/organisations/pending_users/", { GET: people.listPending, POST: people.createPending }),
    route("/organisations/pending_users/{id}/", { GET: people.retrievePending, DELETE: people.deletePending }),
    route("/organisations/pending_users/{id}/approve/", { POST: people.approvePending }),
    route("/organisations/pending_users/{id}/reject/", { POST: people.rejectPending }),
    route("/organisations/roles/", { GET: people.listRoles }),
    route("/organisations/roles/{id}/", { GET: people.retrieveRole }),
    route("/agents/", { GET: people.listAgents }),
  ];
}

function route(template: string, methods: Record<string, Handler>, digitIds = false): Route {
  const params: string[] = [];
  const source = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return DIGITS.has(name) || (digitIds && name === "id") ? "(\\d+)" : "([^/]+)";
  });
  return { template, regex: new RegExp(`^${source}$`), params, methods };
}

function tunnelRoutes(prefix: string): Route[] {
  return [
    route(`${prefix}/tunnels/`, {
      GET: tunnels.listTunnels,
      POST: tunnels.createTunnel,
    }),
    route(
      `${prefix}/tunnels/{id}/`,
      {
        GET: tunnels.retrieveTunnel,
        PUT: tunnels.putTunnel,
        PATCH: tunnels.patchTunnel,
        DELETE: tunnels.deleteTunnel,
      },
      true,
    ),
    route(`${prefix}/tunnels/{id}/activate/`, { POST: tunnels.activateTunnel }, true),
    route(`${prefix}/tunnels/{id}/deactivate/`, { POST: tunnels.deactivateTunnel }, true),
  ];
}

export const ROUTES: Route[] = [
  route("/applications/", {
    GET: apps.listApplications,
    POST: apps.createApplication,
  }),
  route("/applications/{id}/", {
    GET: apps.retrieveApplication,
    PUT: apps.putApplication,
    PATCH: apps.patchApplication,
  }),
  route("/applications/{id}/archive/", { POST: apps.archiveApplication }),
  route("/applications/{id}/unarchive/", { POST: apps.unarchiveApplication }),
  route("/applications/{id}/processor_source/", {
    PUT: apps.putProcessorSource,
  }),
  route("/applications/{id}/widget/", { PUT: apps.putWidget }),
  ...tunnelRoutes("/devices/{parent_lookup_device}"),
  ...tunnelRoutes(""),
  ...appInstallRoutes(),
  route("/applications/{parent_lookup_application}/config_profiles/", {
    GET: profiles.listConfigProfiles,
    POST: profiles.createConfigProfile,
  }),
  route("/applications/{parent_lookup_application}/config_profiles/{id}/", {
    GET: profiles.retrieveConfigProfile,
    PUT: profiles.putConfigProfile,
    PATCH: profiles.patchConfigProfile,
    DELETE: profiles.deleteConfigProfile,
  }),
  route("/organisations/", { GET: dir.listOrganisations }),
  ...fleetRoutes(),
  ...peopleRoutes(),
];

/** Devices and device groups (the fleet). Device ids are digits in the spec (`^\d+$`). */
function fleetRoutes(): Route[] {
  return [
    route("/devices/", { GET: devices.listDevices, POST: devices.createDevice }),
    route("/devices/{id}/", { GET: devices.retrieveDevice, PUT: devices.putDevice, PATCH: devices.patchDevice }, true),
    route("/devices/{id}/archive/", { POST: devices.archiveDevice }, true),
    route("/devices/{id}/unarchive/", { POST: devices.unarchiveDevice }, true),
    route("/groups/", { GET: groups.listGroups, POST: groups.createGroup }),
    route(
      "/groups/{id}/",
      { GET: groups.retrieveGroup, PUT: groups.putGroup, PATCH: groups.patchGroup, DELETE: groups.deleteGroup },
      true,
    ),
    route("/groups/{id}/archive/", { POST: groups.archiveGroup }, true),
    route("/groups/{id}/unarchive/", { POST: groups.unarchiveGroup }, true),
    route("/devices/{id}/installer/", { GET: installer.installerScript }, true),
    route("/devices/{id}/installer/download/", { GET: installer.installerDownload }, true),
    route("/devices/{id}/installer/info/", { GET: installer.installerInfo }, true),
    route("/devices/{id}/installer/tarball/", { GET: installer.installerTarball }, true),
    route("/devices/{id}/installer/zip/", { GET: installer.installerZip }, true),
    route("/devices/{parent_lookup_device}/solution_installs/", { GET: solutions.listSolutionInstalls }),
    route("/devices/types/", { GET: types.listDeviceTypes, POST: types.createDeviceType }),
    route(
      "/devices/types/{id}/",
      { GET: types.retrieveDeviceType, PUT: types.putDeviceType, PATCH: types.patchDeviceType },
      true,
    ),
    route("/devices/types/{id}/archive/", { POST: types.archiveDeviceType }, true),
    route("/devices/types/{id}/unarchive/", { POST: types.unarchiveDeviceType }, true),
    route("/devices/types/{parent_lookup_device_type}/organisation_access/", {
      GET: types.listAccess,
      POST: types.createAccess,
    }),
    route(
      "/devices/types/{parent_lookup_device_type}/organisation_access/{id}/",
      { GET: types.retrieveAccess, PUT: types.putAccess, PATCH: types.patchAccess, DELETE: types.deleteAccess },
      true,
    ),
    route("/groups/roles/", { GET: roles.listRoles, POST: roles.createRole }),
    route(
      "/groups/roles/{id}/",
      { GET: roles.retrieveRole, PUT: roles.putRole, PATCH: roles.patchRole, DELETE: roles.deleteRole },
      true,
    ),
    route("/groups/roles/{id}/archive/", { POST: roles.archiveRole }, true),
    route("/groups/roles/{id}/unarchive/", { POST: roles.unarchiveRole }, true),
    route("/groups/{parent_lookup_group}/users/", { GET: roles.listMembers, POST: roles.addMember }),
    route("/groups/{parent_lookup_group}/users/{user}/", {
      GET: roles.retrieveMember,
      PUT: roles.putMember,
      PATCH: roles.patchMember,
      DELETE: roles.removeMember,
    }),
  ];
}

export function matchRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const r of ROUTES) {
    const m = r.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.params.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]);
    });
    return { route: r, params };
  }
  return undefined;
}
