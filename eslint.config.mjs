// eslint over the whole tree (issue 13, hygiene): the TypeScript sources with the type-checked
// recommended rules, the Node scripts and the webview script with the plain recommended ones.
// Formatting belongs to prettier; eslint-config-prettier, last, turns off the rules it owns.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build output, bundles and the samples' build tree are generated, not written.
    ignores: ['**/node_modules/', '**/out/', 'dist/', 'samples/build/', '.vscode-test/', '*.vsix'],
  },
  {
    files: ['server/src/**/*.ts', 'client/src/**/*.ts', 'test/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return a promise that the runner itself awaits and
      // reports; it never rejects for a failing test, so there is nothing for the caller to handle.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] }],
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // The webview script runs in the browser, next to the host's acquireVsCodeApi.
    files: ['media/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, acquireVsCodeApi: 'readonly' },
    },
  },
  prettier,
);
