// Public surface of the Doover 2.0 Control API client.
export {
  DooverException,
  HTTPException,
  DooverApiError,
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  RateLimited,
  ServerError,
  NetworkError,
  RequestTimeout,
  CredentialsError,
  NotSupported,
  errorFromResponse,
  parseRetryAfter,
  redactUrl,
} from "./errors";
export { Type, Visibility, APPLICATION_REQUEST_KEYS } from "./types";
export type { ApplicationData, ApplicationRequest, TunnelData, TunnelRequest, ClientOptions, Page } from "./types";
export type {
  ApplicationTypeCode,
  ApplicationTypeName,
  ApplicationTypeInput,
  VisibilityCode,
  VisibilityName,
  VisibilityInput,
  TunnelProtocol,
} from "./types";
export { Client } from "./client";
export type { CreateTunnelArgs, InstallApplicationArgs } from "./client";
export { AppInstallsApi } from "./app-installs-api";
export { FINAL_DEPLOYMENT_STATUSES } from "./app-install-types";
export type {
  AppInstallData,
  AppInstallListQuery,
  AppInstallRequest,
  InstallDeploymentData,
  DeploymentStatus,
  InstallSynced,
} from "./app-install-types";
export { validateDeploymentConfig } from "./deployment-config";
export type { DeploymentConfigProblem } from "./deployment-config";
export { ApplicationsApi } from "./applications-api";
export type { ApplicationListQuery } from "./applications-api";
export { TunnelsApi } from "./tunnels-api";
export { RestClient } from "./rest-client";
export type { RestClientOptions, RequestOptions } from "./rest-client";
export { Application, idString } from "./application";
export type { ApplicationInit } from "./application";
export { deploymentZip, deploymentZipChunks, listDeploymentFiles, readZip } from "./deployment-zip";
export {
  DEPLOYMENT_FOLDER_MAX_BYTES,
  DeploymentData,
  DeploymentFolderTooLarge,
  deploymentUpload,
  hashDeploymentFolder,
} from "./deployment-folder";
export type { DeploymentFolderSummary } from "./deployment-folder";
// ./config-schema loads ajv (~100 ms) on the first check, not with the package.
export { validateConfigSchema, checkConfigSchema, formatSchemaProblem } from "./config-schema";
export type { ConfigSchemaProblem, ConfigSchemaReport } from "./config-schema";
export {
  resolveCredentials,
  parseDooverConfig,
  parseTokenExpires,
  PRODUCTION_API_URL,
  STAGING_API_URL,
} from "./credentials";
export type { ResolvedCredentials } from "./credentials";
export { parseLossless, parseDocument, stringifyDocument, toPlain } from "./lossless-json";
export type { JsonDocument, JsonNode } from "./lossless-json";
export { VERSION } from "./version";
export { createOnce, isAmbiguousFailure, type CreateOutcome, type CreateOnceOptions } from "./create-once";
export { RequestLimiter, limiterFor, resetLimiters } from "./request-limiter";
export type { RequestLimiterOptions, LimiterStats, SlotOutcome } from "./request-limiter";
export { DEFAULT_RETRY_BUDGET_MS, DEFAULT_TIMEOUT_MS, type FallbackCredential } from "./rest-client";
