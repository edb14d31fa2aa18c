// Error answers shaped like the real API: {"detail": "...", "error"?: {field: [messages]}}.

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.detail));
  }
}

export function notFound(detail = "Not found."): ApiError {
  return new ApiError(404, { detail });
}

export function validationError(errors: FieldErrors): ApiError {
  const detail = Object.entries(errors)
    .map(([field, msgs]) => `${field}: ${msgs.join(" ")}`)
    .join("; ");
  return new ApiError(400, {
    detail: detail || "Invalid input.",
    error: errors,
  });
}

export function fieldError(field: string, message: string): ApiError {
  return validationError({ [field]: [message] });
}
