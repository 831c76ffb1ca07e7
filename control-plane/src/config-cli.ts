// `portico config dump|diff|apply`: decK's gateway dump / diff / sync against
// a Portico admin API. The diff is computed by the server (`POST
// /config?dry_run=true`); this file only reads files, calls the API and
// prints. Exit codes: 0 success; 1 the API refused or could not be reached;
// 2 bad usage, or — only with `diff --non-zero-exit-code`, as in decK — a diff
// was found.
import { readFileSync, writeFileSync } from 'node:fs';
import { helpText, parseFlags, UsageError, type CommandSpec, type FlagSpec, type ParsedFlags } from '@portico/shared';

const CONNECTION: Record<string, FlagSpec> = {
  'admin-url': { type: 'string', default: 'http://127.0.0.1:8001', description: 'Admin API base URL' },
  'admin-token': { type: 'string', description: 'Admin token, sent as Authorization: Bearer (prefer the env var)' },
};

export const CONFIG_COMMANDS: Record<'dump' | 'diff' | 'apply', CommandSpec> = {
  dump: {
    usage: 'portico config dump [-o FILE] [--format yaml|json]',
    summary: 'Write the whole current config as a _format_version 3.0 document (stdout unless -o).',
    flags: {
      ...CONNECTION,
      output: { type: 'string', description: 'File to write (-o)' },
      format: { type: 'string', default: 'yaml', description: 'yaml | json' },
    },
  },
  diff: {
    usage: 'portico config diff FILE [--non-zero-exit-code]',
    summary: 'Show what applying FILE would create, update and delete. Changes nothing.',
    flags: {
      ...CONNECTION,
      'non-zero-exit-code': { type: 'boolean', default: false, description: 'Exit 2 when there is a diff, 0 when there is none (decK)' },
    },
  },
  apply: {
    usage: 'portico config apply FILE [--dry-run]',
    summary: 'Make the config equal FILE in one atomic, versioned write, printing the changes.',
    flags: {
      ...CONNECTION,
      'dry-run': { type: 'boolean', default: false, description: 'Print the changes without applying them' },
    },
  },
};

interface PlannedChange {
  action: 'create' | 'update' | 'delete';
  kind: string;
  name: string;
  fields?: { field: string; old?: unknown; new?: unknown }[];
}

interface PlanBody {
  version: number;
  summary: { created: number; updated: number; deleted: number };
  changes: PlannedChange[];
}

export async function main(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(overview() + '\n');
    return;
  }
  if (sub !== 'dump' && sub !== 'diff' && sub !== 'apply') throw new UsageError(`unknown subcommand '${sub}'\n\n${overview()}`);
  const spec = CONFIG_COMMANDS[sub];
  const { flags: flagArgs, positionals } = splitArgs(rest, spec);
  const f = parseFlags(spec, flagArgs);
  if (!f) return;
  const api = new AdminClient(String(f['admin-url']), f['admin-token'] as string | undefined);
  try {
    if (sub === 'dump') return await dump(api, f, positionals);
    const file = onePositional(positionals, spec);
    const text = readDocument(file);
    const plan = await api.plan(text, file);
    process.stdout.write(formatPlan(plan));
    if (sub === 'diff') {
      if (f['non-zero-exit-code'] && plan.changes.length > 0) process.exitCode = 2;
      return;
    }
    if (f['dry-run'] || plan.changes.length === 0) return;
    const version = await api.apply(text, file);
    process.stdout.write(`applied: config version ${version}\n`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    process.stderr.write(`Error: ${err.message}\n`);
    process.exitCode = 1;
  }
}

