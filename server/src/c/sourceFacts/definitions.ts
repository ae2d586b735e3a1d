import { Query, type Language, type Node, type Parser, type Tree } from 'web-tree-sitter';
import { compiledBranches, type UnbalancedDirective } from '../conditionals';
import { withoutSourceComments } from '../lineCode';
import { parseableText } from '../parseableText';
import { functionAttributes, FunctionAttributes, maskKernelMacros } from './kernelAttributes';
import { NodeText } from './nodeText';

/**
 * The top-level definitions of one C file, as plain data: what the change classifier compares
 * between the file before and after a patch, and what the source call graph is built from.
 * Trees live in the WASM heap, so they are read once and deleted here.
 */

/** 0-based first and last line, inclusive. */
export interface LineSpan {
  first: number;
  last: number;
}

export interface CallSite {
  callee: string;
  /** 0-based. */
  line: number;
}

export interface StaticLocal {
  name: string;
  line: number;
}

/**
 * A function as the two versions of a patched file are compared: what kpatch and the checks set
 * side by side. The patched version is read this far only (`readPatchedDefinitions`).
 */
export interface ComparedFunction {
  kind: 'function';
  name: string;
  lines: LineSpan;
  attributes: FunctionAttributes;
  /** Return type and parameter types, without names, attributes or spacing: equal when callers need not change. */
  prototype: string;
  staticLocals: StaticLocal[];
  /** How often each static local's name occurs in the body, its declaration included. */
  staticLocalUses: ReadonlyMap<string, number>;
  /** The body without comments and with spacing collapsed: equal when only comments or layout changed. */
  body: string;
}

/** A function of a file as it is: what its callers, callees and inlining are inferred from too. */
export interface FunctionDefinition extends ComparedFunction {
  calls: CallSite[];
  /** Every identifier of the body with how often it occurs. */
  identifiers: Map<string, number>;
  /** Identifiers used other than as the callee of a call: a function named here has its address taken. */
  valueReferences: Set<string>;
  statements: number;
}

export interface Member {
  /** Empty for an anonymous struct or union member. */
  name: string;
  /** Normalized, e.g. `unsigned long`, `char [TASK_COMM_LEN]`, `unsigned :3`; for an enumerator its value. */
  type: string;
  line: number;
}

export interface TypeDefinition {
  kind: 'struct' | 'union' | 'enum';
  name: string;
  lines: LineSpan;
  members: Member[];
}

export interface InitializerEntry {
  /** `.prio`, `.thread.sp`, `[2]`, or '' for a scalar initializer. */
  path: string;
  value: string;
}

export interface VariableDefinition {
  kind: 'variable';
  name: string;
  lines: LineSpan;
  /** Normalized type with the declarator's shape: `struct task_struct [NR_TASKS]`, `const char *`. */
  type: string;
  isStatic: boolean;
  initializer: InitializerEntry[] | undefined;
}

export interface MacroDefinition {
  kind: 'macro';
  name: string;
  lines: LineSpan;
  definition: string;
}

export type Definition = FunctionDefinition | TypeDefinition | VariableDefinition | MacroDefinition;

/** A definition of the patched version of a file. */
export type ComparedDefinition = ComparedFunction | TypeDefinition | VariableDefinition | MacroDefinition;

export interface SourceDefinitions<D extends ComparedDefinition = Definition> {
  path: string;
  definitions: D[];
  /** 0-based line of the first error the parser found (after masking kernel attribute macros), or none. */
  syntaxErrors: number[];
  /** 0-based line of a block comment never closed (closed at the end of the file for the parser; also in `syntaxErrors`). */
  unterminatedCommentLine?: number;
  /** Many `*\/` that close no comment (blanked for the parser): the first one's 0-based line (also in `syntaxErrors`) and how many. */
  strayCommentCloses?: { line: number; count: number };
  /** The first conditional directive that belongs to no closed group (also in `syntaxErrors`): tree-sitter accepts some. */
  unbalancedDirective?: UnbalancedDirective;
}

