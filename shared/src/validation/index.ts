export { compileSchema, isUuid, type FieldError, type Node, type NodeKind, type CustomChecks, type CustomCheck, type Checked } from './compile-schema.js';
export { coerce, coerceFields } from './coerce.js';
export { createEntityValidator, type EntityDefinition, type EntityValidator, type ValidationResult, type ValidateOptions, type Body } from './entity-validator.js';
export { luaPretty, schemaViolationMessage, type FieldErrors } from './kong-format.js';
export { Msg as ValidationMessages } from './messages.js';
export * from './field-checks.js';
export { expandServiceUrl } from './service-rules.js';
export { normalizeTarget, checkUpstreamName, checkCookieName } from './upstream-rules.js';
export { checkSniName } from './certificate-rules.js';
export { randomCredential, hashBasicAuthPassword, verifyBasicAuthPassword, isHashedPassword } from './credential-rules.js';
export { createPluginValidator, deepMerge, HTTP_PROTOCOLS, type PluginRegistry, type PluginValidator } from './plugin-rules.js';
export {
  serviceValidator,
  routeValidator,
  upstreamValidator,
  targetValidator,
  certificateValidator,
  sniValidator,
  consumerValidator,
  keyAuthValidator,
  jwtSecretValidator,
  basicAuthValidator,
  aclValidator,
  pluginValidator,
  ENTITY_VALIDATORS,
} from './entities.js';
