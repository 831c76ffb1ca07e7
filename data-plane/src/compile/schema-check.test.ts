// The data plane's entity check: TypeBox's generated code, except the sets
// (protocols, methods, tags), whose duplicates schema-check.ts finds itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaViolation } from './schema-check.js';
import { consumer, route, uuid } from './test-fixtures.js';

const body = (r: { body: string }): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;

describe('schemaViolation', () => {
  it('passes a complete route, sets included', () => {
    assert.equal(schemaViolation('routes', body(route(uuid(), uuid(), { methods: ['GET', 'POST'], tags: ['a', 'b'] }))), null);
  });

  it('names a set field that repeats an element: protocols, methods, tags', () => {
    const cases: [string, unknown][] = [
      ['protocols', ['http', 'https', 'http']],
      ['methods', ['GET', 'GET']],
      ['tags', Array.from({ length: 20 }, (_, i) => `t${i % 19}`)], // past the pairwise scan's length
    ];
    for (const [field, value] of cases) {
      assert.equal(schemaViolation('routes', body(route(uuid(), uuid(), { [field]: value }))), `${field}: Expected array elements to be unique`, field);
    }
    assert.equal(schemaViolation('consumers', body(consumer(uuid(), { username: 'u', tags: ['x', 'x'] }))), 'tags: Expected array elements to be unique');
  });

  it('reports any other violation first, as TypeBox words it', () => {
    const violation = schemaViolation('routes', body(route(uuid(), uuid(), { methods: ['GET', 'GET'], regex_priority: 'high' })));
    assert.match(violation ?? '', /^regex_priority: /);
  });
});
