// Kong's pagination and tag filters for collection endpoints
// (kong/api/endpoints.lua extract_options / get_page_size, kong/db/dao validate_size).
import type { ListOptions, Page } from '../store/store.js';
import { invalidSize } from './errors.js';

const DEFAULT_SIZE = 100;
const MAX_SIZE = 1000;
// printable ASCII except ',' and '/', plus non-ASCII
const TAG = String.raw`[\x20-\x2B\x2D\x2E\x30-\x7E\u0080-\uFFFF]+`;
const TAGS_AND = new RegExp(`^(${TAG}(?:,|$))+$`);
const TAGS_OR = new RegExp(`^(${TAG}(?:/|$))+$`);

export interface ListQuery {
  options: ListOptions;
  /** Extra query text Kong carries into `next` (`&tags=…&size=…`). */
  carry: string;
}

const first = (v: unknown): string | undefined => (Array.isArray(v) ? first(v[0]) : typeof v === 'string' ? v : undefined);

export function parseListQuery(query: unknown): ListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  let carry = '';
  let size = DEFAULT_SIZE;
  const sizeText = first(q['size']);
  if (sizeText !== undefined) {
    size = Number(sizeText);
    if (sizeText.trim() === '' || Number.isNaN(size)) throw invalidSize('size must be a number');
    if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) throw invalidSize(`size must be an integer between 1 and ${MAX_SIZE}`);
    carry += `&size=${size}`;
  }
  const options: ListOptions = { size };
  const offset = first(q['offset']);
  if (offset !== undefined) options.offset = offset;
  const tags = first(q['tags']);
  if (tags !== undefined) {
    carry = `&tags=${encodeURIComponent(tags)}${carry}`;
    if (TAGS_AND.test(tags)) options.tags = tags.split(',').filter(Boolean);
    else if (TAGS_OR.test(tags)) {
      options.tags = tags.split('/').filter(Boolean);
      options.tagsMode = 'or';
    } else options.tags = [tags];
  }
  return { options, carry };
}

/** Kong's collection body: `{data, offset, next}` (offset only when there is a next page). */
export function pageBody(page: Page, basePath: string, carry: string): Record<string, unknown> {
  if (page.offset === null) return { data: page.data, next: null };
  return { data: page.data, offset: page.offset, next: `${basePath}?offset=${encodeURIComponent(page.offset)}${carry}` };
}
