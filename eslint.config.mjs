// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, and the kafkajs wall of
// docs/ARCHITECTURE.md for the editor (`npm run lint` checks every dependency rule with dependency-cruiser).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'examples/**/node_modules/**', '.ci-kafka/**', 'oclif.manifest.json']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      // A terminal tool matches escape sequences and control characters on purpose (ANSI codes, input checks).
      'no-control-regex': 'off',
      // `let {a, b} = ...` where only some are reassigned stays one statement.
      'prefer-const': ['error', {destructuring: 'all'}],
      // `cond ? renderA() : renderB()` and `a && b()` as statements are used on purpose.
      '@typescript-eslint/no-unused-expressions': ['error', {allowTernary: true, allowShortCircuit: true}],
      // A record run's marker object refers back to its run by this name (kafka/kafkajs/protocol/record-runs.ts).
      '@typescript-eslint/no-this-alias': ['error', {allowedNames: ['run']}],
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none'}],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __dirname: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/kafka/kafkajs/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{name: 'kafkajs', message: 'kafkajs is reached only from src/kafka/kafkajs/ (docs/ARCHITECTURE.md)'}],
          patterns: [{regex: '^kafkajs/', message: 'kafkajs is reached only from src/kafka/kafkajs/'}],
        },
      ],
    },
  },
)
