// One application entry of a doover_config.json (doover-cli `LocalApplication`
// semantics) and its 2.0 request payload.

import * as fs from "node:fs";
import * as path from "node:path";
import { type DeploymentData, deploymentDataOf } from "./deployment-folder";
import { deploymentZip } from "./deployment-zip";
import {
  appEntries,
  CONFIG_FILE_NAME,
  readConfigDocument,
  readConfigDocumentOrEmpty,
  setIdMember,
  writeConfigDocument,
} from "./doover-config-file";
import { DooverException } from "./errors";
import { fromPlain, getMember, type JsonObjectNode, setMember } from "./lossless-json";
import {
  APPLICATION_REQUEST_KEYS,
  type ApplicationData,
  type ApplicationRequest,
  type SlimConfigProfileData,
} from "./types";

export interface ApplicationInit {
  id?: string;
  key?: string;
  name: string;
  displayName?: string;
  type?: string;
  visibility?: string;
  allowMany?: boolean;
  description?: string;
  longDescription?: string;
  longDescriptionPath?: string;
  dependsOn?: string[];
  organisationId?: string;
  containerRegistryProfileId?: string;
  codeRepo?: string;
  repoBranch?: string;
  imageName?: string;
  buildArgs?: string;
  configSchema?: unknown;
  uiSchema?: unknown;
  tagSchema?: unknown;
  notificationSchema?: unknown;
  lambdaArn?: string;
  lambdaConfig?: unknown;
  iconUrl?: string;
  bannerUrl?: string;
  repositoryUrl?: string;
  stars?: number;
  archived?: boolean;
  approxInstalls?: number;
  configProfiles?: SlimConfigProfileData[];
  stagingConfig?: Record<string, unknown>;
  basePath?: string;
  srcDirectory?: string;
  deploymentFolder?: string;
  configPath?: string;
  entryKey?: string;
  raw?: Record<string, unknown>;
}

/** Snowflake id as an exact string; numbers/strings accepted, empty → undefined. */
export function idString(v: unknown): string | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (typeof v === "number" || typeof v === "bigint") return v.toString();
  return typeof v === "string" ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Spellings of the two reference fields, canonical first (doover-cli `resolve_ref` + `DEPRECATED_REFS`): the
 * first key present in the entry decides, even when its value is null, so `organisation_id: null` beats a legacy
 * `owner_org_id: 333` and `organisation_id: 222` beats `owner_org_id: 111`.
 */
const REF_SPELLINGS: Record<"organisation_id" | "container_registry_profile_id", readonly string[]> = {
  organisation_id: ["organisation_id", "owner_org_id", "owner_org", "organisation"],
  container_registry_profile_id: ["container_registry_profile_id", "container_registry_profile"],
};

/** The key and value a reference field is read from (doover-cli precedence); key undefined when absent. */
function resolveRef(
  entry: Record<string, unknown>,
  canonical: keyof typeof REF_SPELLINGS,
): { key?: string; value: unknown } {
  for (const key of REF_SPELLINGS[canonical]) if (key in entry) return { key, value: entry[key] };
  return { value: undefined };
}

/** The request field a config key stands for (legacy reference spellings folded onto the canonical one). */
function wireKeyOf(configKey: string): string {
  for (const [canonical, spellings] of Object.entries(REF_SPELLINGS)) {
    if (spellings.includes(configKey)) return canonical;
  }
  return configKey;
}

/** Request fields a PATCH may carry (`deployment_data` is built from the folder). */
const PATCH_KEYS = APPLICATION_REQUEST_KEYS.filter((k) => k !== "deployment_data");

