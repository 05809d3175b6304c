// A tiny well-formedness checker for the SVG text the figures produce (tests only).

export interface XmlReport {
  /** Element name -> count. */
  counts: Map<string, number>;
  root: string;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function checkText(s: string, where: string): void {
  const stripped = s.replace(ENTITY, '');
  if (stripped.includes('&')) throw new Error(`${where}: bare '&' in ${JSON.stringify(s.slice(0, 80))}`);
  if (stripped.includes('<')) throw new Error(`${where}: bare '<' in ${JSON.stringify(s.slice(0, 80))}`);
}

/**
 * Checks that `svg` is one well-formed XML element tree: tags balanced (a stack), names valid,
 * every attribute `name="value"` (double-quoted, no duplicates, no bare `<` or `&`), text free of
 * bare `<` and `&`, no comments, CDATA or processing instructions, and the words NaN, undefined,
 * Infinity and null nowhere. Throws a message naming the offset; returns element counts.
 */
export function checkXml(svg: string): XmlReport {
  for (const bad of ['NaN', 'undefined', 'Infinity', 'null']) {
    const i = svg.indexOf(bad);
    if (i >= 0) throw new Error(`'${bad}' at ${i}: ${JSON.stringify(svg.slice(Math.max(0, i - 60), i + 20))}`);
  }
  const counts = new Map<string, number>();
  const stack: string[] = [];
  let root = '';
  let closedRoot = false;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const textPart = lt < 0 ? svg.slice(i) : svg.slice(i, lt);
    if (textPart.length) {
      if (stack.length === 0 && textPart.trim()) throw new Error(`text outside the root at ${i}`);
      checkText(textPart, `text at ${i}`);
    }
    if (lt < 0) break;
    const gt = svg.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const tag = svg.slice(lt + 1, gt);
    if (tag.startsWith('!') || tag.startsWith('?')) throw new Error(`unexpected markup <${tag.slice(0, 10)}> at ${lt}`);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`);
      if (stack.length === 0) closedRoot = true;
    } else {
      if (closedRoot) throw new Error(`a second root element at ${lt}`);
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([^\s]+)([\s\S]*)$/.exec(body);
      if (!m || !NAME.test(m[1])) throw new Error(`bad tag name in <${tag.slice(0, 20)}> at ${lt}`);
      const name = m[1];
      let rest = m[2];
      const seen = new Set<string>();
      const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/;
      while (rest.trim().length) {
        const a = attr.exec(rest);
        if (!a) throw new Error(`bad attribute syntax in <${name}> at ${lt}: ${JSON.stringify(rest.slice(0, 40))}`);
        if (seen.has(a[1])) throw new Error(`duplicate attribute ${a[1]} in <${name}> at ${lt}`);
        seen.add(a[1]);
        checkText(a[2], `attribute ${a[1]} of <${name}> at ${lt}`);
        rest = rest.slice(a[0].length);
      }
      if (!root) root = name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!selfClosing) stack.push(name);
      else if (stack.length === 0) closedRoot = true;
    }
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  if (!root) throw new Error('no element');
  return { counts, root };
}

/** Every start tag of an element with the given class (class list contains it). */
export function withClass(svg: string, cls: string): string[] {
  const out: string[] = [];
  const re = /<([A-Za-z]+)\b[^>]*>/g;
  for (const m of svg.matchAll(re)) {
    const c = /\sclass="([^"]*)"/.exec(m[0]);
    if (c && c[1].split(/\s+/).includes(cls)) out.push(m[0]);
  }
  return out;
}

/** The markup of the first `<g>` with this class, inner content included (groups may nest). */
export function groupContent(svg: string, cls: string): string {
  const start = svg.search(new RegExp(`<g\\b[^>]*class="${cls}"`));
  if (start < 0) return '';
  let depth = 0;
  const re = /<(\/?)g\b[^>]*?(\/?)>/g;
  re.lastIndex = start;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    if (m[2] === '/') continue;
    depth += m[1] ? -1 : 1;
    if (depth === 0) return svg.slice(start, m.index + m[0].length);
  }
  return svg.slice(start);
}

/** Value of an attribute in a start tag. */
export function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}
