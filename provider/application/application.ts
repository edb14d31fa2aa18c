// DooverApplication: a Doover 2.0 application as a Pulumi dynamic resource.

import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  Application,
  type ApplicationTypeCode,
  type ApplicationTypeInput,
  DooverException,
  Visibility,
  type VisibilityCode,
  type VisibilityInput,
} from "../../sdk";
import { registerAdopt, warnWhileAdopting } from "../adopt-resource";
import { rememberApplicationArgs } from "../app-install/app-install-source";
import { RESOURCE_NAME_KEY, resourceLabel } from "../check-names";
import { isPlainObject } from "../inputs";
import { warnIfNoTokenAtPreview } from "../preview-warnings";
import { rememberInputs } from "../resource-inputs";
import { declaredProps, defineIdOutput, defineUnsetOutputs, pausePromiseStacks } from "../resource-props";
import { APPLICATION_PROVIDER } from "../shim";
import { configSchemaWarnings } from "./application-check";
import {
  APPLICATION_INPUT_KEYS,
  APPLICATION_OUTPUT_KEYS,
  NULLABLE_REQUEST_KEYS,
  STAGING_CONFIG_KEYS,
} from "./application-fields";

/** Text fields a doover_config.json's "" clears (the API stores "" for them; the resource declares null). */
const CLEARED_BY_EMPTY = ["image_name", "icon_url", "banner_url", "repository_url", "lambda_arn"];

/** Arguments of a {@link DooverApplication}. Names follow the API's fields, in camelCase. */
export interface DooverApplicationArgs {
  /**
   * Globally unique application name: lower-case letters, digits and `_` (`^[0-9a-z_]*$`), at most 100
   * characters. Defaults to the Pulumi resource name. Renaming updates the application in place.
   */
  name?: pulumi.Input<string>;
  /** Public display name, 1-100 characters. */
  displayName: pulumi.Input<string>;
  /**
   * `"DEV"` (device), `"PRO"` (processor), `"TAS"` (task), `"INT"` (integration) or `"REP"` (report); the
   * names (`"device"`, …) and the {@link Type} enum are accepted too. Stored as the code.
   */
  type: pulumi.Input<ApplicationTypeInput>;
  /**
   * `"COR"` (core), `"PUB"` (public), `"PRI"` (private, the default) or `"INT"` (internal); the names and the
   * {@link Visibility} enum are accepted too. Stored as the code.
   */
  visibility?: pulumi.Input<VisibilityInput>;
  /** Allow several installs of this app on one device (default false). */
  allowMany?: pulumi.Input<boolean>;
  /** Short description, required and non-empty. */
  description: pulumi.Input<string>;
  /** Long description in markdown (non-empty; omit it instead of ""). Not together with `longDescriptionFile`. */
  longDescription?: pulumi.Input<string>;
  /** A file (e.g. README.md) whose text is the long description; relative to the program directory. */
  longDescriptionFile?: pulumi.Input<string>;
  /** Names of the applications this one depends on. */
  dependsOn?: pulumi.Input<pulumi.Input<string>[]>;
  /** Owning organisation id; defaults to `doover:organisationId`. Changing it replaces the application. */
  organisationId?: pulumi.Input<string>;
  /** Container registry profile id (device apps); null clears it, undefined leaves it unmanaged. */
  containerRegistryProfileId?: pulumi.Input<string | null>;
  /** Container image, e.g. `spaneng/riverpump:latest` (≤255, not ""); null clears it. */
  imageName?: pulumi.Input<string | null>;
  /** Lambda options for processors and integrations (an object); null clears them. */
  lambdaConfig?: pulumi.Input<Record<string, unknown> | null>;
  /**
   * Config schema: JSON Schema 2020-12 with Doover's keywords (`additionalElements`, `x-…`) and formats; it
   * must compile (checked at preview). Unknown formats pass (`format` is an annotation); unknown keywords are
   * shown as warnings. Null clears it.
   */
  configSchema?: pulumi.Input<Record<string, unknown> | null>;
  /** UI schema (an object) for Doover's app UI; null clears it. */
  uiSchema?: pulumi.Input<Record<string, unknown> | null>;
  /** Tag schema (`tag_schema`, an object): the tags the app defines; null clears it. */
  tagSchema?: pulumi.Input<Record<string, unknown> | null>;
  /**
   * Notification schema (`notification_schema`, an object): the notifications the app can send, as doover-cli
   * 0.7.1 publishes it from the app's code; null clears it.
   */
  notificationSchema?: pulumi.Input<Record<string, unknown> | null>;
  /** URL of the app's icon (≤500, not ""); null clears it. */
  iconUrl?: pulumi.Input<string | null>;
  /** URL of the app's banner image (≤500, not ""); null clears it. */
  bannerUrl?: pulumi.Input<string | null>;
  /** Absolute URL of the app's source repository (≤500, not ""); null clears it. */
  repositoryUrl?: pulumi.Input<string | null>;
  /**
   * Wire fields (snake_case, e.g. `display_name`, `image_name`, `config_schema`) overlaid when the app goes to
   * staging; `id` names an existing staging app. Only application fields are accepted: vary app settings per
   * environment through `config_schema` defaults. Not secret by default: if it holds secrets, pass it (or a
   * value in it) through `pulumi.secret`, and the whole `stagingConfig` stays secret in state.
   */
  stagingConfig?: pulumi.Input<Record<string, unknown>>;
  /** Folder zipped into `deployment_data`; diffed by `deploymentHash` (its files), never stored in state. */
  deploymentFolder?: pulumi.Input<string>;
  /** Send this app to the staging API (with `stagingConfig` overlaid) whatever the stack. Replaces on change. */
  staging?: pulumi.Input<boolean>;
  /**
   * Take over the existing application with this name instead of failing: `true` (whichever holds the
   * name), or its id (`"<id>"`: only that application; fails naming both ids when the name holds another).
   * Preview says which application it would take over. Not a standing instruction: remove it once `up`
   * took the application over (while it is set, `pulumi destroy` leaves the application in place). The
   * `import` resource option becomes `adopt: "<id>"`.
   */
  adopt?: pulumi.Input<boolean | string>;
}

