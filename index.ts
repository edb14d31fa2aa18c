// Public entry of pulumi-doover: the Doover Cloud API client (sdk/) and the
// Pulumi dynamic resources built on it (provider/).

export * from "./provider";
export * from "./sdk";
