export * from './store/index.js';
export { startControlPlane, type ControlPlaneOptions, type RunningControlPlane } from './main.js';
export { main as cpMain, CP_COMMAND } from './cli.js';
export { main as demoMain } from './demo/demo.js';
export * from './snapshot/index.js';
export * from './cluster/index.js';
export * from './admin/index.js';