// Attributes saveToDisk writes back when they changed since load, with their config key.
const TRACKED: [keyof Application, string][] = [
  ["displayName", "display_name"],
  ["type", "type"],
  ["visibility", "visibility"],
  ["allowMany", "allow_many"],
  ["description", "description"],
  ["dependsOn", "depends_on"],
  ["imageName", "image_name"],
  ["buildArgs", "build_args"],
  ["repoBranch", "repo_branch"],
  ["configSchema", "config_schema"],
  ["uiSchema", "ui_schema"],
  ["tagSchema", "tag_schema"],
  ["notificationSchema", "notification_schema"],
  ["lambdaArn", "lambda_arn"],
  ["lambdaConfig", "lambda_config"],
  ["iconUrl", "icon_url"],
  ["bannerUrl", "banner_url"],
  ["deploymentFolder", "deployment_folder"],
];
// Id-valued attributes: written keeping the JSON kind already in the file.
const TRACKED_IDS = ["id", "organisationId", "containerRegistryProfileId", "stagingId"] as const;
type Snapshot = Record<string, string>;
const snap = (v: unknown): string => JSON.stringify(v) ?? "undefined";

export class Application {
  id?: string;
  /** legacy 1.0 UUID key, kept for reference */
  key?: string;
  name: string;
  displayName: string;
  type?: string;
  visibility?: string;
  allowMany: boolean;
  description: string;
  /** the text (README contents when `long_description` names a file that exists) */
  longDescription: string;
  /** the file `long_description` names, relative to basePath, when it exists */
  longDescriptionPath?: string;
  dependsOn: string[];
  organisationId?: string;
  containerRegistryProfileId?: string;
  codeRepo?: string;
  repoBranch: string;
  imageName?: string;
  buildArgs?: string;
  configSchema?: unknown;
  uiSchema?: unknown;
  /** `tag_schema`: the app's tag definitions */
  tagSchema?: unknown;
  /** `notification_schema`: the app's notification definitions (doover-cli exports it on publish) */
  notificationSchema?: unknown;
  lambdaArn?: string;
  lambdaConfig?: unknown;
  iconUrl?: string;
  bannerUrl?: string;
  repositoryUrl?: string;
  stars?: number;
  /** read-only, from the API (`fromApiData`): whether the application is archived */
  archived?: boolean;
  /** read-only, from the API: approximate number of installs */
  approxInstalls?: number;
  /** read-only, from the API: the application's config profiles */
  configProfiles?: SlimConfigProfileData[];
  stagingConfig: Record<string, unknown>;
  /** folder of the config file */
  basePath?: string;
  srcDirectory?: string;
  deploymentFolder: string;
  configPath?: string;
  /** top-level key of the entry in the file (normally the name) */
  entryKey?: string;
  /** the entry as read (big integers as exact strings) */
  raw: Record<string, unknown>;
  // Where the organisation / registry ids were read from, so a save writes them back there.
  private orgKey = "organisation_id";
  private crpKey = "container_registry_profile_id";
  private loaded?: Snapshot;
  // What the config file declared (request fields), for a PATCH that leaves everything else alone.
  // Undefined for an app built in code: then every field counts as declared (doover-cli does the same).
  private declared?: Set<string>;
  private nullKeys = new Set<string>();
  private loadedWire?: Snapshot;

  constructor(init: ApplicationInit) {
    this.id = init.id;
    this.key = init.key;
    this.name = init.name;
    this.displayName = init.displayName ?? init.name;
    this.type = init.type;
    this.visibility = init.visibility;
    this.allowMany = init.allowMany ?? false;
    this.description = init.description ?? "";
    this.longDescription = init.longDescription ?? "";
    this.longDescriptionPath = init.longDescriptionPath;
    this.dependsOn = init.dependsOn ?? [];
    this.organisationId = init.organisationId;
    this.containerRegistryProfileId = init.containerRegistryProfileId;
    this.codeRepo = init.codeRepo;
    this.repoBranch = init.repoBranch ?? "main";
    this.imageName = init.imageName;
    this.buildArgs = init.buildArgs;
    this.configSchema = init.configSchema;
    this.uiSchema = init.uiSchema;
    this.tagSchema = init.tagSchema;
    this.notificationSchema = init.notificationSchema;
    this.lambdaArn = init.lambdaArn;
    this.lambdaConfig = init.lambdaConfig;
    this.iconUrl = init.iconUrl;
    this.bannerUrl = init.bannerUrl;
    this.repositoryUrl = init.repositoryUrl;
    this.stars = init.stars;
    if (init.archived !== undefined) this.archived = init.archived;
    if (init.approxInstalls !== undefined) this.approxInstalls = init.approxInstalls;
    if (init.configProfiles !== undefined) this.configProfiles = init.configProfiles;
    this.stagingConfig = init.stagingConfig ?? {};
    this.basePath = init.basePath;
    this.srcDirectory = init.srcDirectory;
    this.deploymentFolder = init.deploymentFolder ?? "deployment";
    this.configPath = init.configPath;
    this.entryKey = init.entryKey;
    this.raw = init.raw ?? {};
    // Bookkeeping stays out of JSON/inspect output.
    for (const k of ["orgKey", "crpKey", "loaded", "declared", "nullKeys", "loadedWire"])
      Object.defineProperty(this, k, { enumerable: false, writable: true });
  }

