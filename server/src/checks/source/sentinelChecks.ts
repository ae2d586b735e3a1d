import type { Finding } from '../finding';
import type { FixData } from '../fixes';
import { sourceChecks } from './sourceCatalogue';
import { finding, SourceContext } from './sourceContext';

/** LP101: the kernel walks klp_func and klp_object arrays until an all-zero entry. */
export function sentinelChecks(context: SourceContext): Finding[] {
  return context.constructs
    .filter((c) => (c.kind === 'klp_func' || c.kind === 'klp_object') && c.terminated === false)
    .map((array) => {
      const loop =
        array.kind === 'klp_func'
          ? 'for (func = obj->funcs; func->old_name || func->new_func || func->old_sympos; func++)'
          : 'for (obj = patch->objs; obj->funcs || obj->name; obj++)';
      return finding(
        sourceChecks.missingSentinel,
        context,
        array.selectionRange,
        `The ${array.kind} array '${array.name}' has no empty { } entry at its end. The kernel walks it with ${loop}, so it reads past the array into whatever lies behind it. Add { } as the last entry.`,
        { data: { kind: 'insertSentinel', end: array.range.end } satisfies FixData },
      );
    });
}
