import { randomBytes } from 'node:crypto';
import { type Database, prepareAll, type Statement } from './database.js';

const SQL = {
  fileKey: "SELECT value FROM meta WHERE key = 'file_key'",
  initFileKey: "INSERT OR IGNORE INTO meta (key, value) VALUES ('file_key', ?)",
  oidcKey: "SELECT value FROM meta WHERE key = 'oidc_signing_key'",
  initOidcKey: "INSERT OR IGNORE INTO meta (key, value) VALUES ('oidc_signing_key', ?)",
};

/** The data file's own settings (`meta`). */
export class Meta {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  /**
   * The key that signs the file URLs and upload forms this data file hands out: made once, at
   * random, and shared by every process that opens the file (the first one to write it wins).
   */
  fileKey(): Buffer {
    const row = this.st.fileKey.get() as { value: string } | undefined;
    if (row) return Buffer.from(row.value, 'hex');
    this.st.initFileKey.run(randomBytes(32).toString('hex'));
    return this.fileKey();
  }

  /**
   * The test OIDC signing key (a PKCS#8 PEM) of this data file: made by `generate` on first use and
   * shared by every process that opens the file, so a token minted by one verifies in all.
   */
  oidcSigningKey(generate: () => string): string {
    const row = this.st.oidcKey.get() as { value: string } | undefined;
    if (row) return row.value;
    this.st.initOidcKey.run(generate());
    return (this.st.oidcKey.get() as { value: string }).value;
  }
}
