import { type Database, prepareAll, type Statement } from './database.js';

/**
 * An instance's configurations, each kept whole as JSON text (the handlers own their shape):
 * navigation (DescribeNavigationConfig's body), TTS (DescribeTTSConfig's) and the ASR settings of
 * each level (system, tenant, instance).
 */

const SQL = {
  navigation: 'SELECT config_json FROM navigation_configs WHERE instance_id = ?',
  putNavigation:
    'INSERT INTO navigation_configs (instance_id, config_json) VALUES (?, ?) ON CONFLICT (instance_id) DO UPDATE SET config_json = excluded.config_json',
  tts: 'SELECT config_json FROM tts_configs WHERE instance_id = ?',
  putTts: 'INSERT INTO tts_configs (instance_id, config_json) VALUES (?, ?) ON CONFLICT (instance_id) DO UPDATE SET config_json = excluded.config_json',
  asr: 'SELECT config_json FROM asr_configs WHERE config_level = ? AND entry_id = ?',
  putAsr:
    'INSERT INTO asr_configs (config_level, entry_id, config_json) VALUES (?, ?, ?) ON CONFLICT (config_level, entry_id) DO UPDATE SET config_json = excluded.config_json',
};

type ConfigJson = { config_json: string } | undefined;

export class Configs {
  private readonly st: Record<keyof typeof SQL, Statement>;

  constructor(db: Database) {
    this.st = prepareAll(db, SQL);
  }

  /** The instance's navigation config as stored (undefined: no row). */
  navigation(instanceId: string): string | undefined {
    return (this.st.navigation.get(instanceId) as ConfigJson)?.config_json;
  }

  putNavigation(instanceId: string, configJson: string): void {
    this.st.putNavigation.run(instanceId, configJson);
  }

  tts(instanceId: string): string | undefined {
    return (this.st.tts.get(instanceId) as ConfigJson)?.config_json;
  }

  putTts(instanceId: string, configJson: string): void {
    this.st.putTts.run(instanceId, configJson);
  }

  asr(level: number, entryId: string): string | undefined {
    return (this.st.asr.get(level, entryId) as ConfigJson)?.config_json;
  }

  /** Returns the number of rows written (ModifyAsrConfig's AffectedRows). */
  putAsr(level: number, entryId: string, configJson: string): number {
    return this.st.putAsr.run(level, entryId, configJson).changes;
  }
}
