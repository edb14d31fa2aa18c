// The Doover 2.0 Control API client: pydoover's seed surface (camelCase) on top
// of the wire-level families `applications` and `tunnels`.

import type { AppInstallData, AppInstallRequest, InstallDeploymentData } from "./app-install-types";
import { AppInstallsApi } from "./app-installs-api";
import { Application } from "./application";
import { type ApplicationListQuery, ApplicationsApi } from "./applications-api";
import { ConfigProfilesApi } from "./config-profiles-api";
import { resolveCredentials } from "./credentials";
import { DevicesApi } from "./devices-api";
import { DooverException, NotSupported } from "./errors";
import { GroupsApi } from "./groups-api";
import type { ProbeOptions } from "./probe/probe";
import type { ProbeReport } from "./probe/report";
import { RestClient } from "./rest-client";
import { TunnelsApi } from "./tunnels-api";
import type { ApplicationData, ClientOptions, TunnelData, TunnelRequest } from "./types";

export interface CreateTunnelArgs {
  deviceId: string;
  hostname: string;
  port: number;
  protocol: string;
  /** default `<hostname>:<port>` like doover-cli */
  name?: string;
  username?: string | null;
  password?: string | null;
  timeout?: number;
  ipRestricted?: boolean;
  ipWhitelist?: unknown;
  isFavourite?: boolean;
  disableTlsVerification?: boolean;
}

/** Arguments of {@link Client.installApplication} (camelCase of the install request). */
export interface InstallApplicationArgs {
  applicationId: string;
  deviceId: string;
  /** defaults to the application's display name */
  displayName?: string;
  /** unique per device; the server defaults it to the application's name */
  name?: string;
  version?: string | null;
  deploymentConfig?: Record<string, unknown>;
  configProfileIds?: string[];
}

export class Client {
  readonly baseUrl: string;
  readonly organisationId?: string;
  readonly isStaging: boolean;
  /** where the token came from (never the token) */
  readonly credentialSource: string;
  /** expiry of the profile's token as read (TOKEN_EXPIRES, else its JWT exp), when the token came from one */
  readonly tokenExpiresAt?: Date;
  readonly applications: ApplicationsApi;
  readonly tunnels: TunnelsApi;
  readonly appInstalls: AppInstallsApi;
  /** Config profiles of applications (`/applications/{a}/config_profiles/`). */
  readonly configProfiles: ConfigProfilesApi;
  /** Devices (`/devices/`): list by group (subgroups included or not), find by name, move, archive. */
  readonly devices: DevicesApi;
  /** Device groups (`/groups/`): the organisation's group tree. */
  readonly groups: GroupsApi;
  readonly rest: RestClient;

  /** Throws CredentialsError when no token is found anywhere. */
  constructor(options: ClientOptions = {}) {
    const env = options.env ?? process.env;
    const creds = resolveCredentials({ ...options, env });
    this.baseUrl = creds.baseUrl;
    if (creds.organisationId !== undefined) this.organisationId = creds.organisationId;
    this.isStaging = creds.isStaging;
    this.credentialSource = creds.source;
    if (creds.expiresAt) this.tokenExpiresAt = creds.expiresAt;
    const debug = options.debug ?? (env.DOOVER_LOG ?? "").toLowerCase() === "debug";
    this.rest = new RestClient({
      baseUrl: creds.baseUrl,
      baseUrlSource: creds.baseUrlSource,
      unreachedBudgetMs: options.unreachedBudgetMs,
      token: creds.token,
      tokenSource: creds.source,
      ...(creds.tokenProvider ? { tokenProvider: creds.tokenProvider } : {}),
      fallbackCredentials: creds.fallbacks,
      retryBudgetMs: options.retryBudgetMs,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      settingNames: options.settingNames,
      organisationId: creds.organisationId,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      userAgent: options.userAgent,
      retryBaseDelayMs: options.retryBaseDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
      debug,
      logger: options.logger,
    });
    // A profile with a REFRESH_TOKEN refreshes an expired token before the first call; one without cannot.
    if (creds.expired && !creds.refreshable) {
      this.rest.log(
        `doover: the token of ${creds.source} expired at ${creds.expiresAt!.toISOString()} and the profile has no ` +
          "REFRESH_TOKEN to refresh it with; sending it anyway (run `doover login` to sign in again)",
      );
    }
    this.applications = new ApplicationsApi(this.rest);
    this.tunnels = new TunnelsApi(this.rest);
    this.appInstalls = new AppInstallsApi(this.rest);
    this.configProfiles = new ConfigProfilesApi(this.rest);
    this.groups = new GroupsApi(this.rest);
    this.devices = new DevicesApi(this.rest, this.groups);
  }

