// halfspace: the public entry point, re-exporting the browser-safe core (tensor, autograd, models
// and their checkpoints, data, paths). Figures are 'halfspace/viz'; files and threads 'halfspace/node'.
// Raw tensor kernels live under `ops` (and in 'halfspace/tensor'); the names at the top level are
// the differentiable ops of autograd, so `matmul` here records a gradient.

export {
  Tensor,
  Rng,
  ops,
  gemm,
  gemmKernel,
  gemmNaive,
  useGemmKernel,
  matmulInto,
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
  Workspace,
  withWorkspace,
  allocData,
  Arena,
} from './tensor/index.js';
export * from './autograd/index.js';
export * from './models/index.js';
export * from './data/index.js';
export * from './paths/index.js';
