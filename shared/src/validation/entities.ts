// The validators for each entity type, compiled once when this module loads.
// ENTITY_VALIDATORS covers every resource type; its plugins validator checks
// configs against the build's PLUGIN_SCHEMAS (createPluginValidator makes one
// for another registry).
import { CertificateSchema, type Certificate } from '../entities/certificate.js';
import { ConsumerSchema, type Consumer } from '../entities/consumer.js';
import {
  AclSchema,
  BasicAuthCredentialSchema,
  JwtSecretSchema,
  KeyAuthCredentialSchema,
  type Acl,
  type BasicAuthCredential,
  type JwtSecret,
  type KeyAuthCredential,
} from '../entities/credentials.js';
import { RouteSchema, type Route } from '../entities/route.js';
import { ServiceSchema, type Service } from '../entities/service.js';
import { SniSchema, type Sni } from '../entities/sni.js';
import { TargetSchema, type Target } from '../entities/target.js';
import { UpstreamSchema, type Upstream } from '../entities/upstream.js';
import { PLUGIN_SCHEMAS } from '../plugins/index.js';
import type { ResourceType } from '../snapshot.js';
import { certificateEntityChecks, checkSniName } from './certificate-rules.js';
import { consumerEntityChecks, generateFields, jwtEntityChecks } from './credential-rules.js';
import { createEntityValidator, type Body, type EntityValidator } from './entity-validator.js';
import { checkHeaderName, checkHost, checkName, checkPath, checkRouteHeaderName, checkRouterPath, checkSni, checkTag, checkWildcardHost } from './field-checks.js';
import { createPluginValidator, type PluginValidator } from './plugin-rules.js';
import { routeEntityChecks } from './route-rules.js';
import { routeSplitChecks } from './route-split-rules.js';
import { expandServiceUrl, serviceEntityChecks } from './service-rules.js';
import { checkCookieName, checkUpstreamName, targetEntityChecks, upstreamEntityChecks } from './upstream-rules.js';

const tags = { 'tags.*': checkTag } as const;

export const serviceValidator: EntityValidator<Service> = createEntityValidator<Service>({
  name: 'services',
  schema: ServiceSchema,
  checks: { name: checkName, host: checkHost, path: checkPath, ...tags },
  shorthands: expandServiceUrl,
  entityChecks: serviceEntityChecks,
});

export const routeValidator: EntityValidator<Route> = createEntityValidator<Route>({
  name: 'routes',
  schema: RouteSchema,
  checks: {
    name: checkName,
    ...tags,
    'hosts.*': checkWildcardHost,
    'paths.*': checkRouterPath,
    'headers.@key': checkRouteHeaderName,
    'snis.*': checkSni,
    backend_hash_on_header: checkHeaderName,
    backend_hash_on_cookie: checkCookieName,
  },
  // Header names are stored as given (Kong returns them so); the data plane's
  // compile step lower-cases them for matching.
  entityChecks: (entity: Body, input: Body) => routeEntityChecks(entity, input) ?? routeSplitChecks(entity),
});

export const upstreamValidator: EntityValidator<Upstream> = createEntityValidator<Upstream>({
  name: 'upstreams',
  schema: UpstreamSchema,
  checks: {
    name: checkUpstreamName,
    hash_on_header: checkHeaderName,
    hash_fallback_header: checkHeaderName,
    hash_on_cookie: checkCookieName,
    hash_on_cookie_path: checkPath,
    host_header: checkHost,
    'healthchecks.active.http_path': checkPath,
    'healthchecks.active.https_sni': checkSni,
    'healthchecks.active.headers.@key': checkHeaderName,
    ...tags,
  },
  entityChecks: upstreamEntityChecks,
});

export const targetValidator: EntityValidator<Target> = createEntityValidator<Target>({
  name: 'targets',
  schema: TargetSchema,
  checks: tags,
  entityChecks: targetEntityChecks,
});

export const certificateValidator: EntityValidator<Certificate> = createEntityValidator<Certificate>({
  name: 'certificates',
  schema: CertificateSchema,
  checks: tags,
  entityChecks: certificateEntityChecks,
});

export const sniValidator: EntityValidator<Sni> = createEntityValidator<Sni>({
  name: 'snis',
  schema: SniSchema,
  checks: { name: checkSniName, ...tags },
});

export const consumerValidator: EntityValidator<Consumer> = createEntityValidator<Consumer>({
  name: 'consumers',
  schema: ConsumerSchema,
  checks: tags,
  entityChecks: consumerEntityChecks,
});

export const keyAuthValidator: EntityValidator<KeyAuthCredential> = createEntityValidator<KeyAuthCredential>({
  name: 'keyauth_credentials',
  schema: KeyAuthCredentialSchema,
  checks: tags,
  shorthands: generateFields('key'),
});

export const jwtSecretValidator: EntityValidator<JwtSecret> = createEntityValidator<JwtSecret>({
  name: 'jwt_secrets',
  schema: JwtSecretSchema,
  checks: tags,
  shorthands: generateFields('key', 'secret'),
  entityChecks: jwtEntityChecks,
});

/** Validates shape only: hashing the password needs the write context (admin EntityOps). */
export const basicAuthValidator: EntityValidator<BasicAuthCredential> = createEntityValidator<BasicAuthCredential>({
  name: 'basicauth_credentials',
  schema: BasicAuthCredentialSchema,
  checks: tags,
});

export const aclValidator: EntityValidator<Acl> = createEntityValidator<Acl>({
  name: 'acls',
  schema: AclSchema,
  checks: tags,
});

export const pluginValidator: PluginValidator = createPluginValidator(PLUGIN_SCHEMAS);

export const ENTITY_VALIDATORS: { readonly [T in ResourceType]: EntityValidator<unknown> } = {
  certificates: certificateValidator,
  snis: sniValidator,
  services: serviceValidator,
  routes: routeValidator,
  upstreams: upstreamValidator,
  targets: targetValidator,
  consumers: consumerValidator,
  keyauth_credentials: keyAuthValidator,
  jwt_secrets: jwtSecretValidator,
  basicauth_credentials: basicAuthValidator,
  acls: aclValidator,
  plugins: pluginValidator,
};
