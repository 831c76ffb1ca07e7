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
