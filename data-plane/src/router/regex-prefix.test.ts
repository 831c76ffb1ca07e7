import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { regexLiteralPrefix } from './regex-prefix.js';

describe('regexLiteralPrefix (where a regex path is filed in the path tree)', () => {
  it('takes literal characters up to the first metacharacter', () => {
    assert.equal(regexLiteralPrefix('/users/\\d+'), '/users/');
    assert.equal(regexLiteralPrefix('/a/(b|c)'), '/a/');
    assert.equal(regexLiteralPrefix('/v1\\.0/x'), '/v1.0/x');
  });
  it('drops a character made optional by a quantifier, keeps one made repeatable', () => {
    assert.equal(regexLiteralPrefix('/users?/x'), '/user');
    assert.equal(regexLiteralPrefix('/ab*'), '/a');
    assert.equal(regexLiteralPrefix('/ab{0,2}'), '/a');
    assert.equal(regexLiteralPrefix('/ab+c'), '/ab');
  });
  it('gives no prefix for a top-level alternation', () => {
    assert.equal(regexLiteralPrefix('/a|/b'), '');
    assert.equal(regexLiteralPrefix('/(a|b)'), '/');
    assert.equal(regexLiteralPrefix('/[|]x'), '/');
  });
  it('skips a leading ^ and stops at class escapes', () => {
    assert.equal(regexLiteralPrefix('^/api'), '/api');
    assert.equal(regexLiteralPrefix('/\\w+'), '/');
  });
});
