import type { LineCounter, Node, YAMLError } from 'yaml';
import { UsageError } from './errors.js';

/**
 * What the parsers of vn's own YAML files (test suites, instance configurations) share: positions
 * as line:col, the problems found so far, and the one error that lists them all. The `yaml`
 * package itself is imported by the caller, lazily.
 */
export interface Pos {
  line: number;
  col: number;
}

export interface FileIssue extends Pos {
  file: string;
  message: string;
}

/**
 * A file that cannot be used: exit 2, every problem as `file:line:col: …` on a line of its own
 * (UsageError.lines), in the file's order.
 */
export class FileIssuesError extends UsageError {
  readonly issues: FileIssue[];
  constructor(issues: FileIssue[]) {
    const sorted = [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
    // a message holding a newline would print as one line ending in the first problem's text
    const lines = sorted.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message.replace(/\s*[\r\n]+\s*/g, ' ')}`);
    super(lines.join('\n'));
    this.issues = sorted;
    this.lines = lines;
  }
}

/** The problems of one file, each at the node it is about. */
export class FileIssues {
  readonly list: FileIssue[] = [];
  constructor(
    readonly path: string,
    readonly lines: LineCounter,
  ) {}

  get length(): number {
    return this.list.length;
  }

  pos(node: Node | null | undefined): Pos {
    const offset = node?.range?.[0];
    return offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
  }

  at(pos: Pos, message: string): void {
    this.list.push({ file: this.path, line: pos.line, col: pos.col, message });
  }

  add(node: Node | null | undefined, message: string): void {
    this.at(this.pos(node), message);
  }

  /** The parser's own errors (and warnings), first line of each. */
  addParseErrors(errors: readonly YAMLError[]): void {
    for (const e of errors) this.at(e.linePos?.[0] ?? { line: 1, col: 1 }, e.message.split('\n')[0] ?? e.message);
  }
}

type YamlModule = typeof import('yaml');

/**
 * The base of a parser that reports every problem of one file at its node: the `yaml` module (the
 * caller imports it lazily), the file's lines and issues, the document being read.
 */
export abstract class YamlFileParser {
  protected readonly lines: LineCounter;
  protected readonly issues: FileIssues;
  protected doc?: import('yaml').Document.Parsed;
  constructor(
    protected readonly yaml: YamlModule,
    protected readonly path: string,
    protected readonly text: string,
  ) {
    this.lines = new yaml.LineCounter();
    this.issues = new FileIssues(path, this.lines);
  }

  protected pos(node: Node | null | undefined): Pos {
    return this.issues.pos(node);
  }

  protected issue(node: Node | null | undefined, message: string): void {
    this.issues.add(node, message);
  }
}
