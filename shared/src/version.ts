/** Portico's software version, reported by both planes (admin `GET /`, node identity, Via header). */
export const PORTICO_VERSION = '0.1.0';
