import { ACTION_SPECS, type ActionName } from '../api/catalog.js';
import { type ParamIssue, validateParams } from '../api/validate.js';

/**
 * The one validator every command uses (src/api/validate.ts), applied to a request the manifest
 * code would send. Kept as the single place that calls it, so a richer validator lands here once.
 */
export function requestIssues(action: ActionName, params: Record<string, unknown>): ParamIssue[] {
  return validateParams(ACTION_SPECS[action], params);
}
