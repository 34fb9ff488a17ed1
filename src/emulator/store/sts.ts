import { type Database, prepareAll, type Statement } from './database.js';

/** A row of `sts_keys`: a temporary key the emulated STS issued. */
export interface StsKeyRow {
  access_key_id: string;
  secret: string;
  security_token: string;
  role_arn: string;
  session_name: string;
  policy: 'full' | 'readonly';
  source: string;
  create_time: number;
  expire_time: number;
}

/** How long an expired key is kept (so it is still refused as expired, not as unknown). */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;

const SQL = {
  insert: `INSERT INTO sts_keys (access_key_id, secret, security_token, role_arn, session_name, policy, source, create_time, expire_time)
     VALUES (@access_key_id, @secret, @security_token, @role_arn, @session_name, @policy, @source, @create_time, @expire_time)`,
  byId: 'SELECT * FROM sts_keys WHERE access_key_id = ?',
  byToken: 'SELECT access_key_id FROM sts_keys WHERE security_token = ?',
  prune: 'DELETE FROM sts_keys WHERE expire_time < ?',
  count: 'SELECT count(*) AS n FROM sts_keys',
};

/** The `sts_keys` aggregate: temporary keys issued by the emulated STS (emulator/sts/). */
export class StsKeys {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  /** Records an issued key; keys expired for a day are forgotten on the way. */
  issue(row: StsKeyRow): void {
    this.st.prune.run(row.create_time - KEEP_EXPIRED_MS);
    this.st.insert.run(row);
  }

  find(accessKeyId: string): StsKeyRow | undefined {
    return this.st.byId.get(accessKeyId) as StsKeyRow | undefined;
  }

  /** The key id a security token was issued with, if this file issued it. */
  keyOfToken(token: string): string | undefined {
    return (this.st.byToken.get(token) as { access_key_id: string } | undefined)?.access_key_id;
  }

  count(): number {
    return (this.st.count.get() as { n: number }).n;
  }
}
