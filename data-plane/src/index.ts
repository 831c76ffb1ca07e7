export { startDataPlane, type DataPlaneOptions, type RunningDataPlane } from './main.js';
export { main as dpMain, DP_COMMAND } from './cli.js';
export { compile } from './compile/compile.js';
export type * from './compile/types.js';
