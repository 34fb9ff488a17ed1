import type { ActionName } from '../api/catalog.js';
import { closest } from '../suggest.js';
import { FileIssuesError, type Pos, YamlFileParser } from '../yaml-file.js';
import {
  API_VERSION,
  type Config,
  type FieldDef,
  fieldsOf,
  KIND,
  NESTED_SECTIONS,
  READ_ONLY_KEYS,
  type SectionKey,
  sectionDef,
  TOP_KEYS,
  wire,
} from './model.js';
import { requestIssues } from './validate.js';

type YNode = import('yaml').Node;

export type { FileIssue, Pos } from '../yaml-file.js';

/** An invalid configuration file: exit 2, every problem with its file:line:col, nothing sent. */
export class ConfigFileError extends FileIssuesError {}

/** One instance as a file declares it (values as the file has them; `wire()` makes parameters of them). */
export interface DesiredInstance extends Config {
  name: string;
  /** Pins the instance: it must exist, and is renamed to `name` if need be. */
  id?: string;
  file: string;
  pos: Pos;
  /** Where each declared field stands: `section.Wire` (and `enabled`, `name`, `id`). */
  positions: Map<string, Pos>;
}

export interface ConfigFile {
  path: string;
  instances: DesiredInstance[];
}

/** Parses and validates a configuration file (YAML, multi-document or a list; JSON too). */
export async function parseConfigFile(path: string, text: string): Promise<ConfigFile> {
  const yaml = await import('yaml');
  return new ConfigParser(yaml, path, text).parse();
}

export function where(d: Pick<DesiredInstance, 'file'>, pos: Pos): string {
  return `${d.file}:${pos.line}:${pos.col}`;
}

class ConfigParser extends YamlFileParser {
  private readonly changedText = new Set<YNode>();

