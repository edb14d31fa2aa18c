// Public surface of the Doover 2.0 Control API client.

import "./node-version"; // first: on an old Node.js, one line that says so (node-version.ts)

export type {
  AppInstallData,
  AppInstallListQuery,
  AppInstallRequest,
  DeploymentStatus,
  InstallDeploymentData,
  InstallSynced,
} from "./app-install-types";
export { FINAL_DEPLOYMENT_STATUSES } from "./app-install-types";
export { AppInstallsApi, installUpsertSignals } from "./app-installs-api";
export type { ApplicationInit } from "./application";
export { Application, idString } from "./application";
export type { ApplicationListQuery } from "./applications-api";
export { ApplicationsApi, applicationUpsertSignals } from "./applications-api";
export type { CreateTunnelArgs, InstallApplicationArgs } from "./client";
export { Client } from "./client";
export type { ConfigProfileData, ConfigProfileListQuery, ConfigProfileRequest } from "./config-profiles-api";
export { ConfigProfilesApi } from "./config-profiles-api";
export type { ConfigSchemaProblem, ConfigSchemaReport } from "./config-schema";
// ./config-schema loads ajv (~100 ms) on the first check, not with the package.
export { checkConfigSchema, formatSchemaProblem, validateConfigSchema } from "./config-schema";
export {
  CreateAnswer,
  type CreateOnceOptions,
  type CreateOutcome,
  createOnce,
  isAmbiguousFailure,
  predatesBy,
  type UpsertEvidence,
  type UpsertSignals,
} from "./create-once";
export type { ResolvedCredentials } from "./credentials";
export {
  PRODUCTION_API_URL,
  parseDooverConfig,
  parseTokenExpires,
  resolveCredentials,
  STAGING_API_URL,
} from "./credentials";
export type { DeploymentConfigProblem } from "./deployment-config";
export { validateDeploymentConfig } from "./deployment-config";
export type { DeploymentFolderSummary } from "./deployment-folder";
export {
  DEPLOYMENT_FOLDER_MAX_BYTES,
  DeploymentData,
  DeploymentFolderLinkError,
  DeploymentFolderTooLarge,
  deploymentDataOf,
  deploymentUpload,
  hashDeploymentFolder,
} from "./deployment-folder";
export {
  type DeploymentFile,
  deploymentZip,
  deploymentZipChunks,
  listDeploymentFiles,
  readZip,
  scanDeploymentFolder,
} from "./deployment-zip";
export type { DeviceData, DeviceListQuery, DeviceRequest, DeviceTypeRefData } from "./devices-api";
export { AmbiguousDeviceName, DevicesApi } from "./devices-api";
export {
  ApiUnreachable,
  BadRequest,
  Conflict,
  CredentialsError,
  DooverApiError,
  DooverException,
  DooverValidationError,
  errorFromResponse,
  Forbidden,
  HTTPException,
  NetworkError,
  NotFound,
  NotSupported,
  parseRetryAfter,
  RateLimited,
  RequestTimeout,
  redactUrl,
  ServerError,
  TokenRefreshError,
  Unauthorized,
} from "./errors";
export type { GroupData, GroupListQuery, GroupNode, GroupRefData, GroupRequest } from "./groups-api";
export { buildTree as buildGroupTree, GroupsApi } from "./groups-api";
export {
  assertSendableBody,
  codePointLength,
  type JsonProblem,
  jsonProblem,
  MAX_JSON_DEPTH,
  textProblem,
} from "./json-limits";
export type { JsonDocument, JsonNode } from "./lossless-json";
export { parseDocument, parseLossless, stringifyDocument, toPlain } from "./lossless-json";
export { formatJson, formatReport } from "./probe/format";
export type { ProbeOptions } from "./probe/probe";
export type { Cleaned, Leftover, ProbeReport, ProbeRow, Verdict } from "./probe/report";
export { EXIT_CODES as PROBE_EXIT_CODES } from "./probe/report";
export {
  DEFAULT_AUTH_CLIENT_ID,
  PRODUCTION_AUTH_SERVER_URL,
  ProfileSession,
  STAGING_AUTH_SERVER_URL,
} from "./profile-session";
export type { LimiterStats, RequestLimiterOptions, SlotOutcome } from "./request-limiter";
export { limiterFor, RequestLimiter, resetLimiters } from "./request-limiter";
export type { RequestOptions, RestClientOptions, RestEvent } from "./rest-client";
export { DEFAULT_RETRY_BUDGET_MS, DEFAULT_TIMEOUT_MS, type FallbackCredential, RestClient } from "./rest-client";
export { staticTokenProvider, type TokenProvider } from "./token-provider";
export { TunnelsApi } from "./tunnels-api";
export type {
  ApplicationData,
  ApplicationRequest,
  ApplicationTypeCode,
  ApplicationTypeInput,
  ApplicationTypeName,
  ClientOptions,
  Page,
  SlimConfigProfileData,
  TunnelData,
  TunnelProtocol,
  TunnelRequest,
  VisibilityCode,
  VisibilityInput,
  VisibilityName,
} from "./types";
export { APPLICATION_REQUEST_KEYS, Type, Visibility } from "./types";
export { VERSION } from "./version";
