import { INSPECT_ROUTES } from '../inspect/routes.js';
import type { PipelineEnv, Step } from '../pipeline.js';
import { chaosDelete, chaosList, chaosSet, clockGet, clockMove, health, index, reset, snapshotLoad, snapshotSave, snapshotsList } from './core.js';
import { type AdminHandler, adminStep, registerAdminRoute } from './router.js';

/**
 * Every /_vn/ endpoint, one line each (router.ts). Loaded when the emulator starts.
 */
registerAdminRoute('GET', '/', index);
registerAdminRoute('GET', '/health', health);
registerAdminRoute('POST', '/reset', reset);
registerAdminRoute('GET', '/chaos', chaosList);
registerAdminRoute(['PUT', 'POST'], '/chaos', chaosSet);
registerAdminRoute('DELETE', '/chaos/*', chaosDelete);
registerAdminRoute('GET', '/clock', clockGet);
registerAdminRoute('POST', '/clock', clockMove);
registerAdminRoute('GET', '/snapshots', snapshotsList);
registerAdminRoute('POST', '/snapshots/save', snapshotSave);
registerAdminRoute('POST', '/snapshots/load', snapshotLoad);
registerAdminRoute('GET', '/requests', inspect('GET /_vn/requests'));
registerAdminRoute('GET', '/events', inspect('GET /_vn/events'));
registerAdminRoute('GET', '/ui', inspect('GET /_vn/ui'));
registerAdminRoute('GET', '/inspect/conversations', inspect('GET /_vn/inspect/conversations'));
registerAdminRoute('GET', '/inspect/instances', inspect('GET /_vn/inspect/instances'));

/** An inspector endpoint (inspect/routes.ts): it writes its own answer (JSON, the page, an event stream). */
function inspect(route: keyof typeof INSPECT_ROUTES): AdminHandler {
  const handler = INSPECT_ROUTES[route];
  return (r) => {
    handler({ log: r.env.requestLog, state: r.env.state }, r.req, r.res, r.url);
    return undefined;
  };
}

export function adminRoutesStep(env: PipelineEnv): Step {
  return adminStep(env);
}

export { AdminError, type AdminHandler, type AdminRequest, registerAdminRoute } from './router.js';
