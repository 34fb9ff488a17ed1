import type { HttpPolicy } from '../../client/http.js';
import { CredentialsError } from '../../errors.js';
import { configDir } from '../paths.js';
import { aliyunCliProvider } from './aliyun-cli.js';
import { credentialsFileProvider } from './credentials-file.js';
import { credentialsUriProvider } from './credentials-uri.js';
import { ecsRamRoleProvider } from './ecs-ram-role.js';
import { envProvider } from './env.js';
import { localProvider } from './local.js';
import { oidcEnvProvider } from './oidc.js';
import { profileAkProvider } from './profile-ak.js';
import { NO_CREDENTIALS_HELP, readSelection } from './profile-selection.js';
import { profileStsTokenProvider } from './profile-sts-token.js';
import { profileTemporaryProvider } from './profile-temporary.js';
import { type CredentialProvider, type Credentials, type FetchDeps, NotApplicable, type ProfileSelection, type ProviderInput } from './provider.js';

/** Why a provider before the winner did not yield (for `whoami` and the no-credentials message). */
export interface Skip {
  provider: string;
  reason: string;
}

/** No source yielded: the message says what to do; `skipped` says why each source did not apply (whoami lists them). */
export class NoCredentialsError extends CredentialsError {
  constructor(
    message: string,
    readonly skipped: Skip[],
  ) {
    super(message);
  }
}

/**
 * Asks each provider in turn; the first that yields wins. A provider skips by throwing
 * NotApplicable (its reason is recorded); any other error stops the chain.
 */
export class CredentialChain<P extends CredentialProvider = CredentialProvider> implements CredentialProvider {
  readonly name = 'chain';
  /** Set by get(): the provider that yielded, and why each one before it was skipped. */
  winner?: P;
  skipped: Skip[] = [];

  constructor(
    readonly providers: readonly P[],
    private readonly exhausted: (skipped: Skip[]) => Error = (skipped) =>
      new CredentialsError(`no credentials: ${skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}`),
  ) {}

  async get(): Promise<Credentials> {
    const skipped: Skip[] = [];
    this.skipped = skipped;
    this.winner = undefined;
    for (const p of this.providers) {
      try {
        const c = await p.get();
        this.winner = p;
        return c;
      } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
        skipped.push({ provider: p.name, reason: err.message });
      }
    }
    throw this.exhausted(skipped);
  }
}

export interface ChainInput {
  env: NodeJS.ProcessEnv;
  /** --profile (VN_PROFILE is read here when it is not given). */
  profile?: string;
  /** How providers that fetch (STS, metadata, a URI) send: the transport, --debug, timeout, retries. */
  http?: HttpPolicy;
  /** --sts-endpoint (whoami). */
  stsEndpoint?: string;
  now?: () => number;
}

/**
 * vn's credential chain, in the README's order ("Credentials and profiles"):
 * - `--profile NAME`: that profile alone (the embedded `local` one, or a stored one of any mode);
 * - otherwise the official library's order with vn's store after the environment: the `local`
 *   profile when it is current; ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (+ SECURITY_TOKEN); OIDC from
 *   the environment (ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN, _OIDC_TOKEN_FILE); VN_PROFILE, else
 *   vn's current profile; the aliyun CLI's profile; ~/.alibabacloud/credentials; the ECS metadata
 *   service; ALIBABA_CLOUD_CREDENTIALS_URI.
 * A new mode is a file beside this one and a line in this list.
 */
export function vnCredentialChain(input: ChainInput) {
  const named = input.profile ?? (input.env.VN_PROFILE || undefined);
  let selection: Promise<ProfileSelection> | undefined;
  const fromEnv = input.profile === undefined && named !== undefined;
  const deps: FetchDeps = {
    env: input.env,
    http: input.http ?? {},
    configDir: configDir(input.env),
    stsEndpoint: input.stsEndpoint,
    now: input.now ?? Date.now,
  };
  const shared: ProviderInput = { env: input.env, named, deps, selection: () => (selection ??= readSelection(input.env, named, fromEnv)) };
  const stored = [profileTemporaryProvider(shared), profileStsTokenProvider(shared), profileAkProvider(shared)];
  const providers =
    input.profile !== undefined
      ? [localProvider(shared), ...stored]
      : [
          localProvider(shared),
          envProvider(shared),
          oidcEnvProvider(shared),
          ...stored,
          aliyunCliProvider(shared),
          credentialsFileProvider(shared),
          ecsRamRoleProvider(shared),
          credentialsUriProvider(shared),
        ];
  const chain = new CredentialChain(providers, (skipped) => {
    // a --profile that does not exist is named (with the profiles there are), before the how-to
    const missing = named ? skipped.find((s) => s.reason.startsWith('no profile named ')) : undefined;
    return new NoCredentialsError(missing ? `${missing.reason}; ${NO_CREDENTIALS_HELP}` : NO_CREDENTIALS_HELP, skipped);
  });
  return { chain, named, selection: shared.selection };
}
