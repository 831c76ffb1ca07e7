export { applyDocument, entitiesByType, APPLY_SUMMARY, type ApplyOptions, type ApplyResult } from './apply.js';
export { flattenDocument, FORMAT_VERSION, type FlatEntity } from './flatten.js';
export { planApply, type Plan, type PlannedChange, type FieldChange, type PlanAction } from './plan.js';
export { exportDocument, renderDocument } from './export.js';
export { parseDocumentText } from './parse-text.js';
export { DeclarativeErrors, declarativeBody, invalidConfig, KONG_DECLARATIVE_CODE } from './errors.js';
export { redact, KIND, REDACTED } from './relations.js';
export { stableId, uuidV5 } from './stable-id.js';
