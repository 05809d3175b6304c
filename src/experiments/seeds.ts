// Helpers the experiments share: seeds derived per purpose.

/**
 * A deterministic integer seed per (run seed, tags), so data, split, initialisation and shuffle
 * each get their own stream and adding one leaves the others unchanged. `salt` keeps the streams
 * of different experiments apart (each experiment keeps its own, so its numbers do not move).
 */
export function subSeed(seed: number, salt: number, ...tags: number[]): number {
  const M = 2_147_483_647;
  return tags.reduce((s, t) => (s * 31 + t) % M, (((seed * 1009 + salt) % M) + M) % M);
}