  // pydoover's attribute names, as aliases of the 2.0 id fields.
  /** Alias of {@link organisationId} (pydoover `owner_org`). */
  get ownerOrg(): string | undefined {
    return this.organisationId;
  }
  set ownerOrg(id: string | undefined) {
    this.organisationId = id;
  }
  /** Alias of {@link organisationId}. */
  get organisation(): string | undefined {
    return this.organisationId;
  }
  set organisation(id: string | undefined) {
    this.organisationId = id;
  }
  /** Alias of {@link containerRegistryProfileId} (pydoover `container_registry_profile`). */
  get containerRegistryProfile(): string | undefined {
    return this.containerRegistryProfileId;
  }
  set containerRegistryProfile(id: string | undefined) {
    this.containerRegistryProfileId = id;
  }

  /** Build from one doover_config.json entry; `appBase` is the folder holding the file. */
  static fromConfig(entry: Record<string, unknown>, appBase: string): Application {
    const org = resolveRef(entry, "organisation_id");
    const crp = resolveRef(entry, "container_registry_profile_id");
    const repo = "code_repo_id" in entry ? entry.code_repo_id : entry.code_repo;
    const ld = str(entry.long_description) ?? "";
    const ldFile = ld && appBase ? path.resolve(appBase, ld) : undefined;
    const ldExists = ldFile !== undefined && fs.existsSync(ldFile) && fs.statSync(ldFile).isFile();
    const staging = entry.staging_config;
    const app = new Application({
      id: idString(entry.id),
      key: str(entry.key) || undefined,
      name: str(entry.name) ?? "",
      displayName: str(entry.display_name) ?? "",
      type: str(entry.type),
      visibility: str(entry.visibility),
      allowMany: entry.allow_many === true,
      description: str(entry.description) ?? "",
      longDescription: ldExists ? fs.readFileSync(ldFile!, "utf8") : ld,
      longDescriptionPath: ldExists ? ld : undefined,
      dependsOn: Array.isArray(entry.depends_on) ? entry.depends_on.map(String) : [],
      organisationId: idString(org.value),
      containerRegistryProfileId: idString(crp.value),
      codeRepo: idString(repo),
      repoBranch: str(entry.repo_branch) ?? "main",
      imageName: str(entry.image_name),
      buildArgs: str(entry.build_args),
      configSchema: entry.config_schema,
      uiSchema: entry.ui_schema,
      tagSchema: entry.tag_schema,
      notificationSchema: entry.notification_schema,
      lambdaArn: str(entry.lambda_arn),
      lambdaConfig: entry.lambda_config,
      iconUrl: str(entry.icon_url),
      bannerUrl: str(entry.banner_url),
      repositoryUrl: str(entry.repository_url),
      stars: typeof entry.stars === "number" ? entry.stars : undefined,
      stagingConfig:
        typeof staging === "object" && staging !== null && !Array.isArray(staging)
          ? { ...(staging as Record<string, unknown>) }
          : {},
      basePath: appBase,
      srcDirectory: str(entry.src_directory),
      deploymentFolder: str(entry.deployment_folder) ?? "deployment",
      configPath: path.join(appBase, CONFIG_FILE_NAME),
      entryKey: str(entry.name),
      raw: entry,
    });
    if (org.key) app.orgKey = org.key;
    if (crp.key) app.crpKey = crp.key;
    app.declareFromEntry(entry);
    return app;
  }

