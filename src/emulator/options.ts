import type { AccessKey, StsToken } from './auth/index.js';
import type { ChaosRule } from './chaos.js';
import type { OidcProvider, Role } from './sts/roles.js';

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
  /** Share of requests (0..1) answered with a random fault: the chaos rule `*:fault:RATE`. */
  faultRate?: number;
  /** Fault rules at start (`--chaos`, `--chaos-file`; chaos.ts), checked already. */
  chaos?: Omit<ChaosRule, 'id'>[];
  /** `--virtual-clock`: time moves with the wall clock plus what /_vn/clock adds (clock.ts). */
  virtualClock?: boolean;
  /** `--admin-key`: the /_vn/ endpoints then need it in X-Vn-Admin-Key (and answer on any address). */
  adminKey?: string;
  /** Where named snapshots are kept (default: `snapshots/` beside the data file; none for ':memory:'). */
  snapshotDir?: string;
  /** GET /_vn/health answers not ready (503) until the handle's markReady() (`--seed` is applied first). */
  holdReady?: boolean;
  /** `--traffic`: synthetic conversations per second (traffic.ts). */
  trafficRate?: number;
  /** Clock (tests move it). */
  now?: () => number;
  /** Base URL to put in the URLs it hands out, when it differs from the listening address. */
  publicUrl?: string;
  /** The emulated STS and the metadata service (emulator/sts/). */
  sts?: StsOptions;
}

export interface StsOptions {
  /** Roles it lets callers assume (none: AssumeRole answers EntityNotExist.Role). */
  roles?: Role[];
  /** OIDC providers AssumeRoleWithOIDC accepts tokens of. */
  oidcProviders?: OidcProvider[];
  /** PKCS#8 PEM of the OIDC test signing key (default: one made for the data file and kept in it). */
  oidcSigningKeyPem?: string;
  /** Serve the ECS metadata service on this loopback port (0: a free one). */
  metadataPort?: number;
  /** The role the metadata service hands out, by name (default: the first role). */
  metadataRole?: string;
  /** The metadata service refuses requests without an IMDSv2 session token. */
  imdsV2Only?: boolean;
}
