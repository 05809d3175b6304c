// Public surface of src/paths: the mixture of paths, kernels, half-spaces, regions and geometry.

export * from './decompose.js';
export * from './values.js';
export * from './kernels.js';
export * from './patterns.js';
export * from './constraints.js';
export * from './local.js';
export * from './arrangement.js';
export * from './volume.js';
export * from './geometry.js';
export * from './format.js';
export { symmetricEigenvalues } from './linalg.js';
export * from './tree.js';
// planes.ts and polygon.ts are internal helpers but for these names
export { requireHalfspaces } from './planes.js';
export { type Box2D, DEFAULT_BOX } from './polygon.js';