  /** Every app entry of a doover_config.json; legacy (non-app) files give []. */
  static loadConfigFile(file: string): Application[] {
    const abs = path.resolve(file);
    return appEntries(readConfigDocument(abs)).map(([key, entry]) => {
      const app = Application.fromConfig(entry, path.dirname(abs));
      app.configPath = abs;
      app.entryKey = key;
      if (!app.name) app.name = key;
      app.declareFromEntry(entry);
      return app;
    });
  }

  /** From an API read (`GET /applications/{id}/`). */
  static fromApiData(data: ApplicationData): Application {
    return new Application({
      id: idString(data.id),
      name: data.name,
      displayName: data.display_name,
      type: data.type,
      visibility: data.visibility,
      allowMany: data.allow_many ?? false,
      description: data.description ?? "",
      longDescription: data.long_description ?? "",
      dependsOn: data.depends_on ?? [],
      organisationId: idString(data.organisation?.id),
      containerRegistryProfileId: idString(data.container_registry_profile?.id),
      imageName: data.image_name ?? undefined,
      configSchema: data.config_schema,
      uiSchema: data.ui_schema,
      tagSchema: data.tag_schema,
      notificationSchema: data.notification_schema,
      lambdaArn: data.lambda_arn ?? undefined,
      lambdaConfig: data.lambda_config,
      iconUrl: data.icon_url ?? undefined,
      bannerUrl: data.banner_url ?? undefined,
      repositoryUrl: data.repository_url ?? undefined,
      stars: data.stars,
      archived: data.archived,
      approxInstalls: data.approx_installs,
      configProfiles: data.config_profiles,
      raw: data as unknown as Record<string, unknown>,
    });
  }

  /**
   * The request fields the config file sets to null (legacy spellings folded onto the canonical name, e.g.
   * `owner_org_id: null` → `organisation_id`): the fields a publish clears. Empty for an app built in code.
   */
  declaredNulls(): ReadonlySet<string> {
    return new Set(this.nullKeys);
  }

  /** The id this app has on the target (staging id lives in staging_config). */
  targetId(isStaging = false): string | undefined {
    return isStaging ? idString(this.stagingConfig.id) : this.id;
  }

  /**
   * Deterministic zip of `<basePath>/<deploymentFolder>` in memory, or undefined when there is none. Throws
   * `DeploymentFolderTooLarge` over 256 MiB of files and `DeploymentFolderLinkError` for a link out of the folder.
   */
  deploymentZip(): { data: Buffer; sha256: string } | undefined {
    const folder = this.deploymentFolderPath();
    return folder === undefined ? undefined : deploymentZip(folder);
  }

  /**
   * The deployment folder as `deployment_data` that is zipped and base64-encoded while it is sent (never whole in
   * memory), or undefined when there is none. Same limit and link rules as {@link deploymentZip}, checked here.
   */
  deploymentUpload(): DeploymentData | undefined {
    const folder = this.deploymentFolderPath();
    return folder === undefined ? undefined : deploymentDataOf(folder);
  }

  private deploymentFolderPath(): string | undefined {
    if (!this.basePath) return undefined;
    const folder = path.resolve(this.basePath, this.deploymentFolder);
    return fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() ? folder : undefined;
  }

  /**
   * The 2.0 request body: request-schema fields only, ids as strings. `includeDeploymentData: true` adds the
   * folder's zip as base64 text (in memory); `"stream"` adds it as `DeploymentData`, zipped while sent.
   */
  toPayload(opts: { isStaging?: boolean; includeDeploymentData?: boolean | "stream" } = {}): ApplicationRequest {
    const wire = this.wireValues();
    const p: Record<string, unknown> = {
      ...wire,
      depends_on: [...this.dependsOn],
      organisation_id: wire.organisation_id ?? null,
      container_registry_profile_id: wire.container_registry_profile_id ?? null,
    };
    if (opts.isStaging) this.overlayStaging(p, (k) => APPLICATION_REQUEST_KEYS.includes(k));
    if (opts.includeDeploymentData) this.addDeploymentData(p, opts.includeDeploymentData === "stream");
    // doover-cli drops empty values except the two ids, which are sent as null.
    for (const [k, v] of Object.entries(p)) {
      if (k === "organisation_id" || k === "container_registry_profile_id") continue;
      if (v === undefined || v === null || (k === "long_description" && v === "")) delete p[k];
    }
    return p as ApplicationRequest;
  }

