// Numbered, forward-only schema migrations. A migration runs once, inside a
// transaction, and is recorded in schema_migrations; never edit a shipped one.
import type { Database } from 'better-sqlite3';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'core',
    sql: `
      CREATE TABLE config_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      );
      INSERT INTO config_version (id, version) VALUES (1, 0);

      -- One row per committed write: the history later issues build rollback on.
      CREATE TABLE config_changes (
        version INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        summary TEXT NOT NULL
      );

      CREATE TABLE tombstones (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (type, id)
      );
      CREATE INDEX tombstones_version ON tombstones (version);

      CREATE TABLE services (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX services_version ON services (version);

      CREATE TABLE routes (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE,
        service_id TEXT REFERENCES services (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX routes_version ON routes (version);
      CREATE INDEX routes_service ON routes (service_id);
    `,
  },
  {
    id: 2,
    name: 'kong-core-entities',
    // Foreign keys are RESTRICT at the SQLite level: Kong's cascades run in
    // Store.removeRow so each cascaded row leaves a tombstone.
    sql: `
      CREATE TABLE certificates (
        id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE snis (
        id TEXT PRIMARY KEY, name TEXT UNIQUE,
        certificate_id TEXT REFERENCES certificates (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      ALTER TABLE services ADD COLUMN client_certificate_id TEXT REFERENCES certificates (id) ON DELETE RESTRICT;
      CREATE TABLE upstreams (
        id TEXT PRIMARY KEY, name TEXT UNIQUE,
        client_certificate_id TEXT REFERENCES certificates (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE targets (
        id TEXT PRIMARY KEY, target TEXT NOT NULL,
        upstream_id TEXT NOT NULL REFERENCES upstreams (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
        UNIQUE (upstream_id, target)
      );
      CREATE TABLE consumers (
        id TEXT PRIMARY KEY, username TEXT UNIQUE, custom_id TEXT UNIQUE,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE keyauth_credentials (
        id TEXT PRIMARY KEY, key TEXT UNIQUE,
        consumer_id TEXT NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE jwt_secrets (
        id TEXT PRIMARY KEY, key TEXT UNIQUE,
        consumer_id TEXT NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE basicauth_credentials (
        id TEXT PRIMARY KEY, username TEXT UNIQUE,
        consumer_id TEXT NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      CREATE TABLE acls (
        id TEXT PRIMARY KEY, "group" TEXT NOT NULL,
        consumer_id TEXT NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
        UNIQUE (consumer_id, "group")
      );
      CREATE TABLE plugins (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, instance_name TEXT UNIQUE,
        service_id TEXT REFERENCES services (id) ON DELETE RESTRICT,
        route_id TEXT REFERENCES routes (id) ON DELETE RESTRICT,
        consumer_id TEXT REFERENCES consumers (id) ON DELETE RESTRICT,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL
      );
      -- Kong allows one plugin of a name per (service, route, consumer) scope.
      CREATE UNIQUE INDEX plugins_scope ON plugins (name, ifnull(service_id, ''), ifnull(route_id, ''), ifnull(consumer_id, ''));
      CREATE INDEX plugins_service ON plugins (service_id);
      CREATE INDEX plugins_route ON plugins (route_id);
      CREATE INDEX plugins_consumer ON plugins (consumer_id);
      CREATE INDEX snis_certificate ON snis (certificate_id);
      CREATE INDEX keyauth_consumer ON keyauth_credentials (consumer_id);
      CREATE INDEX jwt_consumer ON jwt_secrets (consumer_id);
      CREATE INDEX basicauth_consumer ON basicauth_credentials (consumer_id);
      ${['certificates', 'snis', 'upstreams', 'targets', 'consumers', 'keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls', 'plugins']
        .map((t) => `CREATE INDEX ${t}_version ON ${t} (version);`)
        .join('\n      ')}
    `,
  },
  {
    id: 3,
    name: 'config-history',
    // Each committed version keeps its change set: one row per row-write, with
    // the body before and after (NULL for create / delete), in write order, so
    // a rollback replays them backwards. Versions committed before this
    // migration have no change set; config_history_start says where it begins.
    sql: `
      CREATE TABLE config_history (
        seq INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        before TEXT,
        after TEXT
      );
      CREATE INDEX config_history_version ON config_history (version);
      CREATE TABLE config_history_start (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO config_history_start (id, version) SELECT 1, version FROM config_version;
    `,
  },
  {
    id: 4,
    name: 'route-service-refs',
    // The services a route names inside its body (backends[].service,
    // mirror.service), one row per (route, field, service), rewritten in the
    // same transaction as the route row. Derived data: not versioned, no
    // tombstones. The foreign keys make SQLite refuse to delete a service a
    // route still names, also when checks are deferred to commit (restore).
    sql: `
      CREATE TABLE route_service_refs (
        owner_id TEXT NOT NULL REFERENCES routes (id) ON DELETE RESTRICT,
        field TEXT NOT NULL,
        ref_id TEXT NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
        PRIMARY KEY (owner_id, field, ref_id)
      );
      CREATE INDEX route_service_refs_ref ON route_service_refs (ref_id);
      INSERT OR IGNORE INTO route_service_refs (owner_id, field, ref_id)
        SELECT r.id, 'backends', json_extract(b.value, '$.service.id') FROM routes r, json_each(r.body, '$.backends') b
        WHERE json_type(r.body, '$.backends') = 'array';
      INSERT OR IGNORE INTO route_service_refs (owner_id, field, ref_id)
        SELECT id, 'mirror', json_extract(body, '$.mirror.service.id') FROM routes WHERE json_extract(body, '$.mirror.service.id') IS NOT NULL;
    `,
  },
];

export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  const ran: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, Math.floor(Date.now() / 1000));
    })();
    ran.push(m.id);
  }
  return ran;
}
