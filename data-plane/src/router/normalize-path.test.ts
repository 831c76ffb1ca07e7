import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePath } from './normalize-path.js';

describe('normalizePath (Kong kong/tools/uri.lua normalize, merge_slashes)', () => {
  it('returns an already-normal path unchanged (same string)', () => {
    const p = '/api/v1/users.json';
    assert.equal(normalizePath(p), p);
  });
  it('decodes unreserved and "other" characters, keeps reserved ones encoded with upper-case hex', () => {
    assert.equal(normalizePath('/%61%62%7E%2d'), '/ab~-');
    assert.equal(normalizePath('/a%20b'), '/a b');
    assert.equal(normalizePath('/a%2fb%3f%25'), '/a%2Fb%3F%25');
  });
  it('decodes UTF-8 sequences and keeps invalid ones encoded', () => {
    assert.equal(normalizePath('/caf%C3%A9'), '/café');
    assert.equal(normalizePath('/x%C3'), '/x%C3');
  });
  it('leaves a stray % alone', () => {
    assert.equal(normalizePath('/100%'), '/100%');
    assert.equal(normalizePath('/%zz'), '/%zz');
  });
  it('removes dot segments (RFC 3986 5.2.4), never above the root', () => {
    assert.equal(normalizePath('/a/b/../c'), '/a/c');
    assert.equal(normalizePath('/a/./b/.'), '/a/b/');
    assert.equal(normalizePath('/../../a'), '/a');
    assert.equal(normalizePath('/a/..'), '/');
    assert.equal(normalizePath('/a/%2e%2e/b'), '/b');
  });
  it('merges repeated slashes', () => {
    assert.equal(normalizePath('//a///b//'), '/a/b/');
  });
  it('does not treat dots inside a segment as dot segments', () => {
    assert.equal(normalizePath('/a..b/.c/..d'), '/a..b/.c/..d');
  });
});
