// Flag parsing for the `portico` subcommands: exact `--flag value` options,
// each also readable from `PORTICO_<FLAG>` (dashes → underscores, upper-case),
// with flags winning over the environment. `--help` prints the generated usage.
import { parseArgs } from 'node:util';

export interface FlagSpec {
  description: string;
  type: 'string' | 'boolean';
  default?: string | boolean;
  /** Shown instead of the default in help (e.g. "hostname"). */
  defaultLabel?: string;
}

export interface CommandSpec {
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
}

export type ParsedFlags = Record<string, string | boolean | undefined>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const envName = (flag: string): string => `PORTICO_${flag.replace(/-/g, '_').toUpperCase()}`;

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [flag, f] of Object.entries(spec.flags)) {
    const def = f.defaultLabel ?? (f.default === undefined ? '' : String(f.default));
    lines.push(`  --${flag}${f.type === 'string' ? ' VALUE' : ''}`.padEnd(34) + f.description + (def ? ` (default: ${def})` : '') + `  [env ${envName(flag)}]`);
  }
  lines.push('  --help'.padEnd(34) + 'Show this help');
  return lines.join('\n');
}

/** Parses argv; returns null when --help was printed. Throws UsageError on bad flags. */
export function parseFlags(spec: CommandSpec, argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedFlags | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [flag, f] of Object.entries(spec.flags)) options[flag] = { type: f.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${helpText(spec)}`);
  }
  if (values['help']) {
    process.stdout.write(helpText(spec) + '\n');
    return null;
  }
  const out: ParsedFlags = {};
  for (const [flag, f] of Object.entries(spec.flags)) {
    const fromEnv = env[envName(flag)];
    let v = values[flag];
    if (v === undefined && fromEnv !== undefined && fromEnv !== '') v = f.type === 'boolean' ? /^(1|true|yes|on)$/i.test(fromEnv) : fromEnv;
    out[flag] = v ?? f.default;
  }
  return out;
}

/** Splits `host:port` (IPv6 as `[::1]:8000`), checking the port. */
export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--${flag} must be HOST:PORT, got '${value}'`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
