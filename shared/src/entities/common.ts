// Building blocks shared by every entity schema. Field shapes follow Kong's
// typedefs (kong/db/schema/typedefs.lua) so admin payloads match Kong's.
import { Type, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid' });
/** Kong's auto_timestamp_s: integer seconds since the epoch. */
export const TimestampS = Type.Integer({ minimum: 0 });
export const Tags = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { uniqueItems: true }), Type.Null()]);
/** A reference to another entity, as Kong stores and returns it: `{"id": "…"}`. */
export const ForeignRef = Type.Object({ id: Uuid }, { additionalProperties: false });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'] as const;
export const Protocol = Type.Union(PROTOCOLS.map((p) => Type.Literal(p)));
export type ProtocolName = (typeof PROTOCOLS)[number];
