/**
 * What a livepatch module's C source declares, read from its klp_patch / klp_object / klp_func
 * initializers (designated initializers, as samples/livepatch writes them). Independent of the
 * project's tree-sitter reading: a brace matcher and `.field = value` pairs, enough for the oracle.
 */
export interface DeclaredObject {
  /** "vmlinux" for the object whose name is NULL or left out. */
  name: string;
  funcs: Array<{ oldName: string; newFunc: string; oldSympos: number }>;
  /** pre_patch, post_patch, pre_unpatch, post_unpatch -> function name. */
  callbacks: Record<string, string>;
}

const withoutComments = (source: string): string => source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

/** The text between the brace at `open` and its match. */
function braced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces from offset ${open}`);
}

/** Splits at commas outside braces and parentheses (strings in these initializers hold no commas). */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `.field = value` pairs of one `{ ... }` entry (nested braces kept as text). */
function fields(entry: string): Map<string, string> {
  const inner = entry.startsWith('{') ? braced(entry, 0) : entry;
  return new Map(
    topLevel(inner).map((part) => {
      const m = /^\.(\w+)\s*=\s*([\s\S]*)$/.exec(part);
      if (!m) throw new Error(`not a designated initializer: ${part}`);
      return [m[1], m[2].trim()];
    }),
  );
}

/** The entries of `static struct <type> <name>[] = { ... };`, without the all-empty { } sentinel. */
function arrayEntries(source: string, type: string, name: string): Array<Map<string, string>> {
  const m = new RegExp(`struct\\s+${type}\\s+${name}\\s*\\[\\s*\\]\\s*=\\s*\\{`).exec(source);
  if (!m) throw new Error(`no struct ${type} ${name}[] initializer`);
  return topLevel(braced(source, m.index + m[0].length - 1))
    .map(fields)
    .filter((f) => f.size > 0);
}

const cString = (value: string): string => {
  const m = /^"([^"]*)"$/.exec(value);
  if (!m) throw new Error(`not a string literal: ${value}`);
  return m[1];
};

/** The objects of the klp_patch a module source declares; [] when it declares none (a plain module). */
export function declaredObjects(text: string): DeclaredObject[] {
  const source = withoutComments(text);
  const patch = /struct\s+klp_patch\s+\w+\s*=\s*\{/.exec(source);
  if (!patch) return [];
  const objs = fields(braced(source, patch.index + patch[0].length - 1)).get('objs');
  if (!objs) throw new Error('klp_patch without .objs');
  return arrayEntries(source, 'klp_object', objs).map((o) => {
    const name = o.get('name');
    const funcs = arrayEntries(source, 'klp_func', o.get('funcs') ?? '').map((f) => ({
      oldName: cString(f.get('old_name') ?? ''),
      newFunc: f.get('new_func') ?? '',
      oldSympos: Number(f.get('old_sympos') ?? 0),
    }));
    const callbacks = Object.fromEntries(fields(o.get('callbacks') ?? '{}'));
    return { name: name === undefined || name === 'NULL' ? 'vmlinux' : cString(name), funcs, callbacks };
  });
}
