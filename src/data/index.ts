// Public surface of src/data: seeded synthetic data sets, splits, standardisation, CSV parsing.

export * from './synthetic.js';
export * from './csv.js';
