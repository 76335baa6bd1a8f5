import type { SubsetPlan } from './plan.ts';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The plan as text for logs and job summaries: one line per table in load order, then cycles and notes. */
export function formatPlan(plan: SubsetPlan): string {
  const lines: string[] = [];
  const included = plan.tables.filter((t) => t.included).length;
  lines.push(
    plan.mode === 'full'
      ? `Subset plan: full copy of ${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'}`
      : `Subset plan: ${included} of ${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'} from root ${plan.root ?? '(none)'}`,
  );
  lines.push(`Root: ${plan.rootReason}`);
  const header = ['#', 'table', 'reached', 'cap', 'via', 'depends on', 'where'];
  const rows = plan.tables.map((t) => [
    String(t.order),
    `${t.qualified}${t.only ? ' (ONLY)' : ''}${t.partitions.length ? ` [${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}]` : ''}${t.included ? '' : ' (skipped)'}`,
    t.reachedBy,
    t.cap === null ? '-' : String(t.cap),
    t.via.join(', ') || '-',
    t.dependsOn.join(', ') || '-',
    t.where ?? '-',
  ]);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] as string).length))));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] as number))).join('  ')}`.trimEnd();
  lines.push(line(header));
  for (const r of rows) lines.push(line(r));
  const breaks = plan.tables.flatMap((t) =>
    t.cycleBreaks.map((b) => `  ${t.qualified}.${b.fk} (${b.columns.join(', ')}) → ${b.references}: insert NULL, update after`),
  );
  if (plan.cycles.length) {
    lines.push('Cycles:');
    for (const c of plan.cycles) lines.push(`  ${c.breakable ? '' : '[not breakable] '}${c.note}`);
  }
  if (breaks.length) {
    lines.push('Cycle breaks:');
    lines.push(...breaks);
  }
  const partitioned = plan.tables.filter((t) => t.partitions.length);
  if (partitioned.length) {
    lines.push('Partitions read through their parent:');
    for (const t of partitioned) lines.push(`  ${t.qualified}: ${t.partitions.join(', ')}`);
  }
  if (plan.notes.length) {
    lines.push('Notes:');
    for (const n of plan.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}