  parse(): ConfigFile {
    const docs = this.yaml.parseAllDocuments(this.text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: false });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const d of list) this.issues.addParseErrors([...d.errors, ...d.warnings]);
    if (this.issues.length) throw new ConfigFileError(this.issues.list);
    const instances: DesiredInstance[] = [];
    for (const d of list) {
      this.doc = d;
      const root = d.contents as YNode | null;
      if (root === null || (this.yaml.isScalar(root) && root.value === null)) continue; // an empty document (a trailing ---)
      if (this.yaml.isSeq(root)) {
        for (const item of root.items) {
          const inst = this.instance(this.deref(item as YNode));
          if (inst) instances.push(inst);
        }
      } else {
        const inst = this.instance(root);
        if (inst) instances.push(inst);
      }
    }
    if (instances.length === 0 && this.issues.length === 0) this.issue(null, 'the file declares no instance');
    this.checkUnique(instances);
    if (this.issues.length) throw new ConfigFileError(this.issues.list);
    return { path: this.path, instances };
  }

  private instance(node: YNode | null): DesiredInstance | undefined {
    if (!this.yaml.isMap(node)) {
      this.issue(node, 'an instance is a mapping with at least a `name`');
      return undefined;
    }
    const keys = this.keys(node, TOP_KEYS, 'an instance');
    const d: DesiredInstance = { name: '', file: this.path, pos: this.pos(node), positions: new Map(), sections: {} };
    const nameNode = keys.get('name');
    if (nameNode === undefined) this.issue(node, 'an instance needs a `name`');
    else {
      const name = this.text1(nameNode, 'name');
      if (name !== undefined) {
        // (an empty one is the validator's to refuse) the service trims a name, and an instance is found by it afterwards
        if (name.trim() !== '' && name !== name.trim()) this.issue(nameNode, '`name` must not begin or end with spaces');
        d.name = name;
        d.positions.set('name', this.pos(nameNode));
      }
    }
    const idNode = keys.get('id');
    if (idNode !== undefined) {
      const id = this.text1(idNode, 'id');
      if (id !== undefined && id.trim() === '') this.issue(idNode, '`id` must not be empty');
      else if (id !== undefined) {
        d.id = id;
        d.positions.set('id', this.pos(idNode));
      }
    }
    this.constant(keys, 'apiVersion', API_VERSION);
    this.constant(keys, 'kind', KIND);
    const enabled = keys.get('enabled');
    if (enabled !== undefined) {
      if (this.yaml.isScalar(enabled) && typeof enabled.value === 'boolean') {
        d.enabled = enabled.value;
        d.positions.set('enabled', this.pos(enabled));
      } else this.issue(enabled, '`enabled` must be true or false');
    }
    // the instance section's fields stand at the top level
    const instance: Record<string, unknown> = {};
    for (const f of fieldsOf('instance')) {
      const n = keys.get(f.key);
      if (n === undefined) continue;
      const v = this.value(n, f, f.key);
      if (v === undefined) continue;
      instance[f.wire] = v;
      d.positions.set(`instance.${f.wire}`, this.pos(n));
    }
    d.sections.instance = instance;
    for (const s of NESTED_SECTIONS) {
      const n = keys.get(s.key);
      if (n === undefined) continue;
      if (!this.yaml.isMap(n)) {
        this.issue(
          n,
          `\`${s.key}\` must be a mapping of ${fieldsOf(s.key)
            .map((f) => f.key)
            .join(', ')}`,
        );
        continue;
      }
      const fields = fieldsOf(s.key);
      const values: Record<string, unknown> = {};
      for (const [key, vn] of this.keys(
        n,
        fields.map((f) => f.key),
        `\`${s.key}\``,
      )) {
        const f = fields.find((x) => x.key === key) as FieldDef;
        const v = this.value(vn, f, `${s.key}.${key}`);
        if (v === undefined) continue;
        values[f.wire] = v;
        d.positions.set(`${s.key}.${f.wire}`, this.pos(vn));
      }
      d.sections[s.key] = values;
      d.positions.set(s.key, this.pos(n));
    }
    const ro = keys.get('readOnly');
    if (ro !== undefined) {
      if (!this.yaml.isMap(ro)) this.issue(ro, '`readOnly` must be a mapping (it is information from an export, never applied)');
      else this.keys(ro, READ_ONLY_KEYS, '`readOnly`');
    }
    this.validate(d);
    return d;
  }

  /**
   * Every request the file could lead to goes through the catalog's validator now, before anything
   * is sent; fields a request needs but the file leaves out are filled from the live instance at
   * plan time (they are not missing), except where the API cannot read them back (the chatbot).
   */
  private validate(d: DesiredInstance): void {
    const placeholder = { InstanceId: 'i', EntryId: 'i', ConfigLevel: 2 };
    const create = { ...wire('instance', d.sections.instance ?? {}) };
    this.report(d, 'instance', 'CreateInstance', create, true);
    for (const s of NESTED_SECTIONS) {
      const values = d.sections[s.key];
      if (!values) continue;
      const def = sectionDef(s.key);
      const params: Record<string, unknown> = {};
      for (const t of def.target) params[t] = placeholder[t as keyof typeof placeholder];
      Object.assign(params, wire(s.key, values));
      this.report(d, s.key, def.action, params, def.readable);
    }
  }

  private report(d: DesiredInstance, section: SectionKey, action: ActionName, params: Record<string, unknown>, fillable: boolean): void {
    const targets = new Set(['InstanceId', ...sectionDef(section).target]);
    for (const i of requestIssues(action, params)) {
      if (i.kind === 'missing' && fillable) continue;
      // the target is a stand-in until the plan knows the instance: its issues are not the file's
      if (targets.has(i.param)) continue;
      const field = fieldsOf(section).find((f) => f.wire === i.param);
      const at = d.positions.get(`${section}.${i.param}`) ?? d.positions.get(section) ?? d.pos;
      const what = field ? `\`${section === 'instance' ? field.key : `${section}.${field.key}`}\`` : i.param;
      const reason = i.kind === 'missing' ? `${what} is required` : `${what} ${i.why}`;
      this.issues.at(at, reason);
    }
  }

  private checkUnique(instances: DesiredInstance[]): void {
    const names = new Map<string, DesiredInstance>();
    const ids = new Map<string, DesiredInstance>();
    for (const d of instances) {
      const first = names.get(d.name);
      if (d.name && first) this.issues.at(d.pos, `a second instance is named "${d.name}" (first at line ${first.pos.line})`);
      names.set(d.name, first ?? d);
      if (d.id) {
        const f = ids.get(d.id);
        if (f) this.issues.at(d.pos, `a second instance pins id ${d.id} (first at line ${f.pos.line})`);
        ids.set(d.id, f ?? d);
      }
    }
  }

  private constant(keys: Map<string, YNode | null>, key: string, expected: string): void {
    const n = keys.get(key);
    if (n === undefined) return;
    if (!this.yaml.isScalar(n) || n.value !== expected) this.issue(n, `\`${key}\` must be ${expected}`);
  }

  /** A field's value as the file has it; reports what cannot be one. */
  private value(node: YNode | null, f: FieldDef, label: string): unknown {
    // read with its document, so that an alias inside is the value it names (not {source: anchor})
    if (f.spec.jsonString && (this.yaml.isMap(node) || this.yaml.isSeq(node))) return node.toJS(this.doc as import('yaml').Document) as unknown;
    if (!this.yaml.isScalar(node)) {
      const kind = f.spec.jsonString ? 'a mapping, a list or JSON text' : f.spec.type === 'string' ? 'one value (text or a number)' : `a ${f.spec.type}`;
      this.issue(node, `\`${label}\` must be ${kind}`);
      return undefined;
    }
    const v = node.value;
    if ((f.spec.type === 'integer' || f.spec.type === 'long') && typeof v !== 'number') {
      this.issue(node, `\`${label}\` must be an integer, got ${JSON.stringify(v)}`);
      return undefined;
    }
    if (f.spec.type === 'string' && !this.keepsItsText(node, label)) return undefined;
    return v;
  }

  /**
   * A text field's plain scalar that YAML reads as a number or a boolean must mean what it says:
   * `1e3` would be sent as "1000", `0x1F` as "31", `True` as "true". Unquoted `-100` or `42` are
   * their own text and stay welcome (docs/config-as-code.md).
   */
  private keepsItsText(node: import('yaml').Scalar, label: string): boolean {
    const v = node.value;
    if (typeof v === 'string' || v === null || v === undefined) return true;
    const written = node.source ?? (node.range ? this.text.slice(node.range[0], node.range[1]) : String(v));
    if (String(v) === written) return true;
    // `name` is read twice (the instance's name, and a field of its section): reported once
    if (this.changedText.has(node)) return false;
    this.changedText.add(node);
    const what = typeof v === 'number' ? `the number ${String(v)}` : `the ${typeof v} ${String(v)}`;
    this.issue(node, `\`${label}\` is text, but YAML reads ${written} as ${what}: quote it ("${written}") to keep it as written`);
    return false;
  }

  private keys(map: import('yaml').YAMLMap, allowed: readonly string[], where: string): Map<string, YNode | null> {
    const out = new Map<string, YNode | null>();
    const firstAt = new Map<string, Pos>();
    for (const pair of map.items) {
      const k = pair.key as YNode | null;
      const name = this.yaml.isScalar(k) ? String(k.value) : undefined;
      if (name === undefined) {
        this.issue(k, 'keys must be plain words');
        continue;
      }
      const first = firstAt.get(name);
      if (first) {
        // found here rather than by the parser, which points at the mapping instead of the key
        this.issue(k, `\`${name}\` is given twice (first at line ${first.line})`);
        continue;
      }
      firstAt.set(name, this.pos(k));
      if (!allowed.includes(name)) {
        const hint = closest(name, allowed);
        this.issue(k, `unknown key \`${name}\` in ${where}${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
        continue;
      }
      const value = this.deref((pair.value as YNode | null) ?? null);
      if (value === null || (this.yaml.isScalar(value) && value.value === null)) {
        this.issue(k, `\`${name}\` has no value${where === 'an instance' ? '' : ' (write "" for an empty text)'}`);
        continue;
      }
      out.set(name, value);
    }
    return out;
  }

  private text1(node: YNode | null, key: string): string | undefined {
    if (this.yaml.isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) {
      return this.keepsItsText(node, key) ? String(node.value) : undefined;
    }
    this.issue(node, `\`${key}\` must be text`);
    return undefined;
  }

  private deref(node: YNode | null): YNode | null {
    if (node && this.yaml.isAlias(node) && this.doc) return (node.resolve(this.doc) as YNode | undefined) ?? null;
    return node;
  }
}
