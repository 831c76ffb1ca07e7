// Kong's certificates entity checks (kong/db/schema/entities/certificates.lua):
// cert and key must parse, the key must belong to the certificate, and an
// alternative pair must come as a pair, match, and use a different key type.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Body } from './entity-validator.js';
import { checkSni, checkWildcardHost } from './field-checks.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

function parseCert(pem: string): X509Certificate | string {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    return Msg.invalidCert(why(err));
  }
}

function parseKey(pem: string): KeyObject | string {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    return Msg.invalidKey(why(err));
  }
}

export function certificateEntityChecks(entity: Body): FieldErrors | undefined {
  const errors: FieldErrors = {};
  const entityErrors: string[] = [];
  const cert = parseCert(entity['cert'] as string);
  const key = parseKey(entity['key'] as string);
  if (typeof cert === 'string') errors['cert'] = cert;
  if (typeof key === 'string') errors['key'] = key;
  if (typeof cert !== 'string' && typeof key !== 'string' && !cert.checkPrivateKey(key)) entityErrors.push(Msg.certKeyMismatch);

  const certAlt = entity['cert_alt'] as string | null;
  const keyAlt = entity['key_alt'] as string | null;
  if ((certAlt === null) !== (keyAlt === null)) entityErrors.push(Msg.allOrNone(['cert_alt', 'key_alt']));
  else if (certAlt !== null && keyAlt !== null) {
    const c = parseCert(certAlt);
    const k = parseKey(keyAlt);
    if (typeof c === 'string') errors['cert_alt'] = c;
    if (typeof k === 'string') errors['key_alt'] = k;
    if (typeof c !== 'string' && typeof k !== 'string') {
      if (!c.checkPrivateKey(k)) entityErrors.push(Msg.altCertKeyMismatch);
      else if (typeof cert !== 'string' && cert.publicKey.asymmetricKeyType === c.publicKey.asymmetricKeyType) entityErrors.push(Msg.altCertSameType);
    }
  }
  if (entityErrors.length > 0) errors['@entity'] = entityErrors;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** typedefs.wildcard_host for SNI names: at most one `*`, leftmost or rightmost, never an IP or a port. */
export function checkSniName(value: string): string | undefined {
  const wildcard = checkWildcardHost(value);
  if (wildcard !== undefined) return wildcard;
  return checkSni(value.replace(/^\*\./, 'wildcard.').replace(/\.\*$/, '.wildcard'));
}