  // ---- applications (seed surface)

  /** Every page. */
  getApplications(query: Omit<ApplicationListQuery, "perPage"> = {}): Promise<ApplicationData[]> {
    return this.applications.list(query);
  }

  async getApplication(id: string): Promise<Application> {
    return Application.fromApiData(await this.applications.retrieve(id));
  }

  /** POST the app's payload; stores the new id on `app.id` (or `stagingConfig.id`) and returns it. */
  async createApplication(app: Application, opts: { isStaging?: boolean } = {}): Promise<string> {
    const isStaging = opts.isStaging ?? false;
    // The deployment folder is zipped while it is sent (memory does not grow with its files).
    const created = await this.applications.create(app.toPayload({ isStaging, includeDeploymentData: "stream" }));
    if (isStaging) app.stagingConfig = { ...app.stagingConfig, id: created.id };
    else app.id = created.id;
    return created.id;
  }

  /**
   * PATCH by the app's id (staging: `stagingConfig.id`). For an app loaded from a doover_config.json only the
   * fields the file declares (or the caller changed) are sent: see {@link Application.toPatchPayload}.
   */
  async updateApplication(app: Application, opts: { isStaging?: boolean } = {}): Promise<ApplicationData> {
    const isStaging = opts.isStaging ?? false;
    const id = app.targetId(isStaging);
    if (!id) {
      throw new DooverException(
        `Application ${app.name} has no ${isStaging ? "staging_config.id" : "id"}; create it first`,
      );
    }
    return this.applications.patch(id, app.toPatchPayload({ isStaging, includeDeploymentData: "stream" }));
  }

  archiveApplication(id: string): Promise<ApplicationData> {
    return this.applications.archive(id);
  }

  unarchiveApplication(id: string): Promise<ApplicationData> {
    return this.applications.unarchive(id);
  }

  // ---- tunnels (seed surface)

  /** `showChoices` is a 1.0 option with no 2.0 equivalent; accepted and ignored. */
  getTunnels(deviceId: string, _opts: { showChoices?: boolean } = {}): Promise<TunnelData[]> {
    return this.tunnels.list(deviceId);
  }

  getTunnel(id: string): Promise<TunnelData> {
    return this.tunnels.retrieve(id);
  }

  createTunnel(args: CreateTunnelArgs): Promise<TunnelData> {
    const body: TunnelRequest = {
      name: args.name ?? `${args.hostname}:${args.port}`,
      hostname: args.hostname,
      port: args.port,
      protocol: args.protocol,
    };
    if (args.username !== undefined) body.username = args.username;
    if (args.password !== undefined) body.password = args.password;
    if (args.timeout !== undefined) body.timeout = args.timeout;
    if (args.ipRestricted !== undefined) body.ip_restricted = args.ipRestricted;
    if (args.ipWhitelist !== undefined) body.ip_whitelist = args.ipWhitelist;
    if (args.isFavourite !== undefined) body.is_favourite = args.isFavourite;
    if (args.disableTlsVerification !== undefined) body.disable_tls_verification = args.disableTlsVerification;
    return this.tunnels.create(args.deviceId, body);
  }

  activateTunnel(id: string): Promise<TunnelData> {
    return this.tunnels.activate(id);
  }

  deactivateTunnel(id: string): Promise<TunnelData> {
    return this.tunnels.deactivate(id);
  }

