// The cluster server's error catalog. Messages travel to data planes as gRPC
// status details, so they never carry the token or anything the node sent.
import { defineError } from '@portico/shared';

export const ClusterErrors = {
  UNAUTHENTICATED: defineError('PORTICO_ERR_CLUSTER_UNAUTHENTICATED', 401, 'missing or invalid cluster token'),
  HELLO_REQUIRED: defineError('PORTICO_ERR_CLUSTER_HELLO_REQUIRED', 400, 'the first message on a cluster stream must be hello with a node id'),
  HELLO_TIMEOUT: defineError('PORTICO_ERR_CLUSTER_HELLO_TIMEOUT', 408, 'no hello received in time'),
  PROTOCOL: defineError('PORTICO_ERR_CLUSTER_PROTOCOL', 400, 'unexpected message on cluster stream'),
  REPLACED: defineError('PORTICO_ERR_CLUSTER_REPLACED', 409, 'a newer stream for the same node id replaced this one'),
  SHUTTING_DOWN: defineError('PORTICO_ERR_CLUSTER_SHUTTING_DOWN', 503, 'control plane is shutting down'),
  INVALID_LISTEN: defineError('PORTICO_ERR_CLUSTER_INVALID_LISTEN', 500, 'cluster listen address must be host:port'),
  BIND_FAILED: defineError('PORTICO_ERR_CLUSTER_BIND_FAILED', 500, 'cluster server could not bind its port'),
} as const;
