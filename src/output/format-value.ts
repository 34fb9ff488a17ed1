/** Fields that hold epoch milliseconds (by name), shown as local date-times in tables. */
const TIME_FIELD = /(Time|Date|TimeStamp|Timestamp)$/;

export function isTimeField(name: string): boolean {
  return TIME_FIELD.test(name) && name !== 'StatisticalDate';
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Local "YYYY-MM-DD HH:mm:ss" of an epoch-ms value (number or numeric string); other values as they are. */
export function formatTime(value: unknown): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{10,13}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) return value === undefined || value === null ? '' : String(value);
  const d = new Date(n < 1e12 ? n * 1000 : n);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** One cell's text. */
export function formatCell(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (isTimeField(name)) return formatTime(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
