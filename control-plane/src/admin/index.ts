export { buildAdminApp, type AdminAppOptions } from './app.js';
export { AdminErrors } from './errors.js';
export { toResponse } from './error-mapper.js';
export { VERSION_HEADER } from './endpoint.js';
