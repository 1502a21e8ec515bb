// Shared by the benchmarks: tables as aligned text and as Markdown, and refreshing a
// marked section of a Markdown file (docs/performance.md) with new results.
import * as fs from 'node:fs';

/** A table: { title, header: string[], align: ('l'|'r')[], rows: string[][], notes: string[] }. */
export function renderText(t) {
  const cells = [t.header, ...t.rows];
  const w = t.header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (t.align[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [t.title, line(t.header), w.map((n) => '-'.repeat(n)).join('  '), ...t.rows.map(line), ...t.notes.map((n) => `  ${n}`)].join('\n');
}

export function renderMarkdown(t) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [`### ${t.title}`, '', `| ${t.header.map(esc).join(' | ')} |`, `|${t.align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`), ...(t.notes.length ? ['', ...t.notes.map((n) => `- ${n}`)] : [])].join('\n');
}

/**
 * Put `md` between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `file`. A file
 * without the markers gets them appended (or, with `replaceUnmarked`, is replaced).
 * Returns a line saying what was done.
 */
export function writeMarkdownSection(file, name, md, { replaceUnmarked = false } = {}) {
  const BEGIN = `<!-- ${name}:begin -->`;
  const END = `<!-- ${name}:end -->`;
  let old = '';
  try {
    old = fs.readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const b = old.indexOf(BEGIN);
  const e = old.indexOf(END);
  if (b >= 0 && e > b) {
    fs.writeFileSync(file, `${old.slice(0, b + BEGIN.length)}\n${md}${old.slice(e)}`);
    return `updated the results between the ${name} markers in ${file}`;
  }
  if (replaceUnmarked) {
    fs.writeFileSync(file, md);
    return `wrote ${file}`;
  }
  const sep = old === '' || old.endsWith('\n\n') ? '' : old.endsWith('\n') ? '\n' : '\n\n';
  fs.writeFileSync(file, `${old}${sep}${BEGIN}\n${md}${END}\n`);
  return `appended the results to ${file}`;
}
