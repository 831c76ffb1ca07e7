// The router's public surface.
export { createTraditionalRouter } from './traditional-router.js';
export { normalizePath } from './normalize-path.js';
export { RouterErrors } from './errors.js';
export type { RouterRoute, RouterFactory } from './router-route.js';