/**
 * `text` with one branch of each conditional group chosen (conditionals.ts) is what is read:
 * the bodies compared between two versions are the compiled ones. A caller that has chosen
 * already (with a kernel configuration) passes the chosen text; choosing again changes nothing.
 */
export function readDefinitions(parser: Parser, path: string, document: string): SourceDefinitions {
  return readWith(parser, path, document, wholeFunction);
}

/**
 * The patched version of a file, read as far as it is compared with the original: its
 * callers, callees and statements come from the original, so a body is queried only when it
 * holds the word `static` (50,000 added lines in one function: 150k query captures saved).
 */
export function readPatchedDefinitions(parser: Parser, path: string, document: string): SourceDefinitions<ComparedDefinition> {
  return readWith(parser, path, document, comparedFunction);
}

function readWith<F extends ComparedFunction>(parser: Parser, path: string, document: string, readBody: BodyReading<F>): SourceDefinitions<DefinitionWith<F>> {
  const { text, unbalanced } = compiledBranches(document);
  const unbalancedDirective = unbalanced.at(0);
  const parseable = parseableText(maskKernelMacros(text));
  const tree = parser.parse(parseable.text);
  if (!tree) return { path, definitions: [], syntaxErrors: [0] };
  try {
    const read = readTree(tree, path, text, parseable.text, readBody);
    const { unterminatedCommentLine, strayCommentCloses } = parseable;
    // What was neutralised for the parser, or what it accepts, is still an error in the file, where the compiler would stop.
    const neutralised = [unterminatedCommentLine, strayCommentCloses?.line, unbalancedDirective?.line].filter((line) => line !== undefined);
    if (!neutralised.length) return read;
    return {
      ...read,
      ...(unterminatedCommentLine !== undefined ? { unterminatedCommentLine } : {}),
      ...(strayCommentCloses ? { strayCommentCloses } : {}),
      ...(unbalancedDirective ? { unbalancedDirective } : {}),
      syntaxErrors: [...new Set([...neutralised, ...read.syntaxErrors])].sort((a, b) => a - b),
    };
  } finally {
    tree.delete();
  }
}

/**
 * The definitions of a tree parsed already (the server's tree of an open document), read as far
 * as the patched version of a file is: what is asked of an open document is its types and
 * macros (LP116), not its call graph, so no body is queried but for static locals. `parsed` is
 * what was parsed, `text` what bodies and macros are read from (the same but for the kernel
 * macros blanked for the parser).
 */
export function definitionsOfTree(tree: Tree, path: string, text: string = treeText(tree), parsed: string = text): SourceDefinitions<ComparedDefinition> {
  return readTree(tree, path, text, parsed, comparedFunction);
}

function readTree<F extends ComparedFunction>(tree: Tree, path: string, text: string, parsed: string, readBody: BodyReading<F>): SourceDefinitions<DefinitionWith<F>> {
  const root = tree.rootNode;
  const hasError = root.hasError;
  const reader = new DefinitionReader(text, new NodeText(parsed, !hasError), readBody);
  reader.readScope(root);
  return { path, definitions: reader.definitions, syntaxErrors: hasError ? firstErrorLine(tree) : [] };
}

/**
 * What was parsed, at the offsets the nodes give: the root node starts after the leading blanks,
 * which its text leaves out (only the number of characters and newlines there matters).
 */
function treeText(tree: Tree): string {
  const root = tree.rootNode;
  const { row, column } = root.startPosition;
  return ' '.repeat(Math.max(0, root.startIndex - row - column)) + '\n'.repeat(row) + ' '.repeat(column) + root.text;
}

type DefinitionWith<F extends ComparedFunction> = F | TypeDefinition | VariableDefinition | MacroDefinition;

/** A function's header and body text as read from the tree; `BodyReading` adds what it reads of the body. */
type FunctionHead = Omit<ComparedFunction, 'staticLocals' | 'staticLocalUses'>;
type BodyReading<F extends ComparedFunction> = (head: FunctionHead, body: Node, parsed: NodeText) => F;

class DefinitionReader<F extends ComparedFunction> {
  readonly definitions: Array<DefinitionWith<F>> = [];

