// Warnings the program itself prints at preview (check runs in the provider, which cannot warn: see
// application.ts). A preview needs no API token (in pull-request CI there is often none, and that is normal),
// but `pulumi up`, refresh and destroy do: a preview that passes while the `up` after it would fail at its
// first create is the surprise this warns about, once per program run.

import * as pulumi from "@pulumi/pulumi";
import { CredentialsError, resolveCredentials } from "../sdk";

const STATE = Symbol.for("pulumi-doover.preview-warnings.v1");
function state(): { tokenChecked: boolean; mocked: boolean } {
  const g = globalThis as unknown as Record<symbol, { tokenChecked: boolean; mocked: boolean } | undefined>;
  return (g[STATE] ??= { tokenChecked: false, mocked: false });
}

/** `pulumi-doover/testing` mocks need no credentials: no warning there. */
export function credentialsNotNeeded(): void {
  state().mocked = true;
}

/**
 * During preview, once per program run: a stack with no Doover API token anywhere (stack config
 * `doover:token`, env DOOVER_API_TOKEN, the ~/.doover/config profile) gets a warning that says where the
 * provider will look and how to set one. Called by every Doover resource constructor.
 */
export function warnIfNoTokenAtPreview(): void {
  const s = state();
  if (s.tokenChecked || s.mocked) return;
  s.tokenChecked = true;
  if (!pulumi.runtime.isDryRun()) return;
  const config = (key: string) => {
    const v = pulumi.runtime.getConfig(`doover:${key}`);
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  try {
    resolveCredentials({
      token: config("token") ?? config("stagingToken"),
      profile: config("profile"),
      tokenSource: "stack config doover:token",
    });
  } catch (e) {
    if (!CredentialsError.isInstance(e)) return;
    const looked = /Looked in: .*?\)\.(?= |$)/.exec((e as Error).message)?.[0] ?? "";
    void pulumi.log.warn(
      "no Doover API token for this stack: this preview needs none, but `pulumi up`, `refresh` and `destroy` " +
        "will fail at the first Doover resource. Set one with `pulumi config set --secret doover:token <token>`, " +
        "or export DOOVER_API_TOKEN=<token>, or log in with doover-cli (`doover login`) so ~/.doover/config has " +
        `a profile (choose one with \`pulumi config set doover:profile <name>\`). ${looked}`,
    );
  }
}
