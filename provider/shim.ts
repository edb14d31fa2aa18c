// The provider code Pulumi stores in state (`__provider`) for every Doover resource, and runs on refresh and
// destroy. It only loads the real implementation from the installed package at run time, so the text is tiny
// and the same for every version of this package and of @pulumi/pulumi: upgrading either changes no resource.
//
// The text is written here by hand rather than produced by Pulumi's closure serializer (what
// `pulumi.dynamic.Resource` does): the serializer wraps each of the 8 functions in ~190 bytes of scaffolding,
// its output depends on the @pulumi/pulumi version, and state holds the text twice per resource (inputs and
// outputs, JSON-escaped): 2.2 KB became 5.2 KB per resource, most of a resource's state. This is ~0.5 KB.
//
// It is a CommonJS module whose `handler()` returns the provider, as the Pulumi host expects
// (require-from-string). That gives the code no file name, so a plain `require("pulumi-doover")` from it
// cannot find the package; `createRequire(<cwd>/)` resolves like a file in the program directory (the host's
// cwd): node_modules/pulumi-doover, or the package itself by its own name. Without the package there (a fresh
// clone before `npm install`), the loader says what to run instead of "Cannot find module".
// The runtime is looked up once per provider (the host calls `handler()` once per text), not per call:
// resolving a package costs ~0.15 ms of stat/realpath calls, 30 ms of CPU over a refresh of 200 resources.
// Texts stored by 0.2.0 resolve on every call; they keep working as they are (tests/provider-serialization).

import type * as pulumi from "@pulumi/pulumi";

/** The `__provider` text of one resource kind (a key of `pulumi-doover/provider-runtime`). */
export function providerText(kind: "applications" | "tunnels" | "appInstalls" | "rollouts"): string {
  return (
    `exports.handler=()=>{let r;const c=async(m,a)=>{if(!r)try{r=require("module").createRequire(process.cwd()+"/")` +
    `("pulumi-doover/provider-runtime")}catch(e){throw/'pulumi-doover\\//.test(e.message)?Error("Run \`npm install\` in "` +
    `+process.cwd()+": this stack's resources need the pulumi-doover package there"):e}return r.${kind}[m](...a)};` +
    `const p={};for(const m of["configure","check","diff","create","read","update","delete"])p[m]=(...a)=>c(m,a);` +
    `return p}`
  );
}

/** `__provider` of every DooverApplication. */
export const APPLICATION_PROVIDER = providerText("applications");

/** `__provider` of every DooverTunnel. */
export const TUNNEL_PROVIDER = providerText("tunnels");

/** The provider a stored text gives the Pulumi host (`handler()`), for running it in-process (tests). */
export function providerFromText(text: string): pulumi.dynamic.ResourceProvider {
  const mod = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
  new Function("exports", "require", "module", text)(mod.exports, require, mod);
  return mod.exports.handler!();
}

/** The provider every DooverApplication's stored text gives. */
export const applicationShim = providerFromText(APPLICATION_PROVIDER);

/** The provider every DooverTunnel's stored text gives. */
export const tunnelShim = providerFromText(TUNNEL_PROVIDER);

/** `__provider` of every DooverAppInstall. */
export const APP_INSTALL_PROVIDER = providerText("appInstalls");

/** The provider every DooverAppInstall's stored text gives. */
export const appInstallShim = providerFromText(APP_INSTALL_PROVIDER);

/** `__provider` of every DooverRollout. */
export const ROLLOUT_PROVIDER = providerText("rollouts");

/** The provider every DooverRollout's stored text gives. */
export const rolloutShim = providerFromText(ROLLOUT_PROVIDER);
