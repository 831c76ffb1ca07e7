// The router's public surface.
export { buildTraditionalRouter, createTraditionalRouter, nextTraditionalRouter, updateTraditionalRouter, type RouterChange, type TraditionalRouter } from './traditional-router.js';
export { normalizePath } from './normalize-path.js';
export { RouterErrors } from './errors.js';
export type { RouterRoute, RouterFactory } from './router-route.js';
