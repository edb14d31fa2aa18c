// DooverTunnel inputs ↔ Doover 2.0 wire fields, and its `check`.

import { isIP } from "node:net";
import type { TunnelData } from "../../sdk";
import { checkAdopt } from "../adopt";
import { claimName, resourceNameOf } from "../check-names";
import {
  type CheckFailure,
  checkBoolean,
  checkIdNumber,
  checkInteger,
  checkString,
  Failures,
  forEngine,
  isUnknown,
  pickKnownKeys,
  show,
} from "../inputs";

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
  if (!checkIdNumber(f, inputs, "deviceId")) {
    checkString(f, inputs, "deviceId", {
      required: true,
      pattern: /^\d+$/,
      patternText: "must be a device id (digits)",
    });
  }
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
  const empty = "set null (or omit it) for none";
  checkString(f, inputs, "username", { nullable: true, max: 200, emptyText: empty });
  checkString(f, inputs, "password", { nullable: true, max: 200, emptyText: empty });
  for (const key of ["ipRestricted", "isFavourite", "disableTlsVerification", "active"]) checkBoolean(f, inputs, key);
  checkBoolean(f, inputs, "staging", false);
  checkAdopt(f, inputs);
  checkIpWhitelist(f, inputs);
  const resource = resourceNameOf(news);
  const scope = `tunnel ${inputs.staging === true ? "staging" : "main"} ${String(inputs.deviceId)}`;
  const other = isUnknown(inputs.deviceId) ? undefined : claimName(scope, inputs.name, resource);
  if (other !== undefined) {
    f.add(
      "name",
      `DooverTunnel "${resource}" and DooverTunnel "${other}" both have the tunnel name "${String(inputs.name)}" ` +
        `on device ${String(inputs.deviceId)}; names are unique per device, so the second create would fail at ` +
        "`pulumi up`. Give one of them another `name`.",
    );
  }
  return { inputs, failures: forEngine(f.list, news) };
}

/** Each entry an IPv4/IPv6 address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
function checkIpWhitelist(f: Failures, inputs: Record<string, unknown>): void {
  const wl = inputs.ipWhitelist;
  if (wl === null) delete inputs.ipWhitelist;
  if (wl === null || wl === undefined || (isUnknown(wl) && !Array.isArray(wl))) return;
  if (!Array.isArray(wl)) {
    f.add("ipWhitelist", `ipWhitelist must be a list of IP addresses or CIDR ranges (got ${show(wl)})`);
    return;
  }
  wl.forEach((x, i) => {
    if (isUnknown(x) || isAddressOrRange(x)) return;
    f.add(
      `ipWhitelist[${i}]`,
      `ipWhitelist[${i}] = ${show(x)} is not an IPv4/IPv6 address or CIDR range (e.g. "203.0.113.7", ` +
        '"10.0.0.0/8", "2001:db8::/32")',
    );
  });
}

export function isAddressOrRange(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const [address, prefix, extra] = v.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
