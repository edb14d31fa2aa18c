// The provider objects Pulumi serializes into state (`__provider`). Each method only loads the real
// implementation from the installed package at run time, so the stored text is tiny and the same for every
// version of this package: upgrading it changes no resource, and destroy/refresh run the installed code.
//
// require-from-string (used by the Pulumi host) gives the code no file name, so Node's package
// self-reference and a plain `require` from it cannot find `pulumi-doover` when the program is this very
// repository. `createRequire(<cwd>/)` resolves like a file in the program directory (the host's cwd):
// node_modules/pulumi-doover, or the package itself by its own name. Captured values: one string and
// the small loader below, nothing else. The stored text is stored twice per resource (inputs and outputs),
// and the serializer wraps every function in ~190 bytes, so there is one loader and seven one-line methods.
//
// Without the package (a fresh clone before `npm install`, or it was removed from package.json), refresh and
// destroy still load this text from state; the loader then says what to install instead of "Cannot find
// module".

import type * as pulumi from "@pulumi/pulumi";

function shim(kind: string): pulumi.dynamic.ResourceProvider {
  const call = async (method: string, args: unknown[]) => {
    let rt;
    try {
      rt = require("module").createRequire(process.cwd() + "/")("pulumi-doover/provider-runtime");
    } catch (e) {
      throw /'pulumi-doover\//.test((e as Error).message)
        ? Error(`Run \`npm install\` in ${process.cwd()}: this stack's resources need the pulumi-doover package there`)
        : e;
    }
    return rt[kind][method](...args);
  };
  return {
    configure: (...a: unknown[]) => call("configure", a),
    check: (...a: unknown[]) => call("check", a),
    diff: (...a: unknown[]) => call("diff", a),
    create: (...a: unknown[]) => call("create", a),
    read: (...a: unknown[]) => call("read", a),
    update: (...a: unknown[]) => call("update", a),
    delete: (...a: unknown[]) => call("delete", a),
  } as pulumi.dynamic.ResourceProvider;
}

/** The one shared provider object of every DooverApplication (serialized once, cached by identity). */
export const applicationShim = shim("applications");

/** The one shared provider object of every DooverTunnel. */
export const tunnelShim = shim("tunnels");
