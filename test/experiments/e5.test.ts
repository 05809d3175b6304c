// E5 in quick mode: gates learned beat gates frozen at initialisation on held-out loss.

import { describe, expect, it } from 'vitest';
import { e5 } from '../../src/experiments/e5.js';

describe('E5 quick', () => {
  const result = e5.run({ quick: true, seed: 1, progress: () => {} }) as Awaited<ReturnType<typeof e5.run>>;
  const disk = result.metrics.tasks.disk;

  it('learned gates beat gates frozen at init on held-out loss (validation and test) and accuracy', () => {
    expect(disk.regimes.learned.testLoss).toBeLessThan(disk.regimes['frozen-init'].testLoss);
    expect(disk.regimes.learned.validationLoss).toBeLessThan(disk.regimes['frozen-init'].validationLoss);
    expect(disk.regimes.learned.testAccuracy).toBeGreaterThan(disk.regimes['frozen-init'].testAccuracy!);
  });

  it('values retrained on the learned gates also beat the frozen-at-init gates', () => {
    expect(disk.regimes['frozen-learned'].testLoss).toBeLessThan(disk.regimes['frozen-init'].testLoss);
  });

  it('reports alignments in [-1, 1], figures as SVG, and every regime in the report', () => {
    for (const v of [disk.alignment.init, disk.alignment.trained]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(result.figures.length).toBe(2);
    for (const f of result.figures) expect(f.svg.startsWith('<svg')).toBe(true);
    for (const label of ['gates and values trained', 'gates frozen at init', 'values retrained']) expect(result.markdown).toContain(label);
  });
});
