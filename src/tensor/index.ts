// Public surface of src/tensor: strided Float64 tensors, raw kernels and seeded random numbers.

export * from './shape.js';
export * from './tensor.js';
export { clip, clipText, MAX_QUOTE } from './errors.js';
export * as ops from './ops.js';
export { matmul, matmulInto, setGemmExecutor, gemmExecutor, type GemmExecutor } from './linalg.js';
export { gemm, gemmKernel, gemmKernelCounts, gemmNaive, setGemmMemoryLimit, useGemmKernel } from './gemm.js';
export { expScalar, sigmoidScalar } from './math.js';
export { Workspace, withWorkspace, allocData, allocDataUninit, currentArena } from './workspace.js';
export { Arena, arenaBytes, arenaKernelsAvailable } from './arena.js';
export { KERNEL_NAMES, type KernelName, kernelCalls, resetKernelCalls, useCompiledKernels } from './kernels.js';
export type { ElementwiseExports } from './wasm/elementwise-module.js';
export { Rng, detLog, type RngState } from './random.js';
export { toNdarray, fromNdarray, type Float64NdArray, type NdArrayLike } from './ndarray.js';
