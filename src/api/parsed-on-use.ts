/**
 * An object whose values are JSON texts, read as the parsed values: each text is parsed the first
 * time its key is read, and the value kept. The keys are there from the start (`Object.keys`,
 * `Object.hasOwn` and `in` see them all); iterating the values parses them all. The generated
 * catalog is one (src/api/generated/catalog.ts): a command reads the specs of one or two actions,
 * not all 41 (issue #25).
 */
export function parsedOnUse<T>(texts: Readonly<Record<string, string>>): T {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(texts)) {
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value: unknown = JSON.parse(text);
        Object.defineProperty(out, key, { value, enumerable: true, writable: false, configurable: false });
        return value;
      },
    });
  }
  return out as T;
}
