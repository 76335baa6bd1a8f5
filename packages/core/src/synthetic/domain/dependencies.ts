/** Checks of a compiled scenario's field dependencies, and the entities' load order. */
import { InvalidInputError } from '../../errors.ts';
import type { Dep, EntityPlan, FieldPlan } from './plan.ts';

/** Marks fields that read semantic values of their own row, refuses cross-row reads of them, and refuses cycles. */
export function checkDependencies(plans: Map<string, EntityPlan>, where: string): void {
  const field = (d: Dep) => plans.get(d.entity)?.byName.get(d.field) as FieldPlan;
  let changed = true;
  while (changed) {
    changed = false;
    for (const plan of plans.values()) {
      for (const f of plan.fields) {
        if (!f.streamOnly && f.deps.some((d) => d.sameRow && field(d).streamOnly)) {
          f.streamOnly = true;
          changed = true;
        }
      }
    }
  }
  for (const plan of plans.values()) {
    for (const f of plan.fields) {
      for (const d of f.deps) {
        if (!d.sameRow && field(d).streamOnly) {
          throw new InvalidInputError(
            `${where}: ${plan.name}.${f.name} reads ${d.entity}.${d.field}, a semantic value that exists only while ${d.entity} is generated`,
          );
        }
      }
    }
  }
  const state = new Map<FieldPlan, number>();
  const visit = (f: FieldPlan, entity: string, trail: string[]) => {
    const s = state.get(f);
    if (s === 2) return;
    if (s === 1) throw new InvalidInputError(`${where}: fields depend on each other in a cycle: ${[...trail, `${entity}.${f.name}`].join(' → ')}`);
    state.set(f, 1);
    for (const d of f.deps) visit(field(d), d.entity, [...trail, `${entity}.${f.name}`]);
    state.set(f, 2);
  };
  for (const plan of plans.values()) for (const f of plan.fields) visit(f, plan.name, []);
}

/** Parents before children (by foreign keys), otherwise the scenario's order. */
export function loadOrder(plans: EntityPlan[], where: string): EntityPlan[] {
  const out: EntityPlan[] = [];
  const state = new Map<EntityPlan, number>();
  const visit = (p: EntityPlan) => {
    if (state.get(p) === 2) return;
    if (state.get(p) === 1) throw new InvalidInputError(`${where}: entities reference each other in a cycle through ${p.name}`);
    state.set(p, 1);
    for (const f of p.fields) if (f.refTo && f.refTo !== p) visit(f.refTo);
    state.set(p, 2);
    out.push(p);
  };
  for (const p of plans) visit(p);
  return out;
}