/**
 * A [DooverApplication] is a Doover 2.0 application. `pulumi destroy` archives it; a later `pulumi up` of
 * the same name unarchives it (same id). Credentials come from stack config (`doover:token`), never inputs.
 */
export class DooverApplication extends pulumi.CustomResource {
  /** The application id (snowflake, as a string). */
  declare readonly applicationId: pulumi.Output<string>;
  /** Whether the API reports the application archived (false while the resource exists). */
  declare readonly archived: pulumi.Output<boolean>;
  /** The owning organisation as the API reports it. */
  declare readonly organisation: pulumi.Output<{ id: string; name: string } | null>;
  /** sha256 (hex) of the deployment files (paths + bytes, not the zip bytes); null/undefined without a folder. */
  declare readonly deploymentHash: pulumi.Output<string | null | undefined>;
  /** Approximate number of installs, as the API reports it. */
  declare readonly approxInstalls: pulumi.Output<number>;
  /** The application's config profiles, as the API reports them (read-only; made with the SDK or the portal). */
  declare readonly configProfiles: pulumi.Output<
    { id: string; displayName: string; description: string; deploymentConfig: unknown }[]
  >;
  /** The application name. */
  declare readonly name: pulumi.Output<string>;
  /** The display name. */
  declare readonly displayName: pulumi.Output<string>;
  /** The type as its API code (`"DEV"`, `"PRO"`, …), whatever spelling the program used. */
  declare readonly type: pulumi.Output<ApplicationTypeCode>;
  /** The visibility as its API code (`"PRI"` by default). */
  declare readonly visibility: pulumi.Output<VisibilityCode>;
  /** Whether several installs per device are allowed. */
  declare readonly allowMany: pulumi.Output<boolean>;
  /** The short description. */
  declare readonly description: pulumi.Output<string>;
  /** The long description (the file's text when `longDescriptionFile` is set). */
  declare readonly longDescription: pulumi.Output<string | undefined>;
  /** The long description file, as declared. */
  declare readonly longDescriptionFile: pulumi.Output<string | undefined>;
  /** Names of the applications this one depends on. */
  declare readonly dependsOn: pulumi.Output<string[]>;
  /** The declared organisation id (see `organisation` for where the app really is). */
  declare readonly organisationId: pulumi.Output<string | undefined>;
  /** The container registry profile id, when declared. */
  declare readonly containerRegistryProfileId: pulumi.Output<string | null | undefined>;
  /** The container image, when declared. */
  declare readonly imageName: pulumi.Output<string | null | undefined>;
  /** The lambda options, when declared. */
  declare readonly lambdaConfig: pulumi.Output<Record<string, unknown> | null | undefined>;
  /** The config schema, when declared. */
  declare readonly configSchema: pulumi.Output<Record<string, unknown> | null | undefined>;
  /** The UI schema, when declared. */
  declare readonly uiSchema: pulumi.Output<Record<string, unknown> | null | undefined>;
  /** The tag schema, when declared. */
  declare readonly tagSchema: pulumi.Output<Record<string, unknown> | null | undefined>;
  /** The notification schema, when declared. */
  declare readonly notificationSchema: pulumi.Output<Record<string, unknown> | null | undefined>;
  /** The icon URL, when declared. */
  declare readonly iconUrl: pulumi.Output<string | null | undefined>;
  /** The banner URL, when declared. */
  declare readonly bannerUrl: pulumi.Output<string | null | undefined>;
  /** The repository URL, when declared. */
  declare readonly repositoryUrl: pulumi.Output<string | null | undefined>;
  /** The staging overlay, when declared. */
  declare readonly stagingConfig: pulumi.Output<Record<string, unknown> | undefined>;
  /** The deployment folder, as declared (its content is `deploymentHash`). */
  declare readonly deploymentFolder: pulumi.Output<string | undefined>;
  /** Whether this app lives on the staging API. */
  declare readonly staging: pulumi.Output<boolean>;
  /** `adopt` as declared: false, true or the pinned id. */
  declare readonly adopt: pulumi.Output<boolean | string>;
  /** True when `up` took over an application that already existed because of `adopt` (or `import`). */
  declare readonly tookOver: pulumi.Output<boolean>;

