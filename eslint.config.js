import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import n from 'eslint-plugin-n';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { n },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      'n/prefer-node-protocol': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The decision engine is pure: no I/O, no clock, no process. It may use node:path (string
    // arithmetic) and node:crypto digests; it reads the file system only through a PathEnv.
    files: ['src/policy/engine/**/*.ts', 'src/limits/sliding-window.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', '!node:path', 'execa', 'chalk', 'better-sqlite3', 'ioredis', 'redis'], message: 'the engine is pure: no I/O' },
            { regex: '(^|/)(cli|proxy|state|source|checks)/|host-file-system', message: 'the engine depends on nothing above it' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Date'],
    },
  },
  {
    // stdout is the wire: only CLI output code prints.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
);
