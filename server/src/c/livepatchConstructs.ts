import type { Node, Tree } from 'web-tree-sitter';
import { FieldValue, InitializerElement, InitializerList, readInitializerText } from './initializerText';
import { rangeOf, SourceRange } from './sourceRange';

/**
 * The live-patching constructs an author writes in a payload or patch-module source: Xen
 * `struct livepatch_func` definitions and `LIVEPATCH_*_HOOK`s, Linux `klp_func` / `klp_object` /
 * `klp_patch` initializers. Found from the syntax tree alone, so they are there even while the
 * file does not compile.
 */
export type ConstructKind = 'livepatch_func' | 'livepatch_hook' | 'klp_func' | 'klp_object' | 'klp_patch' | 'patch_callback' | 'kpatch_directive';

export interface LivepatchConstruct {
  kind: ConstructKind;
  /** The variable, the hook macro call, or for array entries what the entry patches. */
  name: string;
  /**
   * The designated-initializer fields as written, e.g. `{ old_name: '"cmdline_proc_show"' }`;
   * nested initializers are flattened (`callbacks.pre_patch`). For macros: `macro`, `function`.
   */
  fields: Record<string, string>;
  /** Where each field's value is written. */
  fieldRanges: Record<string, SourceRange>;
  /** String literals behind fields that name a `static const char x[] = "..."` (Xen's style for `.name`). */
  resolved: Record<string, string>;
  range: SourceRange;
  selectionRange: SourceRange;
  /** Entries of an array definition (`struct klp_func funcs[] = { {...}, {...}, { } }`); sentinels are not entries. */
  entries: LivepatchConstruct[];
  /** Arrays only: whether the last element is an empty `{ }` (or `{ 0 }`) sentinel. */
  terminated?: boolean;
}

const structKinds: Record<string, ConstructKind> = {
  livepatch_func: 'livepatch_func',
  klp_func: 'klp_func',
  klp_object: 'klp_object',
  klp_patch: 'klp_patch',
};

/** File-scope macros that register code: Xen payload hooks, klp-build and kpatch callbacks, kpatch directives. */
const macroKinds: Array<[RegExp, ConstructKind]> = [
  [/^LIVEPATCH_[A-Z_]*HOOK$/, 'livepatch_hook'],
  [/^(KLP|KPATCH)_(PRE|POST)_(UN)?PATCH_CALLBACK$/, 'patch_callback'],
  [/^KPATCH_(IGNORE_SECTION|IGNORE_FUNCTION|FORCE_UNSAFE)$/, 'kpatch_directive'],
];

/** What an array entry is named after, per kind: the field an author looks for in the outline. */
const entryNameField: Partial<Record<ConstructKind, string>> = {
  livepatch_func: 'name',
  klp_func: 'old_name',
  klp_object: 'name',
};

/** Any construct needs one of these words; a file without them (most of a kernel tree) costs one scan. */
const constructWords = /livepatch_func|klp_(func|object|patch)\b|LIVEPATCH_|KLP_|KPATCH_/;

export function mentionsLivepatchConstructs(text: string): boolean {
  return constructWords.test(text);
}

export function findLivepatchConstructs(tree: Tree): LivepatchConstruct[] {
  // The root starts at the first token: text before it (blanks) is not in `source`, hence `from`.
  const source = { text: tree.rootNode.text, from: tree.rootNode.startIndex };
  if (!mentionsLivepatchConstructs(source.text)) return [];
  // File-scope declarations and registering macro calls, in document order: string constants are read from every declaration first.
  const found: Array<Node | LivepatchConstruct> = [];
  walk(tree, (type, node) => {
    if (type === 'function_definition') return false;
    if (type === 'declaration') {
      found.push(node());
      return false;
    }
    if (type !== 'expression_statement' && type !== 'call_expression') return true;
    const macro = fromMacroCall(node());
    if (macro) found.push(macro);
    return !macro;
  });
  const declarations = found.filter((item): item is Node => 'tree' in item);
  const strings = stringConstants(declarations);
  return found.flatMap((item) => ('tree' in item ? fromDeclaration(item, strings, source) : [item]));
}

