import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REGION } from '../api/catalog.js';
import { UsageError } from '../errors.js';

export interface Profile {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  region?: string;
  endpoint?: string;
  output?: string;
}

export interface StoreShape {
  current?: string;
  profiles: Record<string, Profile>;
}

/** The embedded profile backed by the in-process emulator; never stored. */
export const LOCAL_PROFILE = 'local';
export const PROFILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const OUTPUT_FORMATS = ['table', 'json', 'xml', 'tsv'] as const;

type ConfType = import('conf').default<StoreShape>;

/** The profile store on `conf`: one JSON file, mode 0600, written atomically. */
export class ProfileStore {
  private constructor(private readonly conf: ConfType) {}

  static async open(dir: string): Promise<ProfileStore> {
    const { default: Conf } = await import('conf');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const conf = new Conf<StoreShape>({
      cwd: dir,
      configName: 'config',
      projectName: 'vn',
      configFileMode: 0o600,
      defaults: { profiles: {} },
      clearInvalidConfig: false,
    });
    // a file made by an older version or by hand may be wider open; narrow it
    if (existsSync(conf.path)) chmodSync(conf.path, 0o600);
    return new ProfileStore(conf);
  }

  get path(): string {
    return this.conf.path;
  }

  get current(): string | undefined {
    return this.conf.get('current');
  }

  names(): string[] {
    return Object.keys(this.conf.get('profiles') ?? {}).sort();
  }

  get(name: string): Profile | undefined {
    return this.conf.get('profiles')?.[name];
  }

  set(name: string, profile: Profile): void {
    checkName(name);
    const all = { ...(this.conf.get('profiles') ?? {}) };
    all[name] = clean({ region: DEFAULT_REGION, ...profile });
    const next: StoreShape = { profiles: all, current: this.current ?? name };
    this.conf.store = next;
  }

  use(name: string): void {
    if (name !== LOCAL_PROFILE && !this.get(name)) throw new UsageError(`no profile named "${name}" (see: vn configure list)`);
    this.conf.set('current', name);
  }

  delete(name: string): boolean {
    const all = { ...(this.conf.get('profiles') ?? {}) };
    if (!(name in all)) return false;
    delete all[name];
    const cur = this.current;
    const next: StoreShape = { profiles: all };
    if (cur && cur !== name) next.current = cur;
    this.conf.store = next;
    return true;
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
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return snapshot({ profiles: {} });
    return ProfileStore.open(dir);
  }
  if (!isPlainObject(data) || !isPlainObject(data.profiles)) return ProfileStore.open(dir);
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
  if (!PROFILE_NAME_RE.test(name)) throw new UsageError(`invalid profile name "${name}": use letters, digits, dot, dash and underscore`);
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
