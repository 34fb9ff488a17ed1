/**
 * RFC 3986 percent-encoding as the seed's 签名机制 chapter asks: unreserved A-Z a-z 0-9 - _ . ~ kept,
 * everything else %XY of its UTF-8 bytes, space as %20 (never +), * as %2A.
 */
const LEFT_BY_ENCODEURICOMPONENT = /[!'()*]/;
const LEFT_BY_ENCODEURICOMPONENT_ALL = /[!'()*]/g;

export function percentEncode(value: string): string {
  const e = encodeURIComponent(value);
  // most values hold none of these: skip the replace (it is on every request's hot path)
  return LEFT_BY_ENCODEURICOMPONENT.test(e) ? e.replace(LEFT_BY_ENCODEURICOMPONENT_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : e;
}

/**
 * Sorted, encoded `k=v&k=v` string of the parameters (seed: 步骤一 1.a-1.d). Sorted by code unit, like
 * the SDKs. `omit` names one parameter left out (V1's Signature) without copying the parameters.
 */
export function canonicalQuery(params: Record<string, string>, omit?: string): string {
  const keys = Object.keys(params).sort();
  let out = '';
  for (const k of keys) {
    if (k === omit) continue;
    const pair = `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`;
    out = out === '' ? pair : `${out}&${pair}`;
  }
  return out;
}

/** Flattens array values into the repeat-list form Name.1, Name.2 (1-based), as the SDKs do. */
export function flattenParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        out[`${k}.${i + 1}`] = String(item);
      });
    } else if (typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}
