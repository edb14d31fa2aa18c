// The provider objects Pulumi serializes into state (`__provider`). Each method only loads the real
// implementation from the installed package at run time, so the stored text is tiny and the same for every
// version of this package: upgrading it changes no resource, and destroy/refresh run the installed code.
//
// require-from-string (used by the Pulumi host) gives the code no file name, so Node's package
// self-reference and a plain `require` from it cannot find `pulumi-doover` when the program is this very
// repository. `createRequire(<cwd>/)` resolves like a file in the program directory (the host's cwd):
// node_modules/pulumi-doover, or the package itself by its own name. Captured values: one string and
// the small loader below, nothing else.

import type * as pulumi from "@pulumi/pulumi";

function shim(kind: string): pulumi.dynamic.ResourceProvider {
  const rt = () => require("module").createRequire(process.cwd() + "/")("pulumi-doover/provider-runtime")[kind];
  return {
    configure: async (r) => rt().configure(r),
    check: async (o, n) => rt().check(o, n),
    diff: async (i, o, n) => rt().diff(i, o, n),
    create: async (n) => rt().create(n),
    read: async (i, p) => rt().read(i, p),
    update: async (i, o, n) => rt().update(i, o, n),
    delete: async (i, p) => rt().delete(i, p),
  };
}

/** The one shared provider object of every DooverApplication (serialized once, cached by identity). */
export const applicationShim = shim("applications");

/** The one shared provider object of every DooverTunnel. */
export const tunnelShim = shim("tunnels");

/** The one shared provider object of every DooverAppInstall. */
export const appInstallShim = shim("appInstalls");