  constructor(
    private readonly original: string,
    private readonly parsed: NodeText,
    private readonly readBody: BodyReading<F>,
  ) {}

  /**
   * Top level, and inside `#if`/`#ifdef` blocks, where much kernel code lives. One child at a
   * time, from a cursor: the list of all the children kept every node object alive to the last
   * one, and V8 moved them all to the old generation (50k globals: 20 MB more at the peak).
   */
  readScope(scope: Node): void {
    const cursor = scope.walk();
    try {
      // A function's attributes are read from its previous sibling's end on (all the children count, not the named ones): asked of that sibling only before a function.
      let previous: Node | undefined;
      for (let more = cursor.gotoFirstChild(); more; more = cursor.gotoNextSibling()) {
        const node = cursor.currentNode;
        switch (node.type) {
          case 'function_definition':
            this.readFunction(node, previous?.endIndex ?? 0);
            break;
          case 'declaration':
            this.readDeclaration(node);
            break;
          case 'type_definition':
            this.readTypedef(node);
            break;
          case 'struct_specifier':
          case 'union_specifier':
          case 'enum_specifier':
            this.readType(node, undefined);
            break;
          case 'preproc_def':
          case 'preproc_function_def':
            this.readMacro(node);
            break;
          case 'preproc_if':
          case 'preproc_ifdef':
          case 'preproc_else':
          case 'preproc_elif':
          case 'preproc_elifdef':
          case 'linkage_specification':
          case 'declaration_list':
            this.readScope(node);
            break;
        }
        previous = node;
      }
    } finally {
      cursor.delete();
    }
  }

  private textOf(node: Node): string {
    return this.original.slice(node.startIndex, node.endIndex);
  }

  /** `lineSpan(node)` for a node known to end at `end`, without asking the tree where. */
  private spanTo(node: Node, end: number): LineSpan {
    const first = node.startPosition.row;
    const last = this.parsed.rowAt(end);
    return { first, last: this.parsed.atLineStart(end) && last > first ? last - 1 : last };
  }

  private readFunction(node: Node, previousEnd: number): void {
    const body = node.childForFieldName('body');
    const outer = node.childForFieldName('declarator');
    const declarator = findFunctionDeclarator(outer);
    const nameNode = declarator?.childForFieldName('declarator');
    if (!body || !declarator || nameNode?.type !== 'identifier') return;
    const parsed = this.parsed;
    const bodyEnd = body.endIndex;
    const head: FunctionHead = {
      kind: 'function',
      name: parsed.name(nameNode),
      // The body is the definition's last child: the definition ends where it does.
      lines: this.spanTo(node, bodyEnd),
      // A masked macro before the return type (`notrace int f(void)`) lies outside the node: read from the previous definition on.
      attributes: functionAttributes(this.original.slice(previousEnd, body.startIndex)),
      prototype: prototypeOf(parsed, node, outer, declarator),
      body: normalize(this.original.slice(body.startIndex, bodyEnd)),
    };
    this.definitions.push(this.readBody(head, body, parsed));
  }

  private readDeclaration(node: Node): void {
    const text = node.text;
    // Nor a type to read for one whose text names no struct, union or enum (the keyword is part of the type's text).
    const type = /struct|union|enum/.test(text) ? node.childForFieldName('type') : null;
    if (type && /^(struct|union|enum)_specifier$/.test(type.type) && type.childForFieldName('body')) this.readType(type, undefined);
    // Every storage class keyword holds one of these words: a declaration without any has no storage class child to look for (50k globals, 50k child lists).
    const storage = storageClassWord.test(text) ? node.namedChildren.filter((c) => c?.type === 'storage_class_specifier').map((c) => c?.text) : [];
    if (storage.includes('extern') || storage.includes('typedef')) return;
    const declarators = this.declaratorsOf(node, text);
    const specifiers = specifiersOf(
      this.parsed,
      node,
      declarators.find((d) => d !== null),
    );
    let lines: LineSpan | undefined;
    for (const declarator of declarators) {
      if (!declarator) continue;
      const declaratorType = declarator.type;
      if (declaratorType !== 'init_declarator' && declaratorType !== 'identifier' && findFunctionDeclarator(declarator)) continue;
      const initialized = declaratorType === 'init_declarator';
      const inner = initialized ? declarator.childForFieldName('declarator') : declarator;
      const value = initialized ? declarator.childForFieldName('value') : null;
      if (!inner) continue;
      const { name, shape } = namedShape(this.parsed, inner);
      if (!name) continue;
      lines ??= this.spanTo(node, node.startIndex + text.length);
      this.definitions.push({
        kind: 'variable',
        name,
        lines: { ...lines },
        type: typeWithShape(specifiers, shape, name),
        isStatic: storage.includes('static'),
        initializer: value ? initializerEntries(value) : undefined,
      });
    }
  }

