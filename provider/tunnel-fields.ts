// DooverTunnel inputs ↔ Doover 2.0 wire fields, and its `check`.

import type { TunnelData } from "../sdk";
import {
  Failures,
  checkBoolean,
  checkInteger,
  checkString,
  isUnknown,
  pickKnownKeys,
  type CheckFailure,
} from "./inputs";

export const TUNNEL_INPUT_KEYS = [
  "deviceId",
  "hostname",
  "port",
  "protocol",
  "name",
  "timeout",
  "ipRestricted",
  "ipWhitelist",
  "isFavourite",
  "username",
  "password",
  "disableTlsVerification",
  "active",
  "staging",
  "adopt",
] as const;

export const TUNNEL_OUTPUT_KEYS = ["tunnelId", "endpoint", "endpointId", "isActive"] as const;

export const TUNNEL_DIFF_KEYS = TUNNEL_INPUT_KEYS.filter((k) => k !== "adopt");

/** The API cannot move a tunnel to another device or change its protocol; staging is another API. */
export const TUNNEL_REPLACE_KEYS = ["deviceId", "protocol", "staging"];

export const TUNNEL_FIELDS: readonly { input: string; wire: keyof TunnelData & string }[] = [
  { input: "name", wire: "name" },
  { input: "hostname", wire: "hostname" },
  { input: "port", wire: "port" },
  { input: "protocol", wire: "protocol" },
  { input: "timeout", wire: "timeout" },
  { input: "ipRestricted", wire: "ip_restricted" },
  { input: "ipWhitelist", wire: "ip_whitelist" },
  { input: "isFavourite", wire: "is_favourite" },
  { input: "username", wire: "username" },
  { input: "password", wire: "password" },
  { input: "disableTlsVerification", wire: "disable_tls_verification" },
];

export const TUNNEL_NULLABLE_WIRE = ["username", "password"];

export const PROTOCOLS = ["tcp", "rtsp", "http", "https"];

/** Declared fields as a wire body (no device: it is in the path). */
export function tunnelPayload(inputs: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of TUNNEL_FIELDS) if (inputs[f.input] !== undefined) body[f.wire] = inputs[f.input];
  return body;
}

export function tunnelComputed(live: TunnelData): Record<string, unknown> {
  return {
    tunnelId: String(live.id),
    endpoint: live.endpoint ?? "",
    endpointId: live.endpoint_id ?? "",
    isActive: live.is_active === true,
  };
}

export function checkTunnel(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const f = new Failures();
  const inputs = pickKnownKeys(f, news, TUNNEL_INPUT_KEYS);
  const device = inputs.deviceId;
  if (typeof device === "number" && Number.isSafeInteger(device)) inputs.deviceId = String(device);
  checkString(f, inputs, "deviceId", { required: true, pattern: /^\d+$/, patternText: "must be a device id (digits)" });
  checkString(f, inputs, "hostname", { required: true, max: 200 });
  checkString(f, inputs, "name", { required: true, max: 200 });
  checkInteger(f, inputs, "port", { required: true, min: 1, max: 65535 });
  checkInteger(f, inputs, "timeout", { min: 1, max: 2147483647 });
  const protocol = inputs.protocol;
  if (typeof protocol === "string" && !isUnknown(protocol)) inputs.protocol = protocol.toLowerCase();
  if (protocol === undefined || protocol === null) f.add("protocol", "protocol is required");
  else if (!isUnknown(protocol) && !PROTOCOLS.includes(String(inputs.protocol))) {
    f.add("protocol", `protocol must be one of ${PROTOCOLS.join(", ")} (got ${JSON.stringify(protocol)})`);
  }
  checkString(f, inputs, "username", { nullable: true, max: 200 });
  checkString(f, inputs, "password", { nullable: true, max: 200 });
  for (const key of ["ipRestricted", "isFavourite", "disableTlsVerification", "active"]) checkBoolean(f, inputs, key);
  checkBoolean(f, inputs, "staging", false);
  checkBoolean(f, inputs, "adopt", false);
  const wl = inputs.ipWhitelist;
  if (wl === null) delete inputs.ipWhitelist;
  else if (wl !== undefined && !isUnknown(wl)) {
    if (!Array.isArray(wl) || wl.some((x) => typeof x !== "string" || x === "")) {
      f.add("ipWhitelist", "ipWhitelist must be a list of IP addresses or CIDR ranges");
    }
  }
  return { inputs, failures: f.list };
}
