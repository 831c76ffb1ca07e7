// Portico's route additions beyond field types: `backends` (a weighted split)
// replaces `service` rather than adding to it, the sticky-split conditionals
// in the shape of Kong's upstream `hash_on` ones, and a split that can carry
// traffic. Messages use Kong's wording where Kong has one for the same rule.
import type { Body } from './entity-validator.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

type Ref = { id: string };
type Backend = { service: Ref; weight: number };

// Kong's `conditional` entity checks, as for upstreams' hash_on_header / hash_on_cookie.
const REQUIRES = [
  { is: 'header', field: 'backend_hash_on_header' },
  { is: 'cookie', field: 'backend_hash_on_cookie' },
] as const;

export function routeSplitChecks(entity: Body): FieldErrors | undefined {
  const errors: FieldErrors = {};
  const entityErrors: string[] = [];
  const backends = entity['backends'] as Backend[] | null;

  if (backends !== null && entity['service'] !== null) entityErrors.push(Msg.mutuallyExclusive(['service', 'backends']));
  if (backends !== null) {
    const seen = new Map<string, number>();
    const dup: (string | null)[] = backends.map(() => null);
    backends.forEach((b, i) => {
      const first = seen.get(b.service.id);
      if (first === undefined) seen.set(b.service.id, i);
      else dup[i] = Msg.backendTwice(first + 1);
    });
    if (dup.some((d) => d !== null)) errors['backends'] = dup;
    else if (!backends.some((b) => b.weight > 0)) errors['backends'] = Msg.backendsNoWeight;
  }
  for (const rule of REQUIRES) {
    if (entity['backend_hash_on'] !== rule.is || entity[rule.field] !== null) continue;
    errors[rule.field] = Msg.REQUIRED;
    entityErrors.push(Msg.conditional('backend_hash_on'));
  }
  if (entityErrors.length > 0) errors['@entity'] = entityErrors;
  return Object.keys(errors).length > 0 ? errors : undefined;
}