  patchTunnel(id: string, fields: Partial<TunnelRequest>): Promise<TunnelData> {
    return this.tunnels.patch(id, fields);
  }

  deleteTunnel(id: string): Promise<void> {
    return this.tunnels.delete(id);
  }

  /** Tunnel endpoints (ngrok pools) exist only on the Doover 1.0 API. */
  createTunnelEndpoints(..._args: unknown[]): never {
    throw new NotSupported("createTunnelEndpoints is not available on the Doover 2.0 API");
  }

  getTunnelEndpoints(..._args: unknown[]): never {
    throw new NotSupported("getTunnelEndpoints is not available on the Doover 2.0 API");
  }

  // ---- app installs (seed surface)

  /** Every install (every page), or only those on `deviceId`. */
  getAppInstalls(deviceId?: string): Promise<AppInstallData[]> {
    return deviceId === undefined ? this.appInstalls.list() : this.appInstalls.listForDevice(deviceId);
  }

  getAppInstall(id: string): Promise<AppInstallData> {
    return this.appInstalls.retrieve(id);
  }

  /** Installs an application on a device (one POST; the display name defaults to the app's). */
  async installApplication(args: InstallApplicationArgs): Promise<AppInstallData> {
    const displayName = args.displayName ?? (await this.applications.retrieve(args.applicationId)).display_name;
    const body: AppInstallRequest = {
      application_id: args.applicationId,
      device_id: args.deviceId,
      display_name: displayName,
    };
    if (args.name !== undefined) body.name = args.name;
    if (args.version !== undefined) body.version = args.version;
    if (args.deploymentConfig !== undefined) body.deployment_config = args.deploymentConfig;
    if (args.configProfileIds !== undefined) body.config_profile_ids = args.configProfileIds;
    return this.appInstalls.create(body);
  }

  /**
   * Syncs an install's config profiles as doover-cli's `app-install sync-config-profiles` does: reads the install
   * and POSTs it back to `sync_config_profiles/`, with `configProfileIds` replacing its profiles when given.
   */
  async syncAppInstallConfigProfiles(id: string, configProfileIds?: string[]): Promise<AppInstallData> {
    const install = await this.appInstalls.retrieve(id);
    const body: AppInstallRequest = {
      application_id: String(install.application.id),
      device_id: install.device ? String(install.device.id) : null,
      display_name: install.display_name,
      config_profile_ids: configProfileIds ?? install.config_profiles.map((p) => String(p.id)),
    };
    if (install.name !== undefined) body.name = install.name;
    if (install.version !== undefined && install.version !== null) body.version = install.version;
    if (install.deployment_config !== undefined) body.deployment_config = install.deployment_config;
    if (install.solution) body.solution_id = String(install.solution.id);
    return this.appInstalls.syncConfigProfiles(id, body);
  }

  /** Starts a deployment of the install's current config; poll `getDeployment` for its status. */
  async deployAppInstall(id: string): Promise<InstallDeploymentData> {
    const install = await this.appInstalls.retrieve(id);
    return this.appInstalls.createDeployment(id, { after: install.latest_deployment?.id ?? null });
  }

  getDeployment(installId: string, deploymentId: string): Promise<InstallDeploymentData> {
    return this.appInstalls.retrieveDeployment(installId, deploymentId);
  }

  uninstallApplication(id: string): Promise<void> {
    return this.appInstalls.delete(id);
  }

  // ---- the API itself

  /**
   * Which behaviours this API has, next to what the package assumes (docs/probe.md; `npx doover-probe` runs
   * it): read-only unless `write`, which makes throwaway `probe_<random>` objects and removes them again.
   * Resolves with the report (rows, leftovers, exit code); never rejects for what the API answers.
   */
  probe(options: ProbeOptions = {}): Promise<ProbeReport> {
    // Loaded on first use: every provider host loads this client, and none of them probes (~7 ms of its start).
    const { runProbe } = require("./probe/probe") as typeof import("./probe/probe");
    return runProbe(this, options);
  }
}
