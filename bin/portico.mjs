#!/usr/bin/env node
// portico — one entry point for every role, started by bin/portico (the
// launcher that picks Node flags). Runs the compiled JavaScript (`pnpm build` /
// `tsc -b` first); nothing is transpiled at run time.
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const [cmd, ...rest] = process.argv.slice(2);

const COMMANDS = {
  cp: ['control-plane/dist/cli.js', 'Start the control plane (admin API + cluster stream)'],
  dp: ['data-plane/dist/cli.js', 'Start a data-plane proxy node'],
  demo: ['control-plane/dist/demo/demo.js', 'Start a control plane, two data planes, a demo upstream and route'],
  config: ['control-plane/dist/config-cli.js', 'Dump, diff and apply declarative config (Kong _format_version 3.0) against an admin API'],
};

function usage(out) {
  out.write('Usage: portico <command> [options]\n\nCommands:\n');
  for (const [name, [, what]] of Object.entries(COMMANDS)) out.write(`  ${name.padEnd(8)}${what}\n`);
  out.write('\nRun `portico <command> --help` for its options.\n');
}

if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
  usage(process.stdout);
  process.exit(0);
}
const entry = COMMANDS[cmd];
if (!entry) {
  process.stderr.write(`portico: unknown command '${cmd}'\n\n`);
  usage(process.stderr);
  process.exit(2);
}
const file = new URL(entry[0], root);
if (!existsSync(file)) {
  process.stderr.write(`portico: ${entry[0]} is missing; build first with \`npx -y pnpm@10 build\`\n`);
  process.exit(2);
}
try {
  const mod = await import(file.href);
  await mod.main(rest);
} catch (err) {
  if (err && err.name === 'UsageError') {
    process.stderr.write(`portico ${cmd}: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`portico ${cmd}: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}
