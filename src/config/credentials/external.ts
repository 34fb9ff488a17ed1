import { CredentialsError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import type { Credentials, FetchDeps } from './provider.js';
import { cachedCredentials } from './token-cache.js';

/** How long the command may run (the official library's 60 s). */
export const EXTERNAL_TIMEOUT_MS = 60_000;

/**
 * A process_command split into words as a shell would split a simple command: blanks separate,
 * single quotes keep everything, double quotes keep all but `\"` and `\\`, a backslash escapes
 * the next character. No expansion, no operators: the words are run directly (execFile), never
 * through a shell.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new CredentialsError(`process_command has an unclosed ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * External: runs `process_command` and reads the aliyun CLI's JSON from its stdout:
 * `{"mode": "AK"|"StsToken", "access_key_id", "access_key_secret", "sts_token", "expiration"}`.
 * Its output is never shown (it holds the secret); a failure names the program and how it ended.
 */
export function externalCredentials(command: string, deps: FetchDeps, what: string, timeoutMs = EXTERNAL_TIMEOUT_MS): () => Promise<Credentials> {
  return () =>
    cachedCredentials({ configDir: deps.configDir, now: deps.now, trace: deps.http.debug }, { action: 'External', command }, async () => {
      const argv = splitCommand(command);
      const program = argv[0];
      if (!program) throw new CredentialsError(`${what}: process_command is empty`);
      const { execFile } = await import('node:child_process');
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(program, argv.slice(1), { env: deps.env, timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, out) => {
          if (!err) return resolve(String(out));
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number | null };
          const how =
            e.code === 'ENOENT'
              ? 'was not found'
              : e.killed && e.signal
                ? `did not finish within ${timeoutMs / 1000} s`
                : typeof e.code === 'number'
                  ? `exited with status ${e.code}`
                  : `failed (${e.signal ?? e.code ?? 'unknown'})`;
          reject(new CredentialsError(`${what}: the credential command ${JSON.stringify(program)} ${how}`));
        });
      });
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(stdout);
      } catch {
        throw new CredentialsError(`${what}: the credential command ${JSON.stringify(program)} printed something that is not JSON`);
      }
      const s = (k: string) => (typeof data?.[k] === 'string' && data[k] !== '' ? (data[k] as string) : undefined);
      registerSecret(s('access_key_secret'));
      registerSecret(s('sts_token'));
      const accessKeyId = s('access_key_id');
      const accessKeySecret = s('access_key_secret');
      if (!accessKeyId || !accessKeySecret) throw new CredentialsError(`${what}: the credential command printed no access_key_id and access_key_secret`);
      const securityToken = s('sts_token');
      if (data.mode === 'StsToken' && !securityToken) throw new CredentialsError(`${what}: the credential command printed mode StsToken without sts_token`);
      const exp = s('expiration');
      const expiration = exp === undefined ? undefined : new Date(Date.parse(exp));
      if (expiration && Number.isNaN(expiration.getTime())) throw new CredentialsError(`${what}: the credential command printed an unreadable expiration`);
      return { accessKeyId, accessKeySecret, securityToken, expiration };
    });
}
