import type { PipelineEnv, Step } from '../pipeline.js';
import { chaosDelete, chaosList, chaosSet, clockGet, clockMove, health, index, reset, snapshotLoad, snapshotSave, snapshotsList } from './core.js';
import { adminStep, registerAdminRoute } from './router.js';

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

export function adminRoutesStep(env: PipelineEnv): Step {
  return adminStep(env);
}

export { AdminError, type AdminHandler, type AdminRequest, registerAdminRoute } from './router.js';
