export { compileSchema, isUuid, type FieldError, type Node, type NodeKind, type CustomChecks, type CustomCheck, type Checked } from './compile-schema.js';
export { coerce, coerceFields } from './coerce.js';
export { createEntityValidator, type EntityDefinition, type EntityValidator, type ValidationResult, type ValidateOptions, type Body } from './entity-validator.js';
export { luaPretty, schemaViolationMessage, type FieldErrors } from './kong-format.js';
export { Msg as ValidationMessages } from './messages.js';
export * from './field-checks.js';
export { expandServiceUrl } from './service-rules.js';
export { serviceValidator, routeValidator, ENTITY_VALIDATORS } from './entities.js';
