// Public surface of src/paths: the mixture of paths, kernels, half-spaces, regions and geometry.

export * from './decompose.js';
export * from './values.js';
export * from './kernels.js';
export * from './regions.js';
export * from './geometry.js';
export * from './format.js';
export { symmetricEigenvalues } from './linalg.js';
export * from './tree.js';
