// halfspace: the public entry point, the research API: tensors, the differentiable ops, the
// model families and their training and checkpoints, data, and the paths. Engine internals (the
// raw matrix product and its kernels, workspaces and the arena, `record` for writing new ops)
// are in 'halfspace/tensor' and 'halfspace/autograd'; figures in 'halfspace/viz'; files and
// threads in 'halfspace/node'. Raw tensor kernels live under `ops`; the names at the top level
// are the differentiable ops of autograd, so `matmul` here records a gradient.

export {
  Tensor,
  Rng,
  ops,
  matmul as matmulTensor,
  toNdarray,
  fromNdarray,
  type Float64NdArray,
  type NdArrayLike,
  type NestedArray,
  type SliceRange,
  type Shape,
  broadcastShapes,
  shapeStr,
  sizeOf,
} from './tensor/index.js';
export {
  Var,
  type Primitive,
  type Rule,
  asVar,
  isGradEnabled,
  noGrad,
  valueAndGrad,
  zeroGrad,
  abs, add, div, exp, log, maximum, minimum, mul, neg, pow, sqrt, sub,
  relu, scaledSigmoid, sigmoid, softplus, step, tanh,
  mean, sum,
  gatedLinear, linear, matmul, rowContract, rowOuter, softGatedLinear,
  concat, expand, gather, permute, reshape, slice, stack, transpose,
  crossEntropy, hinge, type Labels, logistic, mse,
} from './autograd/index.js';
export * from './models/index.js';
export * from './data/index.js';
export * from './paths/index.js';
