// Public surface of src/tensor: strided Float64 tensors, raw kernels and seeded random numbers.

export * from './shape.js';
export * from './tensor.js';
export * as ops from './ops.js';
export { matmul, matmulInto, setGemmExecutor, gemmExecutor, type GemmExecutor } from './linalg.js';
export { gemm, gemmKernel, gemmNaive, useGemmKernel } from './gemm.js';
export { expScalar, sigmoidScalar } from './math.js';
export { Workspace, withWorkspace, allocData, allocDataUninit, currentArena } from './workspace.js';
export { Arena, arenaBytes, type ArenaKernels } from './arena.js';
export { Rng, detLog, type RngState } from './random.js';
export { toNdarray, fromNdarray, type Float64NdArray, type NdArrayLike } from './ndarray.js';
