// The router's error catalog. The compile step turns these into a
// SNAPSHOT_INVALID NACK; the router itself never throws while matching.
import { defineError } from '@portico/shared';

export const RouterErrors = {
  ROUTE_INVALID: defineError('PORTICO_ERR_ROUTER_ROUTE_INVALID', 400, 'route cannot be compiled into the router'),
} as const;