  /**
   * A declaration's declarators. Declarators are separated by commas, so a text without one has
   * at most one, found by the single-field lookup: listing a field's children walks them all in
   * WASM, three times the cost (50k globals).
   */
  private declaratorsOf(node: Node, text: string): Array<Node | null> {
    if (!this.parsed.errorFree || text.includes(',')) return node.childrenForFieldName('declarator');
    const only = node.childForFieldName('declarator');
    return only ? [only] : [];
  }

  private readTypedef(node: Node): void {
    const type = node.childForFieldName('type');
    if (!type || !/^(struct|union|enum)_specifier$/.test(type.type) || !type.childForFieldName('body')) return;
    const alias = node
      .childrenForFieldName('declarator')
      .map((d) => d && innermostName(d))
      .find(Boolean);
    this.readType(type, alias ?? undefined);
  }

  private readType(node: Node, alias: string | undefined): void {
    const body = node.childForFieldName('body');
    const name = node.childForFieldName('name')?.text ?? alias;
    if (!body || !name) return;
    const kind = node.type.replace('_specifier', '') as TypeDefinition['kind'];
    const members: Member[] = [];
    for (const field of body.namedChildren) {
      if (!field) continue;
      if (field.type === 'enumerator') {
        members.push({ name: field.childForFieldName('name')?.text ?? '', type: normalize(field.childForFieldName('value')?.text ?? ''), line: field.startPosition.row });
      } else if (field.type === 'field_declaration') {
        members.push(...fieldMembers(this.parsed, field));
      }
    }
    this.definitions.push({ kind, name, lines: lineSpan(node), members });
  }

  private readMacro(node: Node): void {
    const name = node.childForFieldName('name')?.text;
    if (!name) return;
    const parameters = node.childForFieldName('parameters')?.text ?? '';
    const value = node.childForFieldName('value');
    this.definitions.push({ kind: 'macro', name, lines: lineSpan(node), definition: normalize(parameters + ' ' + (value ? this.textOf(value) : '')) });
  }
}

function fieldMembers(parsed: NodeText, field: Node): Member[] {
  const type = field.childForFieldName('type');
  const bits = field.namedChildren.find((c) => c?.type === 'bitfield_clause')?.text ?? '';
  const declarators = field.childrenForFieldName('declarator').filter((d): d is Node => d !== null);
  const specifiers = specifiersOf(parsed, field, declarators[0]);
  if (!declarators.length) return [{ name: '', type: normalize(`${type?.text ?? ''} ${bits}`), line: field.startPosition.row }];
  return declarators.map((d) => {
    const { name = '', shape } = namedShape(parsed, d);
    return { name, type: normalize(`${typeWithShape(specifiers, shape, name)} ${bits}`), line: d.startPosition.row };
  });
}

/**
 * `static const struct task_struct *p[4]` -> `const struct task_struct *[4]`: the owner's
 * specifiers (`specifiersOf`: qualifiers included, storage classes out) and the declarator's shape.
 */
function typeWithShape(specifiers: string, shape: string, name: string): string {
  return stripAttributes(`${specifiers} ${withoutWord(shape, name)}`);
}

