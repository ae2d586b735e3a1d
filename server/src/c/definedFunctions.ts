import type { Node, Tree } from 'web-tree-sitter';
import { rangeOf, type SourceRange } from './sourceRange';
import { findFunctionDeclarator } from './sourceFacts/definitions';

const scopes = new Set(['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list']);

/**
 * Where each function defined in the file writes its name, at file scope and inside `#if`
 * blocks: where a patch module's replacement functions are, for what the editor shows above them.
 */
export function definedFunctionNames(tree: Tree): Map<string, SourceRange> {
  const found = new Map<string, SourceRange>();
  const read = (scope: Node) => {
    for (const node of scope.namedChildren) {
      if (!node) continue;
      if (scopes.has(node.type)) read(node);
      else if (node.type === 'function_definition') {
        const name = findFunctionDeclarator(node.childForFieldName('declarator'))?.childForFieldName('declarator');
        if (name?.type === 'identifier' && !found.has(name.text)) found.set(name.text, rangeOf(name));
      }
    }
  };
  read(tree.rootNode);
  return found;
}
