// Public surface of src/autograd: the tape, grad mode, the functional API, every op and the table of them.

export { Var, type Primitive, type Rule, asVar, isGradEnabled, noGrad, record, valueAndGrad, zeroGrad } from './engine.js';
export { abs, add, div, exp, log, maximum, minimum, mul, neg, pow, sqrt, sub } from './ops/elementwise.js';
export { relu, scaledSigmoid, sigmoid, softplus, step, tanh } from './ops/activation.js';
export { mean, sum } from './ops/reduce.js';
export { gatedLinear, linear, matmul, rowContract, rowOuter, softGatedLinear } from './ops/linalg.js';
export { concat, expand, gather, permute, reshape, slice, stack, transpose } from './ops/movement.js';
export { crossEntropy, hinge, type Labels, logistic, mse } from './ops/loss.js';
export { OPS, type OpEntry, type OpFile } from './ops/table.js';
