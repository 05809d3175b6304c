// safetensors and ONNX are bytes in, bytes out: nothing they reach may need Node.

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Every source file reachable from `entry` through relative imports (comments stripped). */
function closure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    seen.set(file, text);
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (m[1].startsWith('.')) visit(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('interop bytes code is browser-safe', () => {
  it.each(['src/io/safetensors.ts', 'src/io/onnx.ts'])('%s reaches no node: import, Buffer or process', (entry) => {
    const files = closure(join(root, entry));
    expect(files.size).toBeGreaterThan(3);
    const offenders: string[] = [];
    for (const [file, text] of files) {
      // packages other than ndarray (the core's one dependency, browser-safe) and node: builtins
      const external = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]).filter((s) => !s.startsWith('.') && s !== 'ndarray');
      if (external.length > 0) offenders.push(`${relative(root, file)}: imports ${external.join(', ')}`);
      if (/\bBuffer\b/.test(text)) offenders.push(`${relative(root, file)}: uses Buffer`);
      if (/\bprocess\./.test(text)) offenders.push(`${relative(root, file)}: uses process`);
    }
    expect(offenders).toEqual([]);
  });
});
