// Public surface of src/node ('halfspace/node'): what only Node can do for the engine. Files
// (checkpoints, atomic writes, data sets read from disk) and worker threads over shared memory.
// Everything else is in the browser-safe root entry 'halfspace'.

export { type ThreadInfo, type ThreadOptions, allocShared, setThreads, threadInfo, threadsReady } from './threads.js';
export * from './atomic.js';
export * from './checkpoint.js';
export * from './datasets.js';
export { type ExportFormat, type ExportOptions, exportModel, importSafetensorsFile, readSafetensorsFile } from './interop.js';
