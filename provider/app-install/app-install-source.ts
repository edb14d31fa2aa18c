// What a DooverAppInstall learns from a DooverApplication of the same program: the application's
// *declared* arguments. Its outputs (applicationId, configSchema) are unknown in the preview of its own
// create or update, but the arguments the program passed are known, so the install's `check` can
// validate deploymentConfig against the schema on the very first preview.

import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA_KEY } from "./app-install-fields";

/** The declared arguments of one application resource (what its constructor received). */
export interface DeclaredApplication {
  resourceName: string;
  args: Record<string, unknown>;
}

// Keyed by the resource object; plain module state, never serialized (the shim does not capture it).
const declared = new WeakMap<object, DeclaredApplication>();

/** Called by DooverApplication's constructor. */
export function rememberApplicationArgs(resource: object, resourceName: string, args: object): void {
  declared.set(resource, { resourceName, args: { ...(args as Record<string, unknown>) } });
}

/** The declared arguments of `resource`, when it is a DooverApplication made in this program. */
export function declaredApplication(resource: unknown): DeclaredApplication | undefined {
  return typeof resource === "object" && resource !== null ? declared.get(resource) : undefined;
}

/**
 * The inputs an install takes from its application (each may be an Output or undefined). On staging (the
 * install's `staging`, or a `doover:staging` stack) the schema is the one the app's `stagingConfig`
 * overlays, as that is what the staging app holds.
 */
export function applicationInputs(
  app: DeclaredApplication,
  installStaging: pulumi.Input<boolean> | undefined,
): Record<string, pulumi.Input<unknown> | undefined> {
  const a = app.args;
  const stackStaging = new pulumi.Config("doover").getBoolean("staging") === true;
  const schema = a.configSchema ?? null;
  const configSchema =
    a.stagingConfig === undefined
      ? schema
      : pulumi
          .all([schema, a.stagingConfig, installStaging ?? false] as pulumi.Input<unknown>[])
          .apply(([base, overlay, staging]) => {
            const staged = overlay as Record<string, unknown> | null | undefined;
            const onStaging = staging === true || stackStaging;
            return onStaging && staged && staged.config_schema !== undefined ? staged.config_schema : base;
          });
  return {
    applicationName: a.name ?? app.resourceName,
    applicationDisplayName: a.displayName,
    applicationStaging: a.staging ?? false,
    [CONFIG_SCHEMA_KEY]: configSchema,
  };
}

/**
 * The application properties of a resource that installs `application` (DooverAppInstall, DooverRollout): a
 * DooverApplication of this program gives its declared arguments; one from another copy of this package its
 * outputs (known after its create); anything else is the application id.
 */
export function applicationProps(
  kind: string,
  name: string,
  application: unknown,
  staging: pulumi.Input<boolean> | undefined,
): Record<string, pulumi.Input<unknown> | undefined> {
  const declared = declaredApplication(application);
  if (declared) {
    const app = application as { applicationId: pulumi.Output<string> };
    return { ...applicationInputs(declared, staging), applicationId: app.applicationId };
  }
  if (pulumi.Resource.isInstance(application)) {
    const app = application as unknown as Record<string, pulumi.Output<unknown>>;
    if (!pulumi.Output.isInstance(app.applicationId)) {
      throw new Error(`${kind} ${name}: \`application\` must be a DooverApplication or an application id`);
    }
    return {
      applicationId: app.applicationId,
      applicationName: app.name,
      [CONFIG_SCHEMA_KEY]: (app.configSchema as pulumi.Output<unknown>).apply((s: unknown) => s ?? null),
    };
  }
  return { applicationId: application as pulumi.Input<string> };
}
