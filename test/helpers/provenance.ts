import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionName } from '../../src/api/catalog.js';
import { ROOT } from './run.js';

/** Where each part of the model came from (scripts/gen-catalog.mjs): build-time only, so tests read the file. */
export interface Provenance {
  actions: Record<
    ActionName,
    {
      /** Whether the seed's reference has the action (or a note on how far). */
      inSeed: boolean | string;
      /** Response fields only the seed's samples show (the SDK's model has them not). */
      responseSeedOnly?: string[];
      params: Record<string, { source: 'both' | 'sdk' | 'seed'; rulesSource?: string }>;
    }
  >;
}

export const PROVENANCE_FILE = join(ROOT, 'src', 'api', 'generated', 'provenance.json');

export function readProvenance(): Provenance {
  return JSON.parse(readFileSync(PROVENANCE_FILE, 'utf8')) as Provenance;
}
