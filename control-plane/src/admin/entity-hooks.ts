// The per-type behaviour Kong's DAOs add on top of the schemas: targets and
// ACL groups named within their parent, basic-auth passwords hashed on write,
// and certificates that carry their SNIs (the `snis` shorthand, written in the
// same transaction, shown in responses, and certificates found by SNI name).
import { hashBasicAuthPassword, normalizeTarget, ValidationMessages } from '@portico/shared';
import type { EntityBody, WriteTx } from '../store/store.js';
import type { EntityHooks, EntityOps, Reader } from './entity-ops.js';
import { schemaViolation } from './errors.js';

export const targetHooks: EntityHooks = {
  scopedKey: { field: 'target', parent: 'upstream', normalize: (key) => normalizeTarget(key) ?? key },
};

export const aclHooks: EntityHooks = { scopedKey: { field: 'group', parent: 'consumer' } };

export const basicAuthHooks: EntityHooks = {
  // Hash whatever password the caller sent, unless it is the stored hash sent
  // back unchanged (a PUT of a body read from the API or an export).
  finish(entity, { input, existing }) {
    const given = input['password'];
    if (typeof given !== 'string') return;
    if (existing && given === existing['password']) return;
    entity['password'] = hashBasicAuthPassword(given);
  },
};

const certId = (sni: EntityBody): string | undefined => (sni['certificate'] as { id?: string } | null)?.id;

/** Certificates' hooks need the snis ops, to write and list the certificate's SNIs. */
export function certificateHooks(snis: () => EntityOps): EntityHooks {
  const namesOf = (certificateId: string) =>
    snis()
      .all({ column: 'certificate_id', value: certificateId })
      .map((s) => s['name'] as string)
      .sort();

  return {
    extract: ['snis'],
    lookup(key: string, reader: Reader) {
      const sni = reader.findBy('snis', 'name', key);
      const id = sni ? certId(sni) : undefined;
      return id === undefined ? undefined : reader.get('certificates', id);
    },
    render: (entity) => ({ ...entity, snis: namesOf(entity.id) }),
    afterWrite(tx: WriteTx, entity, extracted) {
      if (!('snis' in extracted)) return;
      const wanted = checkSniList(extracted['snis']);
      const current = snis().all({ column: 'certificate_id', value: entity.id });
      for (const sni of current) if (!wanted.includes(sni['name'] as string)) tx.remove('snis', sni.id);
      const errors: (string | null)[] = wanted.map(() => null);
      wanted.forEach((name, i) => {
        const other = tx.findBy('snis', 'name', name);
        if (!other) snis().insertIn(tx, { name, certificate: { id: entity.id } });
        else if (certId(other) !== entity.id) errors[i] = `${name} already associated with existing certificate '${certId(other) ?? ''}'`;
      });
      if (errors.some((e) => e !== null)) throw schemaViolation({ snis: errors });
    },
  };
}

function checkSniList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v): v is string => typeof v === 'string')) throw schemaViolation({ snis: ValidationMessages.SET });
  return [...new Set(list)];
}