/** A declarator's name (`innermostName`) and its text without an initializer (its shape), each read once: a plain name is its own shape. */
function namedShape(parsed: NodeText, declarator: Node): { name: string | undefined; shape: string } {
  const type = declarator.type;
  if (type === 'identifier' || type === 'field_identifier' || type === 'type_identifier') {
    const name = parsed.name(declarator);
    return { name, shape: name };
  }
  const shape = type === 'init_declarator' ? (declarator.childForFieldName('declarator') ?? declarator) : declarator;
  return { name: innermostName(declarator), shape: shape.text };
}

/**
 * What comes before the first declarator, storage classes out: the part of the type every
 * declarator of the owner shares, read once per owner (per declarator, a declaration of 45k
 * names read all of them 45k times).
 */
function specifiersOf(parsed: NodeText, owner: Node, first: Node | null | undefined): string {
  if (!first) return '';
  return parsed.between(owner.startIndex, first.startIndex).replace(/\b(static|extern|register|auto|inline|typedef)\b/g, ' ');
}

/** The text without the first whole-word `word`: a regular expression per declared name costs a compilation each, 50k globals 0.5 s. */
function withoutWord(text: string, word: string): string {
  const isWordChar = (at: number) => at >= 0 && at < text.length && /\w/.test(text[at]);
  for (let at = word ? text.indexOf(word) : -1; at >= 0; at = text.indexOf(word, at + 1)) {
    if (!isWordChar(at - 1) && !isWordChar(at + word.length)) return text.slice(0, at) + text.slice(at + word.length);
  }
  return text;
}

export function findFunctionDeclarator(node: Node | null): Node | null {
  for (let current = node; current;) {
    const type = current.type;
    if (type === 'function_declarator') return current;
    if (type !== 'pointer_declarator' && type !== 'parenthesized_declarator' && type !== 'attributed_declarator') return null;
    current = current.childForFieldName('declarator') ?? current.namedChildren.find((c) => c?.type.endsWith('declarator')) ?? null;
  }
  return null;
}

/** `outer` is the definition's declarator field, `declarator` the function declarator in it. */
function prototypeOf(parsed: NodeText, definition: Node, outerDeclarator: Node | null, declarator: Node): string {
  const returnType = definition.childForFieldName('type')?.text ?? '';
  // Pointer stars between the return type and the function declarator belong to the return type.
  // The usual `int f(void)`: the function declarator is the outer one, so no stars, and no texts to read.
  const outer = outerDeclarator?.id === declarator.id ? '' : (outerDeclarator?.text ?? '');
  const stars = outer && outer.slice(0, Math.max(0, outer.indexOf(declarator.text))).replace(/[^*]/g, '');
  const parameters = (declarator.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p): p is Node => p !== null && p.type !== 'comment')
    .map((p) => {
      const inner = p.childForFieldName('declarator');
      const named = inner && namedShape(parsed, inner);
      // `inner` is the first declarator child already (childForFieldName's answer): no second search for it.
      return inner && named?.name ? typeWithShape(specifiersOf(parsed, p, inner), named.shape, named.name) : stripAttributes(p.text);
    });
  return stripAttributes(normalize(`${returnType} ${stars}(${parameters.join(', ')})`));
}

const storageClassWord = /extern|static|auto|register|inline|thread/;

function stripAttributes(text: string): string {
  // Most types have none: no scan by the regular expression (50k globals).
  if (!text.includes('__attribute__')) return normalize(text);
  return normalize(text.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' '));
}

function innermostName(declarator: Node): string | undefined {
  const type = declarator.type;
  if (type === 'identifier' || type === 'field_identifier' || type === 'type_identifier') return declarator.text;
  const inner = declarator.childForFieldName('declarator') ?? declarator.namedChildren.find((c) => c?.type.endsWith('declarator') || c?.type.endsWith('identifier'));
  return inner ? innermostName(inner) : undefined;
}

/** Depth-first in document order, with its own stack: `int deep = {{{{...}}}}` nests deeper than the JS stack goes. */
/**
 * How many elements an array declared without a size (`x[] = { ... }`) gets from its initializer,
 * or undefined for any other variable: the compiler sizes such an array by its initializer, so
 * one entry more is a resized object though its declared type reads the same.
 */
