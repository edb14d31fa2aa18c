// DooverApplication: a Doover 2.0 application as a Pulumi dynamic resource.

import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Application, Visibility } from "../sdk";
import { APPLICATION_INPUT_KEYS, APPLICATION_OUTPUT_KEYS, STAGING_CONFIG_KEYS } from "./application-fields";
import { isPlainObject } from "./inputs";
import { declaredProps, defineUnsetOutputs } from "./resource-props";
import { APPLICATION_PROVIDER } from "./shim";

/** Arguments of a {@link DooverApplication}. Names follow the API's fields, in camelCase. */
export interface DooverApplicationArgs {
  /** Globally unique application name (`^[0-9a-z_]*$`, ≤100). Defaults to the Pulumi resource name. */
  name?: pulumi.Input<string>;
  /** Public display name (≤100). */
  displayName: pulumi.Input<string>;
  /** `DEV` (device), `PRO` (processor), `TAS` (task), `INT` (integration) or `REP` (report); names accepted too. */
  type: pulumi.Input<string>;
  /** `COR`, `PUB`, `PRI` (default) or `INT`; names (`"private"`) accepted too. */
  visibility?: pulumi.Input<string>;
  /** Allow several installs on one device (default false). */
  allowMany?: pulumi.Input<boolean>;
  /** Short description (required by the API, non-empty). */
  description: pulumi.Input<string>;
  /** Long description in markdown. */
  longDescription?: pulumi.Input<string>;
  /** A file (e.g. README.md) whose text is the long description; relative to the program directory. */
  longDescriptionFile?: pulumi.Input<string>;
  /** Names of applications this one depends on. */
  dependsOn?: pulumi.Input<pulumi.Input<string>[]>;
  /** Owning organisation; defaults to `doover:organisationId`. Changing it replaces the application. */
  organisationId?: pulumi.Input<string>;
  /** Container registry profile (device apps). */
  containerRegistryProfileId?: pulumi.Input<string | null>;
  /** Container image, e.g. `spaneng/riverpump:latest`. */
  imageName?: pulumi.Input<string | null>;
  /** Lambda options for processors/integrations. */
  lambdaConfig?: pulumi.Input<Record<string, unknown>>;
  /** Config schema (JSON Schema 2020-12 with Doover keywords); checked before anything is sent. */
  configSchema?: pulumi.Input<Record<string, unknown>>;
  /** UI schema. */
  uiSchema?: pulumi.Input<Record<string, unknown>>;
  iconUrl?: pulumi.Input<string | null>;
  bannerUrl?: pulumi.Input<string | null>;
  repositoryUrl?: pulumi.Input<string | null>;
  /**
   * Wire fields (snake_case) overlaid when the app goes to staging; `id` names an existing staging app.
   * Not secret by default: if it holds secrets, pass it (or a value in it) through `pulumi.secret`, and the
   * whole `stagingConfig` stays secret in state.
   */
  stagingConfig?: pulumi.Input<Record<string, unknown>>;
  /** Folder zipped into `deployment_data`; diffed by `deploymentHash` (its files), never stored in state. */
  deploymentFolder?: pulumi.Input<string>;
  /** Send this app to the staging API (with `stagingConfig` overlaid) whatever the stack. Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /** Take over an existing application with the same name instead of failing (the way to "import"). */
  adopt?: pulumi.Input<boolean>;
}

/**
 * A [DooverApplication] is a Doover 2.0 application. `pulumi destroy` archives it; a later `pulumi up` of
 * the same name unarchives it (same id). Credentials come from stack config (`doover:token`), never inputs.
 */
export class DooverApplication extends pulumi.CustomResource {
  /** The application id (snowflake, as a string). */
  declare readonly applicationId: pulumi.Output<string>;
  declare readonly archived: pulumi.Output<boolean>;
  /** The owning organisation as the API reports it. */
  declare readonly organisation: pulumi.Output<{ id: string; name: string } | null>;
  /** sha256 (hex) of the deployment files (paths + bytes, not the zip bytes); null/undefined without a folder. */
  declare readonly deploymentHash: pulumi.Output<string | null | undefined>;
  declare readonly approxInstalls: pulumi.Output<number>;
  declare readonly name: pulumi.Output<string>;
  declare readonly displayName: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly visibility: pulumi.Output<string>;
  declare readonly allowMany: pulumi.Output<boolean>;
  declare readonly description: pulumi.Output<string>;
  declare readonly longDescription: pulumi.Output<string | undefined>;
  declare readonly longDescriptionFile: pulumi.Output<string | undefined>;
  declare readonly dependsOn: pulumi.Output<string[]>;
  declare readonly organisationId: pulumi.Output<string | undefined>;
  declare readonly containerRegistryProfileId: pulumi.Output<string | null | undefined>;
  declare readonly imageName: pulumi.Output<string | null | undefined>;
  declare readonly lambdaConfig: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly configSchema: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly uiSchema: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly iconUrl: pulumi.Output<string | null | undefined>;
  declare readonly bannerUrl: pulumi.Output<string | null | undefined>;
  declare readonly repositoryUrl: pulumi.Output<string | null | undefined>;
  declare readonly stagingConfig: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly deploymentFolder: pulumi.Output<string | undefined>;
  declare readonly staging: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;