  /**
   * The PATCH body for an existing app: only the request fields the config file declares (legacy spellings
   * such as `owner_org_id` count for `organisation_id`), those the caller changed since load, `name`, the
   * `stagingConfig` overlay when `isStaging`, and `deployment_data` when asked. A field the file sets to null
   * is sent as null (that clears it); a field the file leaves out is not sent, so a value set in the cloud
   * (e.g. by `doover app migrate`) survives. An app built in code (not loaded from a file) sends every field.
   */
  toPatchPayload(
    opts: { isStaging?: boolean; includeDeploymentData?: boolean | "stream" } = {},
  ): Partial<ApplicationRequest> {
    if (!this.declared) return this.toPayload(opts);
    const wire = this.wireValues();
    const changed = (k: string) => this.loadedWire !== undefined && this.loadedWire[k] !== snap(wire[k]);
    const p: Record<string, unknown> = { name: this.name };
    for (const k of PATCH_KEYS) {
      if (k === "name" || !(this.declared.has(k) || changed(k))) continue;
      const v = wire[k];
      if (v !== undefined) p[k] = v;
      else if (this.nullKeys.has(k) || changed(k)) p[k] = null;
    }
    if (opts.isStaging) this.overlayStaging(p, (k) => PATCH_KEYS.includes(k));
    if (opts.includeDeploymentData) this.addDeploymentData(p, opts.includeDeploymentData === "stream");
    return p as Partial<ApplicationRequest>;
  }

  /** Overlays the `stagingConfig` keys `accept` allows (ids as strings). */
  private overlayStaging(p: Record<string, unknown>, accept: (key: string) => boolean): void {
    for (const [k, v] of Object.entries(this.stagingConfig)) {
      if (!accept(k)) continue;
      p[k] = k === "organisation_id" || k === "container_registry_profile_id" ? (idString(v) ?? null) : v;
    }
  }

  /** `deployment_data`: the deployment folder's zip in base64 (or streamed), when there is a folder. */
  private addDeploymentData(p: Record<string, unknown>, stream: boolean): void {
    if (stream) {
      const data = this.deploymentUpload();
      if (data) p.deployment_data = data;
      return;
    }
    const zip = this.deploymentZip();
    if (zip) p.deployment_data = zip.data.toString("base64");
  }

  /** Records which request fields this config entry spells out (and which it sets to null). */
  private declareFromEntry(entry: Record<string, unknown>): void {
    this.declared = new Set();
    this.nullKeys = new Set();
    for (const [key, value] of Object.entries(entry)) {
      const wire = wireKeyOf(key);
      if (wire === "lambda_arn" || wire === "stars") continue; // cloud-owned: doover-cli never publishes them
      // Legacy spellings that lost to an earlier one (e.g. `owner_org_id: null` next to `organisation_id`)
      // neither declare nor clear anything.
      if (wire !== key && key !== (wire === "organisation_id" ? this.orgKey : this.crpKey)) continue;
      this.declared.add(wire);
      if (value === null) this.nullKeys.add(wire);
    }
    this.loaded = this.snapshot();
    const wire = this.wireValues();
    this.loadedWire = Object.fromEntries(Object.entries(wire).map(([k, v]) => [k, snap(v)]));
  }

  /** Each request field's value as this object's attributes give it (undefined: not set). */
  private wireValues(): Record<string, unknown> {
    return {
      name: this.name,
      display_name: this.displayName,
      description: this.description,
      long_description: this.readLongDescription(),
      type: this.type,
      visibility: this.visibility,
      allow_many: this.allowMany,
      depends_on: this.dependsOn,
      organisation_id: this.organisationId,
      container_registry_profile_id: this.containerRegistryProfileId,
      config_schema: this.configSchema,
      ui_schema: this.uiSchema,
      tag_schema: this.tagSchema,
      notification_schema: this.notificationSchema,
      image_name: this.imageName,
      lambda_arn: this.lambdaArn,
      lambda_config: this.lambdaConfig,
      icon_url: this.iconUrl,
      banner_url: this.bannerUrl,
      repository_url: this.repositoryUrl,
      stars: this.stars,
    };
  }