export function unsizedArrayLength(variable: VariableDefinition): number | undefined {
  if (!/\[\s*\]/.test(variable.type) || !variable.initializer) return undefined;
  return new Set(variable.initializer.map((entry) => /^(?:\[[^\]]*\]|\.\w+)/.exec(entry.path)?.[0] ?? entry.path)).size;
}

function initializerEntries(value: Node): InitializerEntry[] {
  // A scalar's one entry in an array of its own size: one pushed into an empty array keeps room for 17 (50k globals: 7 MB).
  if (value.type !== 'initializer_list') return [{ path: '', value: normalize(value.text) }];
  const into: InitializerEntry[] = [];
  const pending: Array<[Node, string]> = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, path] = next;
    if (node.type !== 'initializer_list') {
      into.push({ path, value: normalize(node.text) });
      continue;
    }
    const inside: Array<[Node, string]> = [];
    let position = 0;
    for (const element of node.namedChildren) {
      if (!element || element.type === 'comment') continue;
      if (element.type === 'initializer_pair') {
        const designators = element.childrenForFieldName('designator').map((d) => (d?.type === 'field_designator' ? `.${d.text.replace(/^\./, '')}` : (d?.text ?? '')));
        const inner = element.childForFieldName('value');
        if (inner) inside.push([inner, path + designators.join('')]);
      } else inside.push([element, `${path}[${position}]`]);
      position++;
    }
    for (let i = inside.length - 1; i >= 0; i--) pending.push(inside[i]);
  }
  return into;
}

/** Comments out, spacing collapsed, none around punctuation: two texts equal here read the same to a compiler. */
// String and character literals are kept as written: `"a  b"` and `"a b"` are different code.
const literal = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;
// `code.replace(/\s+/g, ' ').replace(/ ?([()[\]{},;*]) ?/g, '$1')` in one scan, a third faster (22,000 bodies): a run of
// spacing becomes one space, dropped when a punctuator is next to it.
function squeezed(code: string): string {
  let out = '';
  let copied = 0;
  for (let at = 0; at < code.length;) {
    if (!isSpace(code.charCodeAt(at))) {
      at++;
      continue;
    }
    let end = at + 1;
    while (end < code.length && isSpace(code.charCodeAt(end))) end++;
    out += code.slice(copied, at);
    if (!isSqueezedPunctuator(code.charCodeAt(at - 1)) && !isSqueezedPunctuator(code.charCodeAt(end))) out += ' ';
    copied = at = end;
  }
  return copied ? out + code.slice(copied) : code;
}

/** What `\s` matches. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const squeezedPunctuators = new Set([...'()[]{},;*'].map((c) => c.charCodeAt(0)));
/** NaN (before the start, past the end) is none. */
const isSqueezedPunctuator = (c: number): boolean => squeezedPunctuators.has(c);

