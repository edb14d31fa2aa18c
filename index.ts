// Public entry of pulumi-doover: the Doover Cloud API client (sdk/) and the
// Pulumi dynamic resources built on it (provider/).

import "./sdk/node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

export * from "./provider";
export * from "./sdk";
