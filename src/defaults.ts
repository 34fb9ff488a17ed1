/** Defaults that more than one layer needs, written once (the global-flag table carries them as its defaults). */

/** Total time allowed for one request, in seconds (--timeout). */
export const DEFAULT_TIMEOUT_S = 30;
/** Retries after a connection error, a 5xx or throttling (--retries). */
export const DEFAULT_RETRIES = 3;
