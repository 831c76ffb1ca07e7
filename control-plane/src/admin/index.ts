export { buildAdminApp, type AdminAppOptions } from './app.js';
export { AdminErrors } from './errors.js';
export { toResponse } from './error-mapper.js';
export { VERSION_HEADER } from './endpoint.js';
export { EntityOps, type EntityHooks, type Reader, type Scope, type Written } from './entity-ops.js';
export { createEntityOps, type EntityOpsSet } from './entity-kinds.js';
