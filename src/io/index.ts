// Public surface of src/io ('halfspace/io'): browser-safe model I/O. Checkpoints as text or JSON
// values (the same functions the root entry exports), safetensors bytes, ONNX export and the
// PyTorch parity runner. Reading and
// writing files is Node's job: saveCheckpoint, loadCheckpoint, writeFileAtomic and the data set
// loaders live in 'halfspace/node'.

export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointJson,
  type CheckpointTensor,
  type LoadedCheckpoint,
  type TrainingMeta,
  checkpointFromJson,
  checkpointJson,
  parseCheckpoint,
  serializeCheckpoint,
} from '../models/checkpoint.js';
export * from './parity.js';
export * from './safetensors.js';
export * from './onnx.js';
