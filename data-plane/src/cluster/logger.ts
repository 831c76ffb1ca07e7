// The logger the cluster client takes: one type for both planes lives in
// @portico/shared (pino-compatible); re-exported so cluster code has one import.
export { type Logger, silentLogger } from '@portico/shared';
