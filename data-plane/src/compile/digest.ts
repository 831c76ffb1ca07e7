// The digest compile keys in-memory state by (plugin chains, proxy-cache
// namespaces): sha256 of a body, its first 16 bytes as 22 base64url
// characters. Encoded from those bytes, not sliced from the whole encoding,
// so the string is flat and keeps nothing else alive; one-shot `hash` costs
// about half of createHash().update().digest() (10,000 bodies: 25–60 ms vs 45–100).
import { hash } from 'node:crypto';

export const shortDigest = (text: string): string => hash('sha256', text, 'buffer').toString('base64url', 0, 16);
