// Request schemas transcribed from control-api.yaml (ApplicationSerializerDetailRequest,
// TunnelSerializerDetailRequest; the Patched* variants are the same with nothing required).

import type { BodySchema, FieldSpec } from "./validation";

const INT32 = { minimum: -2147483648, maximum: 2147483647 };

export const APPLICATION_TYPES = ["DEV", "PRO", "TAS", "INT", "REP"] as const;
export const APPLICATION_VISIBILITIES = ["COR", "PUB", "PRI", "INT"] as const;
export const TUNNEL_PROTOCOLS = ["tcp", "rtsp", "http", "https"] as const;

const applicationFields: Record<string, FieldSpec> = {
  name: {
    type: "string",
    minLength: 1,
    maxLength: 100,
    pattern: /^[0-9a-z_]*$/,
    patternMessage: "Enter a valid value: only lowercase letters, digits and underscores (^[0-9a-z_]*$).",
  },
  display_name: { type: "string", minLength: 1, maxLength: 100 },
  description: { type: "string", minLength: 1 },
  long_description: { type: "string", minLength: 1 },
  type: { type: "string", enum: APPLICATION_TYPES },
  visibility: { type: "string", enum: APPLICATION_VISIBILITIES },
  allow_many: { type: "boolean" },
  config_schema: { type: "any" },
  ui_schema: { type: "any" },
  tag_schema: { type: "any" },
  notification_schema: { type: "any" },
  depends_on: { type: "array", items: { type: "string", minLength: 1 } },
  organisation_id: { type: "id", minLength: 1, nullable: true },
  stars: { type: "integer", ...INT32 },
  container_registry_profile_id: { type: "id", minLength: 1, nullable: true },
  deployment_data: { type: "string", nullable: true },
  image_name: { type: "string", nullable: true, maxLength: 255 },
  lambda_arn: { type: "string", nullable: true, maxLength: 255 },
  lambda_config: { type: "any" },
  icon_url: { type: "string", nullable: true, maxLength: 500 },
  banner_url: { type: "string", nullable: true, maxLength: 500 },
  repository_url: {
    type: "string",
    nullable: true,
    maxLength: 500,
    format: "uri",
  },
};

export const applicationRequest: BodySchema = {
  fields: applicationFields,
  required: [
    "container_registry_profile_id",
    "depends_on",
    "description",
    "display_name",
    "name",
    "organisation_id",
    "type",
    "visibility",
  ],
};

const tunnelFields: Record<string, FieldSpec> = {
  name: { type: "string", minLength: 1, maxLength: 200 },
  device_id: { type: "id", minLength: 1 },
  hostname: { type: "string", minLength: 1, maxLength: 200 },
  port: { type: "integer", ...INT32 },
  protocol: {
    type: "string",
    enum: TUNNEL_PROTOCOLS,
    minLength: 1,
    maxLength: 200,
  },
  username: { type: "string", nullable: true, maxLength: 200 },
  password: { type: "string", nullable: true, maxLength: 200 },
  timeout: { type: "integer", ...INT32 },
  ip_restricted: { type: "boolean" },
  disable_tls_verification: { type: "boolean" },
  ip_whitelist: { type: "any" },
  is_favourite: { type: "boolean" },
};

export const tunnelRequest: BodySchema = {
  fields: tunnelFields,
  required: ["hostname", "name", "port", "protocol"],
};
