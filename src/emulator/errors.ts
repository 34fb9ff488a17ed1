import type { ActionName, ErrorCode } from '../api/catalog.js';

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

/**
 * The service's own error codes the emulator answers beyond the ones the model lists for an
 * action (each described in docs/emulator.md).
 */
type EmulatorCode =
  | 'InternalError'
  | 'InvalidChatbotInstanceId.NotFound'
  | 'InvalidConversationId.Duplicated'
  | 'OperationDenied.InstanceDisabled'
  | 'OperationDenied.ConversationEnded'
  | 'InvalidDownloadTaskId.NotFound'
  | 'InvalidExportTaskId.NotFound'
  | 'InvalidFileId.NotFound'
  | 'DownloadTask.NotReady'
  | 'DownloadTask.Expired';

/** A code a handler may throw: one the model lists (for some action), or one of the emulator's own. */
export type ServiceCode = ErrorCode<ActionName> | EmulatorCode;

/** One service error a handler throws: its code and HTTP status. */
export interface ServiceErrorKind {
  code: ServiceCode;
  http: number;
}

/** The service errors the handlers throw, by name, instead of code strings at each throw. */
export const SERVICE_ERRORS = {
  instanceNotFound: { code: 'InvalidInstanceId.NotFound', http: 404 },
  conversationNotFound: { code: 'InvalidConversationId.NotFound', http: 404 },
  invalidParameter: { code: 'InvalidParameter', http: 400 },
  concurrencyLimitExceeded: { code: 'InvalidConcurrency.LimitExceeded', http: 400 },
  instanceNameDuplicated: { code: 'InvalidInstanceName.Duplicated', http: 400 },
  conversationDuplicated: { code: 'InvalidConversationId.Duplicated', http: 400 },
  instanceDisabled: { code: 'OperationDenied.InstanceDisabled', http: 403 },
  conversationEnded: { code: 'OperationDenied.ConversationEnded', http: 400 },
  chatbotNotFound: { code: 'InvalidChatbotInstanceId.NotFound', http: 404 },
  /** A --chatbots file that cannot be read answers every call that needs it. */
  chatbotFile: { code: 'InternalError', http: 500 },
  downloadTaskNotFound: { code: 'InvalidDownloadTaskId.NotFound', http: 404 },
  exportTaskNotFound: { code: 'InvalidExportTaskId.NotFound', http: 404 },
  fileNotFound: { code: 'InvalidFileId.NotFound', http: 404 },
  downloadTaskNotReady: { code: 'DownloadTask.NotReady', http: 400 },
  downloadTaskExpired: { code: 'DownloadTask.Expired', http: 400 },
} as const satisfies Record<string, ServiceErrorKind>;

/**
 * Every code the model lists has its constant above (InternalServerError is the service failing,
 * answered by fault injection in http.ts): a code added to the spec without one fails `npm run check`.
 */
type Unhandled = Exclude<ErrorCode<ActionName>, (typeof SERVICE_ERRORS)[keyof typeof SERVICE_ERRORS]['code'] | 'InternalServerError'>;
const everyModelCodeHasAConstant: [Unhandled] extends [never] ? true : Unhandled = true;
void everyModelCodeHasAConstant;

/** The error to throw: a kind of SERVICE_ERRORS and its message. */
export function serviceError(kind: ServiceErrorKind, message: string): ApiError {
  return new ApiError(kind.code, message, kind.http);
}

export const notFound = {
  instance: (id: string) => serviceError(SERVICE_ERRORS.instanceNotFound, `The specified InstanceId ${id} does not exist.`),
  conversation: (id: string) => serviceError(SERVICE_ERRORS.conversationNotFound, `The specified ConversationId ${id} does not exist.`),
};

export function invalidParameter(name: string, why?: string): ApiError {
  return serviceError(SERVICE_ERRORS.invalidParameter, `The specified parameter ${name} is invalid.${why ? ` ${why}` : ''}`);
}
