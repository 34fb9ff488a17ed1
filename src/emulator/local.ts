import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { fileKind } from '../regular-file.js';

/**
 * The embedded `local` profile: an emulator opened in this process on a loopback port, with its
 * state in a SQLite file under the vn config dir, so separate (and concurrent) `vn --profile local`
 * processes share one state. Each run gets a fresh random key pair that lives only in this
 * process's memory: another local process that finds the port cannot sign a request to it. The
 * state is private to the user: its directory 0700, the file (and SQLite's -wal/-shm beside it,
 * which SQLite creates with the file's mode) 0600. (docs/emulator.md, "The embedded local profile")
 */

/** A running local emulator (the embedded `local` profile): where it listens and the one key it accepts. */
export interface LocalEmulatorHandle {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  close(): Promise<void>;
}

export function localDataFile(configDir: string, env: NodeJS.ProcessEnv): string {
  return env.VN_LOCAL_DATA || join(configDir, 'emulator', 'local.db');
}

/** A key pair for one embedded run: 64 random bits in the id (so runs are told apart), 256 in the secret. */
export function freshLocalKey(): { id: string; secret: string } {
  return { id: `LTAIvnlocal${randomBytes(8).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
}

/**
 * Creates the state file's directory 0700 and the file 0600 (and narrows them when they exist).
 * A directory, FIFO or device at the file's path is refused (exit 2) rather than handed to SQLite:
 * opening a FIFO would wait for ever.
 */
export function preparePrivateFile(file: string, opts: { ownDir: boolean }): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // the default directory is vn's own: narrowed when an older vn made it 0755; a VN_LOCAL_DATA
  // directory the user chose is left as it is
  if (opts.ownDir) chmodSync(dir, 0o700);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO answers ENXIO at once instead of blocking until a reader comes
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | (constants.O_NONBLOCK ?? 0), 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENXIO') refuse(file);
    throw e;
  }
  try {
    if (!fstatSync(fd).isFile()) refuse(file);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
}

function refuse(file: string): never {
  throw new UsageError(`the emulator's data file ${file} is ${fileKind(statSync(file))}, not a file: move it away, or name another with VN_LOCAL_DATA`);
}

/** `key`: the one key it accepts (the local credential provider's, src/config/credentials/local.ts); default a fresh one. */
export async function startLocalEmulator(opts: {
  configDir: string;
  env: NodeJS.ProcessEnv;
  key?: { id: string; secret: string };
}): Promise<LocalEmulatorHandle> {
  const { startEmulator } = await import('./http.js');
  const dataFile = localDataFile(opts.configDir, opts.env);
  if (dataFile !== ':memory:') preparePrivateFile(dataFile, { ownDir: !opts.env.VN_LOCAL_DATA });
  const key = opts.key ?? freshLocalKey();
  // the same STS as `vn emulator start` on the same URL; roles (and OIDC providers) from VN_LOCAL_ROLES
  const sts = opts.env.VN_LOCAL_ROLES ? await localRoles(opts.env.VN_LOCAL_ROLES) : undefined;
  const handle = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    dataFile,
    accessKeys: [{ id: key.id, secret: key.secret, policy: 'full' }],
    chatbotsFile: opts.env.VN_LOCAL_CHATBOTS || undefined,
    ...(sts ? { sts: { roles: sts.roles, oidcProviders: sts.oidcProviders } } : {}),
  });
  return { url: handle.url, accessKeyId: key.id, accessKeySecret: key.secret, close: () => handle.close() };
}

async function localRoles(file: string) {
  const { loadRolesFile, RoleConfigError } = await import('./sts/roles.js');
  try {
    return loadRolesFile(file);
  } catch (e) {
    if (e instanceof RoleConfigError) throw new UsageError(`VN_LOCAL_ROLES: ${e.message.replace(/^--roles /, '')}`);
    throw e;
  }
}
