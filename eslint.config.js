// Lint: typescript-eslint with type-checked rules, plus the layer table of docs/design.md
// ("Layers"), enforced with no-restricted-imports per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'worker_threads',
];
const node = (names) => names.flatMap((n) => [`node:${n}`, n]);
const folders = (names) => names.map((n) => `**/${n}/*`);
const dirs = (names) => names.flatMap((n) => [`../${n}/*`, `../../${n}/*`]);

/** One layer rule: files, the folders it must not import, the built-ins it must not import. */
function layer(files, forbiddenFolders, forbiddenBuiltins, extraPatterns = []) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: node(forbiddenBuiltins).map((name) => ({
            name,
            message: 'forbidden in this layer (docs/design.md, Layers)',
          })),
          patterns: [
            ...(forbiddenFolders.length > 0
              ? [
                  {
                    group: [...dirs(forbiddenFolders), ...folders(forbiddenFolders)],
                    message: 'forbidden in this layer (docs/design.md, Layers)',
                  },
                ]
              : []),
            ...extraPatterns,
          ],
        },
      ],
    },
  };
}

const ALL = ['core', 'format', 'protocol', 'parallel', 'io', 'transport', 'sync', 'cli'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'bench/results/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['bin/*.cjs', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-console': 'error',
      'no-process-exit': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'only cli/ may exit' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layer(['src/errors.ts'], ALL, IO_BUILTINS, [
    { group: ['./*', '../*', 'node:*'], message: 'errors.ts imports nothing' },
  ]),
  layer(
    ['src/core/**'],
    ALL.filter((f) => f !== 'core'),
    [...IO_BUILTINS, 'os', 'path', 'process', 'timers', 'stream'],
    [
      {
        group: ['node:*', '!node:crypto', '!node:buffer'],
        message: 'core/ uses only node:crypto and node:buffer',
      },
    ],
  ),
  layer(
    ['src/format/**'],
    ['format', 'protocol', 'parallel', 'io', 'transport', 'sync', 'cli'].filter((f) => f !== 'format'),
    IO_BUILTINS,
  ),
  layer(['src/protocol/**'], ['parallel', 'io', 'transport', 'sync', 'cli'], IO_BUILTINS),
  layer(
    ['src/parallel/**'],
    ['format', 'protocol', 'transport', 'sync', 'cli'],
    ['net', 'tls', 'http', 'https', 'http2', 'child_process', 'dgram'],
  ),
  layer(
    ['src/io/**'],
    ['format', 'protocol', 'parallel', 'transport', 'sync', 'cli'],
    ['net', 'tls', 'http', 'https', 'http2', 'child_process', 'dgram', 'worker_threads'],
  ),
  layer(['src/transport/**'], ['sync', 'cli'], []),
  layer(['src/sync/**'], ['cli'], []),
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['bin/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', Buffer: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/cli/**', 'bench/**', 'test/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
