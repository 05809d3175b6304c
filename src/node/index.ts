// Public surface of src/node: what only Node can do for the engine (worker threads over shared memory).

export { type ThreadInfo, type ThreadOptions, allocShared, setThreads, threadInfo, threadsReady } from './threads.js';
export { type ExportFormat, type ExportOptions, exportModel, importSafetensorsFile, readSafetensorsFile } from './interop.js';
