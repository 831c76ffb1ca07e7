export * from './lib/processes.js';
export * from './lib/http.js';
