/**
 * The emulator's own XML, as the service answers `Format=XML`: the body's fields as elements under
 * `<ActionResponse>` (or `<Error>`), an array as its element repeated. Kept here, not shared with
 * src/output, so that the wire format the emulator speaks never changes with how the CLI prints.
 */
export function serviceXml(value: unknown, root: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function element(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (value !== null && typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) inner += element(k, v);
    return `<${name}>${inner}</${name}>`;
  }
  if (value === undefined || value === null) return `<${name}/>`;
  return `<${name}>${escapeText(String(value))}</${name}>`;
}
