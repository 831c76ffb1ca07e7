// The logger the cluster server takes. It lives in @portico/shared (one type
// for both planes, pino-compatible so Fastify's logger fits); re-exported here
// so cluster code imports its vocabulary from one place.
export { type Logger, silentLogger } from '@portico/shared';
