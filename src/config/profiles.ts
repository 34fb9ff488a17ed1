import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REGION } from '../api/catalog.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { assertRegularOrMissing, NotRegularFileError, readRegularFileSync } from '../regular-file.js';
import { ensureConfigDir } from './paths.js';

/** The credential modes a profile can be of (the aliyun CLI's names). */
export const PROFILE_MODES = ['AK', 'StsToken', 'RamRoleArn', 'ChainableRamRoleArn', 'EcsRamRole', 'OIDC', 'CredentialsURI', 'External'] as const;
export type ProfileMode = (typeof PROFILE_MODES)[number];

/**
 * One stored profile. A profile written before modes existed has no `mode`: it is StsToken when it
 * holds a token, else AK (so older config.json files read as they did).
 */
export interface Profile {
  mode?: ProfileMode;
  /** AK, StsToken, RamRoleArn (the source key). */
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** RamRoleArn, ChainableRamRoleArn, OIDC. */
  ramRoleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  /** A session policy (JSON text). */
  policy?: string;
  durationSeconds?: number;
  stsEndpoint?: string;
  stsRegion?: string;
  /** ChainableRamRoleArn: the profile whose credentials assume the role. */
  sourceProfile?: string;
  /** EcsRamRole: the instance's role (discovered from the metadata service when absent). */
  ramRoleName?: string;
  /** OIDC. */
  oidcProviderArn?: string;
  oidcTokenFile?: string;
  /** CredentialsURI. */
  credentialsUri?: string;
  /** External: a command (split into words, run without a shell) printing the aliyun CLI's JSON. */
  processCommand?: string;
  region?: string;
  endpoint?: string;
  output?: string;
}

/** A profile's mode; one stored without a mode is StsToken when it holds a token, else AK. */
export function profileMode(p: Profile): ProfileMode {
  return p.mode ?? (p.securityToken ? 'StsToken' : 'AK');
}

export interface StoreShape {
  current?: string;
  profiles: Record<string, Profile>;
}

/** The embedded profile backed by the in-process emulator; never stored. */
export const LOCAL_PROFILE = 'local';
export const PROFILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type ConfType = import('conf').default<StoreShape>;

/** Thrown (exit 2) when config.json cannot be read as JSON: it names the file and the way out. */
function corruptConfig(path: string, err: unknown, what = 'is not valid JSON'): UsageError {
  const why = (err as Error).message.split('\n')[0];
  return new UsageError(
    `the profile file ${path} ${what} (${why}): fix it in an editor, or move it away (mv ${path} ${path}.broken) and run vn configure again`,
  );
}

/**
 * Thrown (exit 2) when config.json is a directory, a FIFO or another thing that is not a file:
 * reading a FIFO would wait for ever, so it is refused before it is opened.
 */
function notAFile(err: NotRegularFileError): UsageError {
  return new UsageError(`the profile file ${err.path} is ${err.kind}, not a file: move it away (mv ${err.path} ${err.path}.broken) and run vn configure again`);
}

/** Refuses config.json when it exists and is not a regular file (before conf reads it). */
function checkFile(path: string): void {
  try {
    assertRegularOrMissing(path);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw notAFile(e);
    throw corruptConfig(path, e, 'cannot be read');
  }
}

/**
 * The profile store on `conf`: one JSON file, mode 0600, written atomically (temp + rename).
 * Every change is a read-modify-write under an inter-process lock (proper-lockfile), so
 * concurrent `vn configure set` runs each keep their change.
 */
export class ProfileStore {
  private constructor(private readonly conf: ConfType) {}

  static async open(dir: string): Promise<ProfileStore> {
    const { default: Conf } = await import('conf');
    ensureConfigDir(dir);
    const path = join(dir, 'config.json');
    checkFile(path);
    let conf: ConfType;
    try {
      // no `defaults`: conf would write them at construction, outside the lock, over a
      // concurrent writer's change
      conf = new Conf<StoreShape>({
        cwd: dir,
        configName: 'config',
        projectName: 'vn',
        configFileMode: 0o600,
        clearInvalidConfig: false,
      });
    } catch (e) {
      throw corruptConfig(path, e);
    }
    // a file made by an older version or by hand may be wider open; narrow it
    if (existsSync(conf.path)) chmodSync(conf.path, 0o600);
    return new ProfileStore(conf);
  }

  get path(): string {
    return this.conf.path;
  }

