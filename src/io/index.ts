// Public surface of src/io: checkpoints and atomic file writes.

export * from './atomic.js';
export * from './checkpoint.js';
export * from './datasets.js';