async function dump(api: AdminClient, f: ParsedFlags, positionals: string[]): Promise<void> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${helpText(CONFIG_COMMANDS.dump)}`);
  const format = String(f['format']);
  if (format !== 'yaml' && format !== 'json') throw new UsageError(`--format must be yaml or json, got '${format}'`);
  const text = await api.dump(format);
  const out = f['output'] as string | undefined;
  if (out === undefined || out === '-') process.stdout.write(text);
  else writeFileSync(out, text);
}

/** decK's diff lines and summary. */
export function formatPlan(plan: PlanBody): string {
  const lines: string[] = [];
  for (const c of plan.changes) {
    const verb = c.action === 'create' ? 'creating' : c.action === 'update' ? 'updating' : 'deleting';
    const fields = c.fields?.length ? ` {${c.fields.map((x) => `${x.field}: ${show(x.old)} → ${show(x.new)}`).join(', ')}}` : '';
    lines.push(`${verb} ${c.kind} ${c.name}${fields}`);
  }
  lines.push('Summary:', `  Created: ${plan.summary.created}`, `  Updated: ${plan.summary.updated}`, `  Deleted: ${plan.summary.deleted}`);
  return lines.join('\n') + '\n';
}

const show = (v: unknown): string => (v === undefined ? 'null' : JSON.stringify(v));

class ApiError extends Error {}

/** The admin calls this command makes; every failure becomes an ApiError carrying Kong's message. */
class AdminClient {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
  ) {}

  async dump(format: 'yaml' | 'json'): Promise<string> {
    return (await this.call('GET', `/config?format=${format}`)).text;
  }

  async plan(text: string, file: string): Promise<PlanBody> {
    return JSON.parse((await this.call('POST', '/config?dry_run=true', text, contentTypeOf(file))).text) as PlanBody;
  }

  async apply(text: string, file: string): Promise<number> {
    return Number((await this.call('POST', '/config', text, contentTypeOf(file))).version);
  }

  private async call(method: string, path: string, body?: string, contentType?: string): Promise<{ text: string; version: string | null }> {
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base.endsWith('/') ? this.base : this.base + '/'), { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(`cannot reach the admin API at ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    if (res.ok) return { text, version: res.headers.get('x-portico-config-version') };
    throw new ApiError(describeFailure(res.status, text));
  }
}

/** Kong's message, plus one line per entity error when the body lists them. */
function describeFailure(status: number, text: string): string {
  let body: { message?: unknown; flattened_errors?: { entity_type?: string; entity_name?: string; entity_id?: string; errors?: { field?: string; message?: string }[] }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `HTTP ${status}`;
  }
  const lines = [typeof body.message === 'string' ? body.message : `HTTP ${status}`];
  for (const e of body.flattened_errors ?? []) {
    for (const x of e.errors ?? []) lines.push(`  ${e.entity_type ?? 'entity'} ${e.entity_name ?? e.entity_id ?? ''}: ${x.field ? `${x.field}: ` : ''}${x.message ?? ''}`);
  }
  return lines.join('\n');
}

const contentTypeOf = (file: string): string => (/\.json$/i.test(file) ? 'application/json' : 'application/x-yaml');

function readDocument(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ApiError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function onePositional(positionals: string[], spec: CommandSpec): string {
  if (positionals.length !== 1) throw new UsageError(`expected one FILE argument\n\n${helpText(spec)}`);
  return positionals[0]!;
}

/** Separates FILE arguments from flags (parseFlags takes flags only); `-o X` is `--output X`. */
function splitArgs(args: string[], spec: CommandSpec): { flags: string[]; positionals: string[] } {
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-o') {
      flags.push('--output', ...(args[i + 1] === undefined ? [] : [args[++i]!]));
    } else if (a.startsWith('--') && !a.includes('=') && spec.flags[a.slice(2)]?.type === 'string') {
      flags.push(a, ...(args[i + 1] === undefined ? [] : [args[++i]!]));
    } else if (a.startsWith('-') && a !== '-') flags.push(a);
    else positionals.push(a);
  }
  return { flags, positionals };
}

function overview(): string {
  return [
    'Usage: portico config <dump|diff|apply> [options]',
    '',
    'Declarative config (Kong _format_version 3.0) against a Portico admin API, like decK:',
    ...Object.values(CONFIG_COMMANDS).map((c) => `  ${c.usage.padEnd(56)}${c.summary}`),
    '',
    'Run `portico config <subcommand> --help` for its options. Exit codes: 0 ok, 1 API error, 2 usage error or (diff --non-zero-exit-code) a diff.',
  ].join('\n');
}
