/** Help text and the Markdown option reference, both generated from the option table. */
import { longNames, OPTIONS, type Group, type OptionRow } from '../config/table.js';

const GROUPS: Group[] = ['Command', 'Filesystem', 'Identity', 'Namespaces', 'Limits', 'Process'];

function flagText(row: OptionRow): string {
  const short = row.short ? `-${row.short}, ` : '    ';
  return `${short}--${row.name}${row.arg ? ` ${row.arg}` : ''}`;
}

export const USAGE = `usage: brig run [options] [--] COMMAND [ARGS...]
       brig seccomp compile (FILE | -e POLICY) [--arch ARCH] [--format raw|c|asm|json]
       brig seccomp check (FILE | -e POLICY) [--arch ARCH] SYSCALL [ARG...]
       brig doctor
       brig help | --help | --version`;

export function runHelp(): string {
  const lines = [USAGE, '', 'Run COMMAND in a sandbox. By default it sees the host\'s / read-only, private /home, /root,',
    '/run, /tmp and /var/tmp, a fresh /proc, a minimal /dev, and its own user, PID, mount,',
    'network (loopback only), UTS, IPC, cgroup and time namespaces, with no capabilities.', ''];
  for (const g of GROUPS) {
    const rows = OPTIONS.filter((r) => r.group === g);
    if (rows.length === 0) continue;
    lines.push(`${g}:`);
    for (const row of rows) {
      const flag = flagText(row);
      lines.push(`  ${flag.padEnd(34)} ${row.help}`);
    }
    lines.push('');
  }
  const pending = OPTIONS.filter((r) => r.pending).map((r) => `--${r.name}`);
  lines.push(`Accepted but not yet supported (they fail with a clear error): ${pending.join(' ')}`);
  lines.push('', 'Every option also works with underscores (--time_limit) as nsjail spells it.');
  lines.push('Exit status: the command\'s own; 128+N when killed by signal N; 255 when setup failed.');
  return lines.join('\n');
}

export function optionsMarkdown(): string {
  const out = ['# brig run options', '', '<!-- Generated from src/config/table.ts by `brig help --markdown`; do not edit. -->', '',
    'Every long option also works with `_` in place of `-` (nsjail\'s spelling).', ''];
  for (const g of [...GROUPS, 'Pending' as Group]) {
    const rows = OPTIONS.filter((r) => r.group === g);
    if (rows.length === 0) continue;
    out.push(`## ${g === 'Pending' ? 'Accepted, not yet supported' : g}`, '', '| option | aliases | library | meaning |', '|---|---|---|---|');
    for (const r of rows) {
      const aliases = [...(r.short ? [`-${r.short}`] : []), ...longNames(r).filter((n) => n !== r.name).map((n) => `--${n}`)];
      const meaning = r.pending ? `${r.help} (needs ${r.pending})` : r.help;
      out.push(`| \`--${r.name}${r.arg ? ` ${r.arg}` : ''}\` | ${aliases.map((a) => `\`${a}\``).join(' ')} | ${r.library ? `\`${r.library}\`` : ''} | ${meaning.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
