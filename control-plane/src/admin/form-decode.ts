// Kong's form decoding (kong/api/arguments.lua `decode_args`): flat
// `key=value` pairs become nested structures. `paths[]=/a&paths[]=/b` and
// repeated `paths=/a&paths=/b` make arrays, `paths[1]=/a` sets a 1-based index,
// `service.id=…` and `headers[x-foo]=a` make objects. Objects are created
// without a prototype so a key like `__proto__` is only ever data.
type Tree = Record<string, unknown>;

const tree = (): Tree => Object.create(null) as Tree;

/** Splits `a.b[c][]` into ['a', 'b', 'c', '']; '' means "append". */
function segments(key: string): string[] {
  const out: string[] = [];
  const re = /\[([^\]]*)\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null) out.push(m[1] ?? m[2] ?? '');
  return out.length > 0 ? out : [key];
}

function assign(target: Tree | unknown[], segs: string[], value: string): void {
  const [head = '', ...rest] = segs;
  const isIndex = /^[1-9]\d*$/.test(head);
  if (Array.isArray(target)) {
    const i = head === '' ? target.length : isIndex ? Number(head) - 1 : -1;
    if (i < 0) return; // a named key under an array: Kong drops it too
    if (rest.length === 0) target[i] = value;
    else target[i] = descend(target[i], rest, value);
    return;
  }
  if (rest.length === 0) {
    const prev = target[head];
    // A repeated plain key accumulates into an array, as ngx's get_post_args does.
    target[head] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    return;
  }
  target[head] = descend(target[head], rest, value);
}

function descend(current: unknown, rest: string[], value: string): unknown {
  const wantsArray = rest[0] === '' || /^[1-9]\d*$/.test(rest[0] ?? '');
  let next = current;
  if (typeof next !== 'object' || next === null) next = wantsArray ? [] : tree();
  assign(next as Tree | unknown[], rest, value);
  return next;
}

/** Decodes ordered key/value pairs (form body, multipart fields, query string) into a nested object. */
export function decodeArgs(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out = tree();
  for (const [key, value] of pairs) {
    if (key === '') continue;
    assign(out, segments(key), value);
  }
  // Holes left by sparse 1-based indexes become nulls (JSON has no holes).
  return fillHoles(out) as Record<string, unknown>;
}

function fillHoles(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from(v, (x) => (x === undefined ? null : fillHoles(x)));
  if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) (v as Tree)[k] = fillHoles((v as Tree)[k]);
  return v;
}

export function decodeForm(body: string): Record<string, unknown> {
  return decodeArgs(new URLSearchParams(body));
}

/** Text fields of a multipart/form-data body (files are not entity fields and are ignored). */
export function decodeMultipart(body: string, contentType: string): Record<string, unknown> | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return undefined;
  const pairs: [string, string][] = [];
  for (const part of body.split(`--${b}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined || /\bfilename=/i.test(head)) continue;
    pairs.push([name, part.slice(split + 4).replace(/\r\n$/, '')]);
  }
  return decodeArgs(pairs);
}
