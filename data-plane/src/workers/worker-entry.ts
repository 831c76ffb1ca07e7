// The file node:cluster forks for each worker of `portico dp --workers N`.
import { runWorker } from './worker.js';

runWorker();