/**
 * Pre-order over the named nodes below the root, with a tree cursor: broken C nests error nodes
 * deeper than the JS stack goes, and a JS object per node of a large broken file costs more than
 * the walk. `visit` gets each node's type, the node itself on demand, and says whether to descend.
 */
function walk(tree: Tree, visit: (type: string, node: () => Node) => boolean): void {
  const cursor = tree.rootNode.walk();
  try {
    let depth = 0;
    let more = cursor.gotoFirstChild();
    while (more) {
      const descend = cursor.nodeIsNamed && visit(cursor.nodeType, () => cursor.currentNode);
      if (descend && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!(more = cursor.gotoNextSibling()) && depth > 0) {
        cursor.gotoParent();
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

function fromDeclaration(declaration: Node, strings: Map<string, string>, source: { text: string; from: number }): LivepatchConstruct[] {
  const type = declaration.childForFieldName('type');
  const kind = type?.type === 'struct_specifier' ? structKinds[type.childForFieldName('name')?.text ?? ''] : undefined;
  if (!kind) return [];
  const constructs: LivepatchConstruct[] = [];
  for (const declarator of declaration.childrenForFieldName('declarator')) {
    if (!declarator) continue;
    const value = declarator.type === 'init_declarator' ? declarator.childForFieldName('value') : null;
    const nameNode = innermostIdentifier(declarator);
    if (!nameNode) continue;
    const isArray = containsArrayDeclarator(declarator);
    const fields = !isArray && value?.type === 'initializer_list' ? fieldNodes(value) : undefined;
    const construct = assemble(kind, nameNode.text, fields, rangeOf(declaration), rangeOf(nameNode), strings);
    if (isArray && value?.type === 'initializer_list') {
      let last: InitializerElement | undefined;
      const take = (element: InitializerElement): void => {
        last = element;
        if (!element.list || isSentinel(element)) return;
        // Named from its own fields; the entry's range is its selection too (the outline selects the whole entry).
        const entry = assemble(kind, '', element.list.fields, element.range, element.range, strings);
        entry.name = entryLabel(kind, entry.fields, strings) ?? `[${construct.entries.length}]`;
        construct.entries.push(entry);
      };
      if (value.hasError || !readInitializerText(source.text, value.startIndex - source.from, rangeOf(value).start, take)) {
        construct.entries = [];
        last = undefined;
        initializerFromNodes(value).elements.forEach(take);
      }
      construct.terminated = last !== undefined && isSentinel(last);
    }
    constructs.push(construct);
  }
  return constructs;
}

function assemble(
  kind: ConstructKind,
  name: string,
  values: Map<string, FieldValue> | undefined,
  range: SourceRange,
  selectionRange: SourceRange,
  strings: Map<string, string>,
): LivepatchConstruct {
  const fields: Record<string, string> = {};
  const fieldRanges: Record<string, SourceRange> = {};
  const resolved: Record<string, string> = {};
  for (const [field, value] of values ?? []) {
    fields[field] = value.text;
    fieldRanges[field] = value.range;
    const literal = strings.get(value.text);
    if (literal !== undefined) resolved[field] = literal;
  }
  return { kind, name, fields, fieldRanges, resolved, range, selectionRange, entries: [] };
}

/** An empty `{ }`, `{ 0 }` or `{ NULL }` list. */
function isSentinel(element: InitializerElement): boolean {
  const values = element.list?.elements;
  return values !== undefined && (values.length === 0 || (values.length === 1 && /^(0|NULL)$/.test(values[0].text)));
}

function entryLabel(kind: ConstructKind, fields: Record<string, string>, strings: Map<string, string>): string | undefined {
  const field = entryNameField[kind];
  const text = field ? fields[field] : undefined;
  if (text === undefined) return kind === 'klp_object' ? 'vmlinux' : undefined;
  if (text === 'NULL' && kind === 'klp_object') return 'vmlinux';
  return unquote(strings.get(text) !== undefined ? `"${strings.get(text)}"` : text);
}

/** The list read from its nodes: what `readInitializerText` gives from the text, for lists tree-sitter found errors in. */
export function initializerFromNodes(list: Node, outermost = true): InitializerList {
  const elements = list.namedChildren
    .filter((element): element is Node => element !== null && element.type !== 'comment')
    .map((element): InitializerElement => ({
      text: element.text,
      range: rangeOf(element),
      ...(outermost && element.type === 'initializer_list' ? { list: initializerFromNodes(element, false) } : {}),
    }));
  return { elements, fields: fieldNodes(list) };
}

/** `.a = 1, .b = { .c = f }` -> a: `1`, b: `{ .c = f }`, b.c: `f`. */
function fieldNodes(list: Node, prefix = '', into = new Map<string, FieldValue>()): Map<string, FieldValue> {
  for (const pair of list.namedChildren) {
    if (pair?.type !== 'initializer_pair') continue;
    const designator = pair.childForFieldName('designator');
    const value = pair.childForFieldName('value');
    if (designator?.type !== 'field_designator' || !value) continue;
    const field = prefix + designator.text.replace(/^\./, '').trim();
    into.set(field, { text: value.text, range: rangeOf(value) });
    if (value.type === 'initializer_list') fieldNodes(value, `${field}.`, into);
  }
  return into;
}

function fromMacroCall(node: Node): LivepatchConstruct | undefined {
  const call = node.type === 'call_expression' ? node : node.namedChild(0);
  if (call?.type !== 'call_expression') return undefined;
  const macro = call.childForFieldName('function');
  const kind = macro?.type === 'identifier' ? macroKinds.find(([pattern]) => pattern.test(macro.text))?.[1] : undefined;
  if (!macro || !kind) return undefined;
  const argument = call.childForFieldName('arguments')?.namedChild(0);
  const target = argument?.text ?? '';
  // prettier-ignore
  return {
    kind,
    name: `${macro.text}(${target})`,
    fields: { macro: macro.text, function: target },
    fieldRanges: { macro: rangeOf(macro), ...(argument ? { function: rangeOf(argument) } : {}) },
    resolved: {},
    range: rangeOf(node),
    selectionRange: rangeOf(macro),
    entries: [],
  };
}

/** File-scope `static const char name[] = "xen_extra_version";` and `const char *name = "...";`. */
function stringConstants(declarations: readonly Node[]): Map<string, string> {
  const strings = new Map<string, string>();
  for (const node of declarations) {
    for (const declarator of node.childrenForFieldName('declarator')) {
      const value = declarator?.type === 'init_declarator' ? declarator.childForFieldName('value') : null;
      const name = declarator ? innermostIdentifier(declarator) : null;
      if (value?.type === 'string_literal' && name) strings.set(name.text, unquote(value.text));
    }
  }
  return strings;
}

function innermostIdentifier(declarator: Node): Node | null {
  let node: Node | null = declarator;
  while (node && node.type !== 'identifier') {
    node = node.childForFieldName('declarator');
  }
  return node;
}

function containsArrayDeclarator(declarator: Node): boolean {
  for (let node: Node | null = declarator; node; node = node.childForFieldName('declarator')) {
    if (node.type === 'array_declarator') return true;
  }
  return false;
}

function unquote(text: string): string {
  return /^".*"$/s.test(text) ? text.slice(1, -1) : text;
}

/** The fields worth a glance in an outline, per kind, in the order authors write them. */
const detailFields: Record<ConstructKind, string[]> = {
  livepatch_func: ['name', 'new_size', 'old_size'],
  livepatch_hook: [],
  patch_callback: [],
  kpatch_directive: [],
  klp_func: ['old_name', 'new_func', 'old_sympos'],
  klp_object: ['name', 'funcs'],
  klp_patch: ['mod', 'objs', 'replace'],
};

/** One line: `.name = fnc ("xen_extra_version") .new_size = NEW_CODE_SZ`, for outlines and the CLI. */
export function constructDetail(construct: LivepatchConstruct): string {
  return detailFields[construct.kind]
    .filter((field) => construct.fields[field] !== undefined)
    .map((field) => {
      const literal = construct.resolved[field];
      return `.${field} = ${construct.fields[field]}${literal === undefined ? '' : ` ("${literal}")`}`;
    })
    .join(' ');
}
