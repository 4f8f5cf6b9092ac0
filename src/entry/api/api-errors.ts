import type { Response } from 'restify';
import type { ZodError } from 'zod';

/** Every REST error has one shape, so API clients need one parser: {"error":{"code","message","details"?}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

export function sendApiError(res: Response, error: ApiError): void {
  res.status(error.status);
  res.json({
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  });
}

export function badParameters(error: ZodError): ApiError {
  const details = error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
  return new ApiError(
    400,
    'invalid_parameter',
    `Invalid query parameter${details.length > 1 ? 's' : ''}: ${details.join('; ')}`,
    details,
  );
}