  constructor(name: string, args: DooverApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    const computed = { organisation: undefined, approxInstalls: undefined, configProfiles: undefined }; // applicationId is `id`
    const label = resourceLabel(name, opts?.parent && pulumi.resourceName(opts.parent));
    const adopting = registerAdopt("DooverApplication", name, args.adopt, opts);
    opts = adopting.opts;
    const props = declaredProps(args, {
      name: args.name ?? name,
      [RESOURCE_NAME_KEY]: label,
      ...computed,
      ...adopting.props,
    });
    // Check derives these from a file/folder the program set.
    if (args.longDescriptionFile !== undefined && !("longDescription" in props)) props.longDescription = undefined;
    if (args.deploymentFolder !== undefined) props.deploymentHash = undefined;
    props.__provider = APPLICATION_PROVIDER; // what pulumi.dynamic.Resource stores, but ~0.5 KB (see shim.ts)
    const stacks = pausePromiseStacks();
    try {
      super("pulumi-nodejs:dynamic/doover:Application", name, props, opts);
    } catch (e) {
      stacks.restack(e, DooverApplication);
      throw e;
    } finally {
      stacks.resume();
    }
    warnAboutConfigSchema(this, args.configSchema);
    if (adopting.declared) warnWhileAdopting(this, "DooverApplication", "application", this);
    rememberApplicationArgs(this, name, args); // for DooverAppInstall's preview-time config check
    rememberInputs(this, props);
    warnIfNoTokenAtPreview();
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

/**
 * `check` cannot warn through the dynamic provider protocol, so schema warnings (keywords validators ignore)
 * are logged here, against the resource, once the schema is known (preview included).
 */
function warnAboutConfigSchema(resource: pulumi.Resource, schema: DooverApplicationArgs["configSchema"]): void {
  if (schema === undefined) return;
  pulumi.output(schema).apply((s) => {
    for (const w of configSchemaWarnings(s)) void pulumi.log.warn(w, resource);
  });
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
      .filter((k) => !["name", "organisation", "approxInstalls", "configProfiles", "applicationId"].includes(k))
      .map((k) => [k, APPLICATION_DEFAULTS[k] ?? (() => undefined)]),
  ),
);
defineIdOutput(DooverApplication, "applicationId");
defineUnsetOutputs(DooverApplication, { tookOver: () => false }); // registered only with `adopt`/`import`

/** The arguments `fromConfig` uses: plain values, paths relative to the current directory. */
export function applicationArgsFromConfig(configFile: string, appName?: string): DooverApplicationArgs {
  // pulumi.RunError: the CLI prints the message alone, without the program's stack trace.
  const where = path.isAbsolute(configFile) ? "" : ` ("${configFile}" is relative to ${process.cwd()})`;
  const fail = (why: string) => new pulumi.RunError(`DooverApplication.fromConfig: ${why}${where}`);
  let apps: Application[];
  try {
    apps = Application.loadConfigFile(configFile);
  } catch (e) {
    throw DooverException.isInstance(e) ? fail((e as Error).message) : e;
  }
  const app = appName === undefined ? (apps.length === 1 ? apps[0] : undefined) : apps.find((a) => a.name === appName);
  if (!app) {
    const names = apps.map((a) => a.name).join(", ") || "none";
    throw fail(
      appName === undefined
        ? `${path.resolve(configFile)} holds ${apps.length} applications (${names}); pass appName`
        : `${path.resolve(configFile)} has no application "${appName}" (found: ${names})`,
    );
  }
  const base = app.basePath ?? path.dirname(path.resolve(configFile));
  const rel = (p: string) => path.relative(process.cwd(), path.resolve(base, p)) || ".";
  const raw = app.raw;
  const args: DooverApplicationArgs = {
    name: app.name,
    displayName: app.displayName,
    type: app.type as ApplicationTypeInput,
    description: app.description,
    allowMany: app.allowMany,
    dependsOn: app.dependsOn,
  };
  if (app.visibility) args.visibility = app.visibility as VisibilityInput;
  if (app.longDescriptionPath) args.longDescriptionFile = rel(app.longDescriptionPath);
  else if (app.longDescription) args.longDescription = app.longDescription;
  if (app.organisationId) args.organisationId = String(app.organisationId);
  // A field the file sets to null (or, for these text fields, "") clears it in the cloud, as doover-cli
  // publishes it; a field the file leaves out is not managed. See docs/resources.md, "doover_config.json".
  const nulls = app.declaredNulls();
  const clears = (wire: string) => nulls.has(wire) || raw[wire] === "";
  if (app.containerRegistryProfileId) args.containerRegistryProfileId = String(app.containerRegistryProfileId);
  else if (nulls.has("container_registry_profile_id")) args.containerRegistryProfileId = null;
  for (const [key, wire] of [
    ["imageName", "image_name"],
    ["iconUrl", "icon_url"],
    ["bannerUrl", "banner_url"],
    ["repositoryUrl", "repository_url"],
  ] as const) {
    if (typeof raw[wire] === "string" && raw[wire] !== "") args[key] = raw[wire] as string;
    else if (clears(wire)) args[key] = null;
  }
  // JSON fields: an object is declared (an empty {} is a placeholder real files carry: not declared), null clears.
  for (const [key, wire] of [
    ["configSchema", "config_schema"],
    ["uiSchema", "ui_schema"],
    ["tagSchema", "tag_schema"],
    ["notificationSchema", "notification_schema"],
    ["lambdaConfig", "lambda_config"],
  ] as const) {
    const v = raw[wire];
    if (isPlainObject(v) && (key === "lambdaConfig" || Object.keys(v).length > 0)) args[key] = v;
    else if (nulls.has(wire)) args[key] = null;
  }
  // Only request-schema keys (and `id`) are meaningful; real files also carry legacy `key`/`*_key` fields. A null
  // clears a field that takes null; "" clears the nullable text fields; other nulls are left out (not managed).
  const staging: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(app.stagingConfig ?? {})) {
    if (!STAGING_CONFIG_KEYS.includes(k) || v === undefined) continue;
    if (v === null || (v === "" && CLEARED_BY_EMPTY.includes(k))) {
      if (k !== "id" && NULLABLE_REQUEST_KEYS.includes(k)) staging[k] = null;
      continue;
    }
    staging[k] = k === "id" || k.endsWith("_id") ? String(v) : v;
  }
  if (Object.keys(staging).length > 0) args.stagingConfig = staging;
  const folder = path.resolve(base, app.deploymentFolder || "deployment");
  if (fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) args.deploymentFolder = rel(folder);
  return args;
}
