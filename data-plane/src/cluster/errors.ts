// The data plane's cluster-client error catalog.
import { defineError } from '@portico/shared';

export const ClusterClientErrors = {
  CACHE_INVALID: defineError('PORTICO_ERR_DP_CACHE_INVALID', 500, 'config cache is unreadable or does not match its hash'),
  PUSH_INVALID: defineError('PORTICO_ERR_DP_PUSH_INVALID', 400, 'config push is invalid'),
  FULL_HASH_MISMATCH: defineError('PORTICO_ERR_DP_FULL_HASH_MISMATCH', 409, 'full snapshot does not match its hash'),
  /** A sliced compile finished after shutdown began: the config is not swapped in. */
  SHUTTING_DOWN: defineError('PORTICO_ERR_DP_SHUTTING_DOWN', 503, 'data plane is shutting down'),
} as const;
