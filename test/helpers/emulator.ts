import { join } from 'node:path';
import { lookupAction } from '../../src/api/catalog.js';
import type { EmulatorHandle, EmulatorOptions } from '../../src/emulator/http.js';
import { startEmulator } from '../../src/emulator/http.js';
import { tempDir } from './run.js';

export const TEST_KEY = { id: 'test-ak', secret: 'test-secret-Zx9' };
export const READONLY_KEY = { id: 'ro-ak', secret: 'ro-secret-Qy7' };

export interface TestEmulator extends EmulatorHandle {
  /** Environment that points the CLI at this emulator with the full-access key. */
  env: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

/** Starts an emulator on a free loopback port with a throw-away data file. */
export async function startTestEmulator(opts: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const { dir, cleanup } = tempDir('vn-emu-');
  const emu = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    dataFile: join(dir, 'emulator.db'),
    accessKeys: [
      { ...TEST_KEY, policy: 'full' },
      { ...READONLY_KEY, policy: 'readonly' },
    ],
    ...opts,
  });
  return {
    ...emu,
    dir,
    env: {
      ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.id,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.secret,
      VN_ENDPOINT: emu.url,
      VN_CONFIG_DIR: join(dir, 'config'),
      VN_RETRY_BASE_MS: '5',
    },
    async stop() {
      await emu.close();
      cleanup();
    },
  };
}

/** The write actions (read-only false in the catalog) the emulator carried out after request `seq`, from its request log. */
export async function writesAfter(emu: { url: string }, seq: number): Promise<string[]> {
  const { requests } = (await (await fetch(`${emu.url}/_vn/requests`)).json()) as { requests: { seq: number; action: string | null }[] };
  return requests.filter((r) => r.seq > seq && r.action && lookupAction(r.action)?.readOnly === false).map((r) => r.action as string);
}

/** The sequence number of the emulator's newest request (0 before any): a mark for writesAfter. */
export async function lastSeq(emu: { url: string }): Promise<number> {
  return ((await (await fetch(`${emu.url}/_vn/requests?limit=1`)).json()) as { requests: { seq: number }[] }).requests[0]?.seq ?? 0;
}