  /**
   * Write back like doover-cli: re-read the file and update only this app's entry in
   * place (key order, unknown keys, raw numbers and the `long_description` path kept).
   * Only attributes changed since load are written, so an unchanged app saves byte-identical.
   */
  saveToDisk(): void {
    const file = this.configPath ?? (this.basePath ? path.join(this.basePath, CONFIG_FILE_NAME) : undefined);
    if (!file) throw new DooverException(`Application ${this.name} has no configPath or basePath to save to`);
    const doc = readConfigDocumentOrEmpty(file);
    if (doc.root.kind !== "object") throw new DooverException(`${file} does not hold a JSON object`);
    const key = this.entryKey ?? this.name;
    const entry = getMember(doc.root, key);
    if (!entry || entry.kind !== "object") {
      setMember(doc.root, key, fromPlain(this.toConfigEntry()));
    } else {
      this.applyChanges(entry);
    }
    writeConfigDocument(file, doc);
    this.configPath = file;
    this.entryKey = key;
    this.loaded = this.snapshot();
  }

  /** The entry doover-cli would write for a new app (long_description stays a path when it is one). */
  toConfigEntry(): Record<string, unknown> {
    const e: Record<string, unknown> = {
      id: this.id,
      name: this.name,
      display_name: this.displayName,
      type: this.type,
      visibility: this.visibility,
      allow_many: this.allowMany,
      description: this.description,
      long_description: this.longDescriptionPath ?? this.longDescription,
      depends_on: this.dependsOn,
      organisation_id: this.organisationId ?? null,
      image_name: this.imageName,
      build_args: this.buildArgs,
      container_registry_profile_id: this.containerRegistryProfileId ?? null,
      repo_branch: this.repoBranch,
      config_schema: this.configSchema,
      ui_schema: this.uiSchema,
      tag_schema: this.tagSchema,
      notification_schema: this.notificationSchema,
      lambda_arn: this.lambdaArn,
      lambda_config: this.lambdaConfig,
      icon_url: this.iconUrl,
      banner_url: this.bannerUrl,
      staging_config: this.stagingConfig,
    };
    if (this.deploymentFolder !== "deployment") e.deployment_folder = this.deploymentFolder;
    for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
    return e;
  }

  private readLongDescription(): string {
    if (this.longDescriptionPath && this.basePath) {
      const f = path.resolve(this.basePath, this.longDescriptionPath);
      if (fs.existsSync(f)) return fs.readFileSync(f, "utf8");
    }
    return this.longDescription;
  }

  private idValues(): Record<(typeof TRACKED_IDS)[number], string | undefined> {
    return {
      id: this.id,
      organisationId: this.organisationId,
      containerRegistryProfileId: this.containerRegistryProfileId,
      stagingId: idString(this.stagingConfig.id),
    };
  }

  private snapshot(): Snapshot {
    const s: Snapshot = {};
    for (const [attr] of TRACKED) s[attr] = JSON.stringify(this[attr]) ?? "undefined";
    for (const [k, v] of Object.entries(this.idValues())) s[k] = JSON.stringify(v) ?? "undefined";
    return s;
  }

  private applyChanges(entry: JsonObjectNode): void {
    const now = this.snapshot();
    const changed = (k: string) => (this.loaded ? this.loaded[k] !== now[k] : now[k] !== "undefined");
    for (const [attr, configKey] of TRACKED) {
      if (changed(attr)) setMember(entry, configKey, fromPlain(this[attr]));
    }
    const ids = this.idValues();
    if (changed("id")) setIdMember(entry, "id", ids.id);
    if (changed("organisationId")) setIdMember(entry, this.orgKey, ids.organisationId);
    if (changed("containerRegistryProfileId")) setIdMember(entry, this.crpKey, ids.containerRegistryProfileId);
    if (changed("stagingId")) {
      let sc = getMember(entry, "staging_config");
      if (!sc || sc.kind !== "object") {
        sc = { kind: "object", members: [] };
        setMember(entry, "staging_config", sc);
      }
      setIdMember(sc, "id", ids.stagingId);
    }
  }
}
