// Public surface of src/models: modules, the five families, checkpoints (JSON), optimisers and schedules, training.

export * from './config.js';
export * from './module.js';
export * from './families.js';
export * from './checkpoint.js';
export * from './optim.js';
export * from './train.js';