  constructor(name: string, args: DooverApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    const computed = { applicationId: undefined, organisation: undefined, approxInstalls: undefined };
    const props = declaredProps(args, { name: args.name ?? name, ...computed });
    // Check derives these from a file/folder the program set.
    if (args.longDescriptionFile !== undefined && !("longDescription" in props)) props.longDescription = undefined;
    if (args.deploymentFolder !== undefined) props.deploymentHash = undefined;
    props.__provider = APPLICATION_PROVIDER; // what pulumi.dynamic.Resource stores, but ~0.5 KB (see shim.ts)
    super("pulumi-nodejs:dynamic/doover:Application", name, props, opts);
  }

  /**
   * A DooverApplication from one entry of a `doover_config.json` (as doover-cli reads it). The long
   * description file and deployment folder are resolved relative to the config file; `overrides` win.
   */
  static fromConfig(
    name: string,
    configFile: string,
    appName?: string,
    opts?: pulumi.CustomResourceOptions,
    overrides?: Partial<DooverApplicationArgs>,
  ): DooverApplication {
    return new DooverApplication(name, { ...applicationArgsFromConfig(configFile, appName), ...overrides }, opts);
  }
}

// Unset inputs resolve to check's defaults; `archived` is always false in state (read drops an archived app).
const APPLICATION_DEFAULTS: Record<string, () => unknown> = {
  visibility: () => Visibility.private,
  allowMany: () => false,
  dependsOn: () => [],
  staging: () => false,
  adopt: () => false,
  archived: () => false,
};
defineUnsetOutputs(
  DooverApplication,
  Object.fromEntries(
    [...APPLICATION_INPUT_KEYS, ...APPLICATION_OUTPUT_KEYS]
      .filter((k) => !["name", "organisation", "approxInstalls", "applicationId"].includes(k))
      .map((k) => [k, APPLICATION_DEFAULTS[k] ?? (() => undefined)]),
  ),
);

/** The arguments `fromConfig` uses: plain values, paths relative to the current directory. */
export function applicationArgsFromConfig(configFile: string, appName?: string): DooverApplicationArgs {
  const apps = Application.loadConfigFile(configFile);
  const app = appName === undefined ? (apps.length === 1 ? apps[0] : undefined) : apps.find((a) => a.name === appName);
  if (!app) {
    const names = apps.map((a) => a.name).join(", ") || "none";
    throw new Error(
      appName === undefined
        ? `${configFile} holds ${apps.length} applications (${names}); pass appName`
        : `${configFile} has no application "${appName}" (found: ${names})`,
    );
  }
  const base = app.basePath ?? path.dirname(path.resolve(configFile));
  const rel = (p: string) => path.relative(process.cwd(), path.resolve(base, p)) || ".";
  const raw = app.raw;
  const args: DooverApplicationArgs = {
    name: app.name,
    displayName: app.displayName,
    type: app.type as string,
    description: app.description,
    allowMany: app.allowMany,
    dependsOn: app.dependsOn,
  };
  if (app.visibility) args.visibility = app.visibility;
  if (app.longDescriptionPath) args.longDescriptionFile = rel(app.longDescriptionPath);
  else if (app.longDescription) args.longDescription = app.longDescription;
  if (app.organisationId) args.organisationId = String(app.organisationId);
  if (app.containerRegistryProfileId) args.containerRegistryProfileId = String(app.containerRegistryProfileId);
  if (app.imageName) args.imageName = app.imageName;
  if (isPlainObject(app.configSchema) && Object.keys(app.configSchema).length > 0) args.configSchema = app.configSchema;
  if (isPlainObject(app.uiSchema) && Object.keys(app.uiSchema).length > 0) args.uiSchema = app.uiSchema;
  if (isPlainObject(raw.lambda_config)) args.lambdaConfig = raw.lambda_config;
  for (const [key, wire] of [
    ["iconUrl", "icon_url"],
    ["bannerUrl", "banner_url"],
    ["repositoryUrl", "repository_url"],
  ] as const) {
    if (typeof raw[wire] === "string" && raw[wire] !== "") args[key] = raw[wire] as string;
  }
  // Only request-schema keys (and `id`) are meaningful; real files also carry legacy `key`/`*_key` fields.
  const staging: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(app.stagingConfig ?? {})) {
    if (STAGING_CONFIG_KEYS.includes(k) && v !== null && v !== undefined)
      staging[k] = k === "id" || k.endsWith("_id") ? String(v) : v;
  }
  if (Object.keys(staging).length > 0) args.stagingConfig = staging;
  const folder = path.resolve(base, app.deploymentFolder || "deployment");
  if (fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) args.deploymentFolder = rel(folder);
  return args;
}
