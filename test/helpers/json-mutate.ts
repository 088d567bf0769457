/** Random edits of JSON-like values, for property tests that validators never throw. */

/**
 * Apply one edit somewhere in `copy` (in place; the caller passes a copy): follow `steps` down through objects and
 * arrays, then replace, delete, or add a key/element there. Returns the edited value (a new value when the root
 * itself is replaced). An edit that cannot be made (a boxed primitive's read-only index) is skipped.
 */
export function mutateJson(copy: unknown, steps: number[], action: 'replace' | 'delete' | 'add', value: unknown): unknown {
  let parent: any = undefined;
  let key: string | number | undefined;
  let cur: any = copy;
  for (const s of steps) {
    if (typeof cur !== 'object' || cur === null) break;
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (!keys.length) break;
    parent = cur; key = keys[s % keys.length]!; cur = cur[key];
  }
  if (parent === undefined) return action === 'replace' ? value : copy;
  if (action === 'replace') Reflect.set(parent, key!, value);
  else if (action === 'delete') { if (Array.isArray(parent)) parent.splice(key as number, 1); else Reflect.deleteProperty(parent, key!); }
  else if (typeof cur === 'object' && cur !== null) { if (Array.isArray(cur)) cur.push(value); else Reflect.set(cur, `k${String(steps.length)}`, value); }
  return copy;
}
