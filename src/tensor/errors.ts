// Short, uniform error text: a bad value is quoted at most ~100 characters, whatever its size.

/** The longest quotation of a bad value in an error message (characters, before the ellipsis). */
export const MAX_QUOTE = 100;

/**
 * A bad value as error text, at most {@link MAX_QUOTE} characters plus a note of how much was cut:
 * strings are JSON-quoted, arrays and objects JSON-encoded (a cycle or an exotic value falls
 * back to its type), so a 100 MB string or a million-entry list never becomes a 100 MB message.
 *
 * @example
 * ```ts
 * clip('x'.repeat(1e6)); // '"xxx...x..." (1000000 characters)', 100 x's in all
 * ```
 */
export function clip(v: unknown, max = MAX_QUOTE): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') {
    const s = JSON.stringify(v.length > max ? v.slice(0, max) : v);
    return v.length > max ? `${s.slice(0, -1)}..." (${v.length} characters)` : s;
  }
  if (Array.isArray(v) && v.length > max) return `${cut(shortJson(v.slice(0, max)), max)} (a list of ${v.length})`;
  const s = shortJson(v);
  return s.length > max ? `${cut(s, max)} (${s.length} characters)` : s;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function shortJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return Array.isArray(v) ? 'an array' : 'an object';
  }
}

/**
 * Text for an error message, unquoted, cut to `max` characters with a note of the full length:
 * for callers that quote it themselves (`'${clipText(cell)}'`).
 */
export function clipText(s: string, max = MAX_QUOTE): string {
  return s.length > max ? `${s.slice(0, max)}... (${s.length} characters)` : s;
}
