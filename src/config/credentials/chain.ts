import { CredentialsError } from '../../errors.js';
import { envProvider } from './env.js';
import { localProvider } from './local.js';
import { profileAkProvider } from './profile-ak.js';
import { NO_CREDENTIALS_HELP, readSelection } from './profile-selection.js';
import { profileStsTokenProvider } from './profile-sts-token.js';
import { type CredentialProvider, type Credentials, NotApplicable, type ProfileSelection, type ProviderInput } from './provider.js';

/** Why a provider before the winner did not yield (for `whoami` and the no-credentials message). */
export interface Skip {
  provider: string;
  reason: string;
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
}

/**
 * vn's credential chain, in the README's order ("Credentials and profiles"): the embedded `local`
 * profile when named (or current); ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (+ SECURITY_TOKEN);
 * --profile / VN_PROFILE, else the current profile (an STS token profile, or an AccessKey one).
 * A new mode is a file beside this one and a line in this list.
 */
export function vnCredentialChain(input: ChainInput) {
  const named = input.profile ?? (input.env.VN_PROFILE || undefined);
  let selection: Promise<ProfileSelection> | undefined;
  const fromEnv = input.profile === undefined && named !== undefined;
  const shared: ProviderInput = { env: input.env, named, selection: () => (selection ??= readSelection(input.env, named, fromEnv)) };
  const providers = [localProvider(shared), envProvider(shared), profileStsTokenProvider(shared), profileAkProvider(shared)];
  const chain = new CredentialChain(providers, (skipped) => {
    // a --profile that does not exist is named (with the profiles there are), before the how-to
    const missing = named ? skipped.find((s) => s.reason.startsWith('no profile named ')) : undefined;
    return new CredentialsError(missing ? `${missing.reason}; ${NO_CREDENTIALS_HELP}` : NO_CREDENTIALS_HELP);
  });
  return { chain, named, selection: shared.selection };
}