  /** The file as it is now on disk (conf reads it on every access). */
  private read(): StoreShape {
    let store: Partial<StoreShape>;
    // conf reads the file on every access: a FIFO put there since open() would hang it
    checkFile(this.conf.path);
    try {
      store = this.conf.store;
    } catch (e) {
      throw corruptConfig(this.conf.path, e);
    }
    const profiles = store.profiles ?? {};
    if (typeof profiles !== 'object' || Array.isArray(profiles) || Object.values(profiles).some((p) => !p || typeof p !== 'object')) {
      throw corruptConfig(this.conf.path, new Error('"profiles" must map names to profiles'), 'is not a vn profile file');
    }
    return { ...store, profiles: { ...profiles } };
  }

  get current(): string | undefined {
    return this.read().current;
  }

  names(): string[] {
    return Object.keys(this.read().profiles).sort();
  }

  get(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /**
   * Applies `change` to the file's current content under the lock and writes the result
   * atomically; returns what `change` returned.
   */
  private async update<T>(change: (store: StoreShape) => T): Promise<T> {
    const { lock } = await import('proper-lockfile');
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lock(this.conf.path, {
        realpath: false,
        stale: 10_000,
        retries: { retries: 400, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
        onCompromised: (err) => {
          compromised = err;
        },
      });
    } catch (e) {
      throw new RuntimeFailure(`cannot lock ${this.conf.path} to change it: ${(e as Error).message} (another vn configure still running?)`);
    }
    try {
      const store = this.read();
      const result = change(store);
      if (compromised) throw new RuntimeFailure(`lost the lock on ${this.conf.path} (${compromised.message}); nothing was written`);
      this.conf.store = store;
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }

  async set(name: string, profile: Profile): Promise<void> {
    checkName(name);
    await this.update((store) => {
      store.profiles[name] = clean({ region: DEFAULT_REGION, ...profile });
      store.current ??= name;
    });
  }

  async use(name: string): Promise<void> {
    await this.update((store) => {
      if (name !== LOCAL_PROFILE && !store.profiles[name]) throw new UsageError(`no profile named ${shownName(name)} (see: vn configure list)`);
      store.current = name;
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.update((store) => {
      if (!(name in store.profiles)) return false;
      delete store.profiles[name];
      if (store.current === name) delete store.current;
      return true;
    });
  }
}

/** What resolving credentials reads from the store. */
export type ProfileView = Pick<ProfileStore, 'current' | 'names' | 'get'>;

/**
 * The store opened for reading only, as every command that resolves credentials does. A file that
 * is a plain store is parsed here, so such a command loads no `conf` (ajv, atomically, semver …:
 * tens of milliseconds, issue #15), and it is narrowed to 0600 as open() does; no file reads as an
 * empty store (and creates none). Anything else opens the store through conf exactly as before.
 */
export async function readProfiles(dir: string): Promise<ProfileView> {
  // conf's path for { cwd: dir, configName: 'config' }
  const file = join(dir, 'config.json');
  let data: unknown;
  try {
    data = JSON.parse(readRegularFileSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return snapshot({ profiles: {} });
    if (err instanceof NotRegularFileError) throw notAFile(err);
    return ProfileStore.open(dir);
  }
  // what ProfileStore.read() accepts; anything else goes to it, for its answer or its error
  if (!isPlainObject(data) || !isPlainObject(data.profiles) || !Object.values(data.profiles).every(isPlainObject)) return ProfileStore.open(dir);
  chmodSync(file, 0o600);
  return snapshot(data as unknown as StoreShape);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snapshot(data: StoreShape): ProfileView {
  return {
    current: data.current,
    names: () => Object.keys(data.profiles).sort(),
    get: (name) => data.profiles[name],
  };
}

export function checkName(name: string): void {
  if (name === LOCAL_PROFILE) throw new UsageError(`"${LOCAL_PROFILE}" is the embedded emulator profile and cannot be changed`);
  if (!PROFILE_NAME_RE.test(name)) throw new UsageError(`invalid profile name ${shownName(name)}: use letters, digits, dot, dash and underscore, at most 64`);
}

/** A name as an error shows it: quoted, and cut after 40 characters (a 100 KB name is one short line). */
export function shownName(name: string): string {
  const chars = [...name];
  return JSON.stringify(chars.length > 40 ? `${chars.slice(0, 37).join('')}…` : name);
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** A secret is shown as set or not, never any part of it. */
export function maskSecret(secret: string | undefined): string {
  return secret ? '********' : '';
}

/** "LTAI****1234": enough to recognise a key id. */
export function maskKeyId(id: string | undefined): string {
  if (!id) return '';
  return id.length <= 8 ? `${id.slice(0, 2)}****` : `${id.slice(0, 4)}****${id.slice(-4)}`;
}
