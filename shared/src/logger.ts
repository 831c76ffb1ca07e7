// A minimal structured logger: one JSON object per line on stdout/stderr,
// pino-compatible in shape (level, time, msg, fields) so Fastify's logger and
// ours read the same in a log pipeline. Callers pass only fields safe to log.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

export function createLogger(opts: { name: string; level?: LogLevel; bindings?: Record<string, unknown> }): Logger {
  const min = RANK[opts.level ?? 'info'];
  const base = { name: opts.name, ...opts.bindings };
  const emit = (level: Exclude<LogLevel, 'silent'>, obj: object | string, msg?: string): void => {
    if (RANK[level] < min) return;
    const fields = typeof obj === 'string' ? { msg: obj } : { ...serialize(obj), msg };
    const line = JSON.stringify({ level, time: new Date().toISOString(), ...base, ...fields }) + '\n';
    (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (o, m) => emit('debug', o, m),
    info: (o, m) => emit('info', o, m),
    warn: (o, m) => emit('warn', o, m),
    error: (o, m) => emit('error', o, m),
    child: (bindings) => createLogger({ name: opts.name, level: opts.level ?? 'info', bindings: { ...opts.bindings, ...bindings } }),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger({ name: 'silent', level: 'silent' });

function serialize(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v instanceof Error ? { type: v.name, message: v.message, code: (v as { code?: unknown }).code } : v;
  }
  return out;
}
