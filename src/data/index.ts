// Public surface of src/data: seeded synthetic data sets, splits, standardisation, CSV, CIFAR and Fashion-MNIST parsing.

export * from './synthetic.js';
export * from './circle.js';
export * from './four-mode.js';
export * from './oblique-tree.js';
export * from './csv.js';
export * from './cifar.js';
export * from './fashion-mnist.js';
