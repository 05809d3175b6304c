// Public surface of src/io: checkpoints, atomic file writes, safetensors, ONNX export.

export * from './atomic.js';
export * from './checkpoint.js';
export * from './datasets.js';
export * from './safetensors.js';
export * from './onnx.js';
