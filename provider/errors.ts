// Errors thrown by the provider runtime. They carry a string `code` brand (like the sdk's errors) because
// the runtime may be loaded twice in one process (once by the program, once through the shim), so
// `instanceof` is unreliable.

/** An error raised by a Doover dynamic resource: a clear message, never containing a token. */
export class DooverProviderError extends Error {
  readonly code: string = "DooverProviderError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DooverProviderError";
  }

  static isInstance(e: unknown): e is DooverProviderError {
    return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "DooverProviderError";
  }
}

/**
 * The object was created but a follow-up call failed. The Pulumi host turns an error carrying `id`,
 * `properties` and `reasons` into ErrorResourceInitFailed, so the engine records the resource instead of
 * losing track of it (the next `pulumi up` updates it).
 */
export class DooverResourceInitError extends DooverProviderError {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(message: string, id: string, properties: Record<string, unknown>, cause?: unknown) {
    super(message, { cause });
    this.name = "DooverResourceInitError";
    this.id = id;
    this.properties = properties;
    this.reasons = [message];
  }
}

/** The message of any thrown value (sdk errors never put the token in theirs). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
