// Loads portico/v1/*.proto at start-up (once per process) and exposes the
// typed shapes both planes use. Long integers arrive as JS numbers: config
// versions stay far below 2^53.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { PackedResources, WireCompression } from './packed.js';

export { decodeResourceList, encodeResourceList, type ListedResource } from './resource-list.js';
export { compressResourceList, createCompressor, packResources, pickCompression, unpackResources, unpackResourcesSync, READABLE_COMPRESSIONS, type Compression, type CompressedList, type PackedResources, type WireCompression } from './packed.js';

export const PROTO_DIR = fileURLToPath(new URL('../', import.meta.url));
export const CLUSTER_PROTO = 'portico/v1/cluster.proto';

export interface NodeInfo {
  id: string;
  hostname: string;
  software_version: string;
  labels: Record<string, string>;
}
/** accept_packed: the compressions the node reads in ConfigPush.packed; [] from nodes built before it. */
export interface Hello { node: NodeInfo; version: number; hash: string; accept_packed?: WireCompression[] }
export interface Ack { version: number; nonce: string }
export interface Nack { version: number; nonce: string; error: string; serving_version: number }
export interface ResyncRequest { reason: string }
/** Kong's health words as enum names; UNSPECIFIED only appears when a sender left the field unset. */
export type WireHealthState = 'HEALTH_STATE_UNSPECIFIED' | 'HEALTHY' | 'UNHEALTHY' | 'DNS_ERROR' | 'HEALTHCHECKS_OFF';
export interface WireAddressHealth { ip: string; port: number; health: WireHealthState; weight: number }
export interface WireTargetHealth { target_id: string; target: string; weight: number; health: WireHealthState; addresses: WireAddressHealth[] }
export interface WireUpstreamHealth { upstream_id: string; upstream_name: string; targets: WireTargetHealth[] }
export interface HealthReport { upstreams: WireUpstreamHealth[] }
/** A section that is null was not sent: unchanged since the node's last report on this stream. */
export interface Telemetry { at_ms: number; health: HealthReport | null }
export type DataPlaneMessage =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'ack'; ack: Ack }
  | { kind: 'nack'; nack: Nack }
  | { kind: 'resync'; resync: ResyncRequest }
  | { kind: 'telemetry'; telemetry: Telemetry };

export interface WireResource { type: string; id: string; body: string }
export interface WireResourceRef { type: string; id: string }
export interface ConfigPush {
  version: number;
  nonce: string;
  hash: string;
  full: boolean;
  base_version: number;
  resources: WireResource[];
  removed: WireResourceRef[];
  /** Set instead of `resources` on a large push to a node that accepted it; decoded as null when absent. */
  packed?: PackedResources | null;
}
export type ControlPlaneMessage = { kind: 'push'; push: ConfigPush };

export type ClusterStream = grpc.ClientDuplexStream<DataPlaneMessage, ControlPlaneMessage>;
export type ClusterServerStream = grpc.ServerDuplexStream<DataPlaneMessage, ControlPlaneMessage>;

export interface ClusterClient extends grpc.Client {
  Stream(metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): ClusterStream;
}
export type ClusterClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => ClusterClient;

let loaded: { service: grpc.ServiceDefinition; Client: ClusterClientConstructor } | undefined;

/** The Cluster service definition and client constructor, loaded once. */
export function clusterProto(): { service: grpc.ServiceDefinition; Client: ClusterClientConstructor } {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(CLUSTER_PROTO, {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    portico: { v1: { Cluster: grpc.ServiceClientConstructor } };
  };
  const Cluster = pkg.portico.v1.Cluster;
  loaded = { service: Cluster.service, Client: Cluster as unknown as ClusterClientConstructor };
  return loaded;
}
