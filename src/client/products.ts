import { ACTION_SPECS, type ActionName, type ActionSpec, API_VERSION, PRODUCT } from '../api/catalog.js';

/** How one action is sent, and whether it may be repeated after it may have arrived. */
export interface ActionInfo {
  name: string;
  method: 'GET' | 'POST';
  /** Changes nothing: safe to re-send after a lost answer. */
  readOnly: boolean;
}

/**
 * An Alibaba Cloud OpenAPI product a `Client` talks to: its version, and the model its parameters
 * are checked against when there is one. Signing (V1, V3), retries, timeouts and redaction are the
 * client's and the same for every product.
 */
export interface Product<A extends string = string> {
  name: string;
  /** The API version (the Version parameter of V1, x-acs-version of V3). */
  version: string;
  /** The model, keyed by the product's action names: parameters are validated before sending. */
  catalog?: { spec(action: A): ActionSpec };
  /** Without a catalog: how to send an action (by default POST, and never re-sent once it may have arrived). */
  action?: (name: A) => ActionInfo;
}

/** Intelligent Voice Navigator 2018-06-12, checked against the generated model. */
export const VOICE_NAVIGATOR: Product<ActionName> = {
  name: PRODUCT,
  version: API_VERSION,
  catalog: { spec: (action) => ACTION_SPECS[action] },
};

// STS issues temporary credentials; none of its actions changes anything, so each may be repeated.
const STS_ACTIONS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithOIDC', 'GetCallerIdentity']);

/** Security Token Service 2015-04-01 (no model here: parameters are sent as given). */
export const STS: Product<string> = {
  name: 'Sts',
  version: '2015-04-01',
  action: (name) => ({ name, method: 'POST', readOnly: STS_ACTIONS.has(name) }),
};
