import type { AccessKey, StsToken } from './auth/index.js';

/** How an emulator is started (`vn emulator start`, the embedded `local` profile, the tests). */
export interface EmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** SQLite file (':memory:' for a throw-away state). */
  dataFile: string;
  accessKeys: AccessKey[];
  /** STS security tokens it accepts, each bound to one of `accessKeys` (`--sts-token`). */
  stsTokens?: StsToken[];
  /** YAML or JSON file of chatbot definitions; the built-in demo bank bot when absent. */
  chatbotsFile?: string;
  latencyMs?: number;
  /** Share of requests (0..1) answered with a random fault. */
  faultRate?: number;
  /** Clock (tests move it). */
  now?: () => number;
  /** Base URL to put in the URLs it hands out, when it differs from the listening address. */
  publicUrl?: string;
}
