/** An error the emulated gateway or service answers with: code, message, HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    /** More fields of the error body, after Code and Message (Forbidden.RAM's AccessDeniedDetail). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = {
  instance: (id: string) => new ApiError('InvalidInstanceId.NotFound', `The specified InstanceId ${id} does not exist.`, 404),
  conversation: (id: string) => new ApiError('InvalidConversationId.NotFound', `The specified ConversationId ${id} does not exist.`, 404),
};

export function invalidParameter(name: string, why?: string): ApiError {
  return new ApiError('InvalidParameter', `The specified parameter ${name} is invalid.${why ? ` ${why}` : ''}`, 400);
}
