import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialProvider } from '../../client/credentials.js';
import type { Profile } from '../profiles.js';
import { providerForProfile } from './modes.js';
import { type ModeProvider, NotApplicable, type ProviderInput } from './provider.js';

/** ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials. */
export function credentialsFilePath(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME || env.USERPROFILE;
  return env.ALIBABA_CLOUD_CREDENTIALS_FILE || (home ? join(home, '.alibabacloud', 'credentials') : undefined);
}

/** The INI file's sections: `[name]` then `key = value` lines; `;` and `#` start comments. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = Object.create(null);
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const head = /^\[\s*([^\]]*?)\s*\]$/.exec(line);
    if (head) {
      const name = head[1] ?? '';
      section = out[name] ??= Object.create(null);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) continue;
    let value = line.slice(eq + 1).trim();
    if (/^(["']).*\1$/.test(value) && value.length >= 2) value = value.slice(1, -1);
    section[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/**
 * A section of the credentials file in vn's shape: `type` is access_key, ram_role_arn or
 * ecs_ram_role, as the official library reads it.
 */
export function fromIniSection(s: Record<string, string>): Profile | string {
  const v = (k: string) => (s[k]?.trim() ? s[k].trim() : undefined);
  switch (v('type')) {
    case 'access_key':
      return { mode: 'AK', accessKeyId: v('access_key_id'), accessKeySecret: v('access_key_secret') };
    case 'ram_role_arn':
      return {
        mode: 'RamRoleArn',
        accessKeyId: v('access_key_id'),
        accessKeySecret: v('access_key_secret'),
        ramRoleArn: v('role_arn'),
        roleSessionName: v('role_session_name'),
        policy: v('policy'),
      };
    case 'ecs_ram_role':
      return { mode: 'EcsRamRole', ramRoleName: v('role_name') };
    case undefined:
      return 'has no type';
    default:
      return `has type ${JSON.stringify(v('type'))} (vn reads access_key, ram_role_arn and ecs_ram_role)`;
  }
}

/** The chain's credentials-file step: the section ALIBABA_CLOUD_PROFILE names, else [default]. */
export function credentialsFileProvider(input: ProviderInput): ModeProvider {
  let name = '';
  let mode = '';
  let inner: CredentialProvider | undefined;
  return {
    name: 'credentials-file',
    source: 'credentials-file',
    profileName: () => name,
    describe: () => `[${name}] of ${credentialsFilePath(input.env) ?? '~/.alibabacloud/credentials'} (${mode})`,
    async get() {
      if (!inner) {
        const file = credentialsFilePath(input.env);
        if (!file) throw new NotApplicable('HOME is not set');
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new NotApplicable(code === 'ENOENT' ? `no ${file}` : `cannot read ${file} (${code ?? (err as Error).message})`);
        }
        const wanted = input.env.ALIBABA_CLOUD_PROFILE || 'default';
        const section = parseIni(text)[wanted];
        if (!section) throw new NotApplicable(`${file} has no [${wanted}] section`);
        const p = fromIniSection(section);
        if (typeof p === 'string') throw new NotApplicable(`[${wanted}] of ${file} ${p}`);
        for (const k of Object.keys(p) as (keyof Profile)[]) if (p[k] === undefined) delete p[k];
        inner = await providerForProfile(`[${wanted}] of ${file}`, p, input.deps, () => undefined);
        name = wanted;
        mode = p.mode ?? 'AK';
      }
      return inner.get();
    },
  };
}
