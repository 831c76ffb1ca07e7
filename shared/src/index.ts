export * from './entities/common.js';
export * from './entities/service.js';
export * from './entities/route.js';
export * from './snapshot.js';
export * from './errors.js';
