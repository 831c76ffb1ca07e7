// The literal text every match of an anchored regex path must start with
// (`~/users/\d+` → `/users/`). The router files a regex route under that
// prefix in its path tree, so a request only runs the regexes whose literal
// prefix it carries instead of every regex route (Kong runs them all).
// Conservative by construction: when in doubt the prefix is cut short, and an
// empty prefix simply means "try this regex on every path".

const META = new Set(['^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

export function regexLiteralPrefix(pattern: string): string {
  if (hasTopLevelAlternation(pattern)) return '';
  let i = pattern.startsWith('^') ? 1 : 0;
  let out = '';
  while (i < pattern.length) {
    const c = pattern[i]!;
    let literal: string;
    let width = 1;
    if (c === '\\') {
      const n = pattern[i + 1];
      // `\.` `\/` `\-` are literals; `\d` `\b` `\1` … are classes or assertions.
      if (n === undefined || /[A-Za-z0-9]/.test(n)) break;
      literal = n;
      width = 2;
    } else if (META.has(c)) {
      break;
    } else {
      literal = c;
    }
    const q = pattern[i + width];
    if (q === '?' || q === '*' || q === '{') break; // the literal may be absent
    out += literal;
    if (q === '+') break; // present at least once, but what follows varies
    i += width;
  }
  return out;
}

/** Does the pattern have a `|` outside any group or class? */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
