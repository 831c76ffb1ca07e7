// Kong's services entity beyond field types (kong/db/schema/entities/services.lua):
// the `url` shorthand and the protocol conditionals.
import type { FieldErrors } from './kong-format.js';
import type { Body } from './entity-validator.js';
import { Msg } from './messages.js';

// scheme, authority, path, as LuaSocket's url.parse splits them.
const URL_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)/;

/**
 * `url: "https://example.com:8443/api"` → protocol, host, port, path. Like
 * Kong: no port means 80 for http, 443 for https (else 80); no scheme is
 * guessed from port 80/443; no path means null.
 */
export function expandServiceUrl(input: Body): { input: Body; errors?: FieldErrors } {
  if (!('url' in input)) return { input };
  const { url, ...rest } = input;
  if (url === null || url === undefined) return { input: rest };
  if (typeof url !== 'string') return { input: rest, errors: { url: Msg.STRING } };
  const m = URL_RE.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  let authority = m?.[2] ?? '';
  const path = m?.[3] ?? '';
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  let host = authority;
  let portText: string | undefined;
  const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  if (pm) {
    host = pm[1] ?? '';
    portText = pm[2] === '' ? undefined : pm[2];
  }
  const port = portText === undefined ? undefined : Number(portText);
  const protocol = scheme ?? (port === 80 ? 'http' : port === 443 ? 'https' : 'http');
  return {
    input: {
      ...rest,
      protocol,
      host: host === '' ? null : host,
      port: port ?? (protocol === 'https' ? 443 : 80),
      path: path === '' ? null : path,
    },
  };
}

const NO_PATH = new Set(['tcp', 'tls', 'tls_passthrough', 'udp', 'grpc', 'grpcs']);
const TLS_ONLY_FIELDS = ['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates'] as const;

/** Kong's `conditional` entity checks on `protocol`. */
export function serviceEntityChecks(entity: Body): FieldErrors | undefined {
  const protocol = entity['protocol'] as string;
  const errors: FieldErrors = {};
  if (NO_PATH.has(protocol) && entity['path'] !== null) errors['path'] = Msg.eqNull;
  if (protocol !== 'https' && protocol !== 'tls') {
    for (const f of TLS_ONLY_FIELDS) if (entity[f] !== null) errors[f] = Msg.eqNull;
  }
  if (Object.keys(errors).length === 0) return undefined;
  const n = Object.keys(errors).length;
  errors['@entity'] = new Array<string>(n).fill(Msg.conditional('protocol'));
  return errors;
}