function normalize(text: string): string {
  const code = withoutSourceComments(text, /\n/g);
  if (!code.includes('"') && !code.includes("'")) return squeezed(code).trim();
  let out = '';
  let last = 0;
  for (const m of code.matchAll(literal)) {
    out += squeezed(code.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return (out + squeezed(code.slice(last))).trim();
}

function lineSpan(node: Node): LineSpan {
  const end = node.endPosition;
  return { first: node.startPosition.row, last: end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row };
}

const statementTypes = [
  'expression_statement',
  'return_statement',
  'if_statement',
  'for_statement',
  'while_statement',
  'do_statement',
  'switch_statement',
  'goto_statement',
  'break_statement',
  'continue_statement',
  'labeled_statement',
  'case_statement',
];

/** What a function body is read for, in one pass: callees, every identifier, the storage classes of declarations (static locals), statements. */
const bodyQueries = new WeakMap<Language, Query>();

function bodyQuery(language: Language): Query {
  let query = bodyQueries.get(language);
  if (!query) {
    const source = `(call_expression function: (identifier) @callee) (identifier) @identifier (declaration (storage_class_specifier) @storage) [${statementTypes.map((t) => `(${t})`).join(' ')}] @statement`;
    query = new Query(language, source);
    bodyQueries.set(language, query);
  }
  return query;
}

interface BodyFacts {
  calls: CallSite[];
  identifiers: Map<string, number>;
  staticLocals: StaticLocal[];
  statements: number;
}

function queryBody(body: Node, parsed: NodeText): BodyFacts {
  const calls: CallSite[] = [];
  const identifiers = new Map<string, number>();
  const staticLocals: StaticLocal[] = [];
  const staticDeclarations = new Set<number>();
  let statements = 0;
  // One query per body, run inside the WASM module: walking the nodes from JS costs a second per
  // kernel-sized file, and each `descendantsOfType` call scans the grammar's whole symbol table.
  for (const { name, node: found } of bodyQuery(body.tree.language).captures(body)) {
    if (name === 'callee') calls.push({ callee: parsed.name(found), line: found.startPosition.row });
    else if (name === 'identifier') {
      const identifier = parsed.name(found);
      identifiers.set(identifier, (identifiers.get(identifier) ?? 0) + 1);
    } else if (name === 'statement') statements++;
    // A declaration's storage class, not every declaration: most locals have none. `static static` is still one declaration.
    else if (parsed.name(found) === 'static') {
      const declaration = found.parent;
      if (!declaration || staticDeclarations.has(declaration.id)) continue;
      staticDeclarations.add(declaration.id);
      for (const d of declaration.childrenForFieldName('declarator')) {
        const local = d && innermostName(d);
        if (local) staticLocals.push({ name: local, line: d.startPosition.row });
      }
    }
  }
  return { calls, identifiers, staticLocals, statements };
}

/** Shared by every function without a static local: most have none, and a map each is 11,000 maps for 11,000 functions. */
const noStaticLocalUses: ReadonlyMap<string, number> = new Map();

function staticLocalUses(staticLocals: readonly StaticLocal[], identifiers: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  return staticLocals.length ? new Map(staticLocals.map((local) => [local.name, identifiers.get(local.name) ?? 0])) : noStaticLocalUses;
}

// The records are written out, not spread from the head: a spread per function was a tenth of the reading (22,000 functions).
const wholeFunction: BodyReading<FunctionDefinition> = ({ kind, name, lines, attributes, prototype, body: code }, body, parsed) => {
  const { calls, identifiers, staticLocals, statements } = queryBody(body, parsed);
  const callees = new Map<string, number>();
  for (const call of calls) callees.set(call.callee, (callees.get(call.callee) ?? 0) + 1);
  const valueReferences = new Set<string>();
  for (const [identifier, count] of identifiers) if (count > (callees.get(identifier) ?? 0)) valueReferences.add(identifier);
  const uses = staticLocalUses(staticLocals, identifiers);
  return { kind, name, lines, attributes, prototype, body: code, staticLocals, staticLocalUses: uses, calls, identifiers, valueReferences, statements };
};

/** A static local is declared with the storage class `static` in the parsed text: a body without the word has none. */
const comparedFunction: BodyReading<ComparedFunction> = ({ kind, name, lines, attributes, prototype, body: code }, body, parsed) => {
  const holdsStatic = /\bstatic\b/.test(parsed.between(body.startIndex, body.endIndex));
  const { identifiers, staticLocals } = holdsStatic ? queryBody(body, parsed) : { identifiers: noStaticLocalUses, staticLocals: [] };
  return { kind, name, lines, attributes, prototype, body: code, staticLocals, staticLocalUses: staticLocalUses(staticLocals, identifiers) };
};

/**
 * The line of the first error: down the first child that contains one, with a cursor. Every error
 * of broken C would cost a node object per token: a 240 KB line of `a a a ...` in a function
 * body is 120k nodes, and only the first error is ever reported.
 */
function firstErrorLine(tree: Tree): number[] {
  const cursor = tree.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) return [node.startPosition.row];
      let found = cursor.gotoFirstChild();
      while (found && !(cursor.currentNode.hasError || cursor.currentNode.isMissing)) found = cursor.gotoNextSibling();
      if (!found) return [node.startPosition.row];
    }
  } finally {
    cursor.delete();
  }
}
