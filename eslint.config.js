// Lint rules, including the package boundaries of ARCHITECTURE.md:
// core imports nothing internal and no framework; no package imports an app;
// production code never imports the emulator or the dev IdP except the
// demo wiring.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noApps = { group: ['@rolegate/api', '@rolegate/api/*', '@rolegate/web', '@rolegate/web/*', '**/apps/*'], message: 'Packages must not import apps.' };

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '.rolegate/**', 'test-results/**', '.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@rolegate/(?!aws-names$|contract/error-codes$)',
              message: 'core imports nothing internal but the AWS naming rules and the error codes of the contract (no zod in the domain).',
            },
            {
              group: ['express', 'express-*', '@prisma/*', 'prisma', 'pg', '@aws-sdk/*', '@smithy/*', 'openid-client', '@node-saml/*'],
              message: 'core holds domain rules only: no frameworks, databases or AWS SDK.',
            },
            noApps,
          ],
        },
      ],
    },
  },
  {
    files: ['packages/aws-names/src/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\./)', message: 'aws-names is dependency-free: it imports only its own files (it runs in the CLI and the browser as is).' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@rolegate/contract', '@rolegate/aws-emulator', '@rolegate/dev-idp', 'express', '@aws-sdk/*'], message: 'db depends on core only.' },
            noApps,
          ],
        },
      ],
    },
  },
  {
    files: ['packages/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@rolegate/core', '@rolegate/db', '@rolegate/aws-emulator', '@rolegate/dev-idp'], message: 'contract is schemas only.' },
            noApps,
          ],
        },
      ],
    },
  },
  {
    files: ['packages/aws-emulator/**/*.ts', 'packages/dev-idp/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@rolegate/*'], message: 'dev tools stand alone.' }, noApps] }] },
  },
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: ['apps/api/src/demo.ts', 'apps/api/src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@rolegate/aws-emulator', '@rolegate/dev-idp'], message: 'Production code never loads the emulator or the dev IdP; only demo.ts does.' },
            { group: ['@rolegate/web'], message: 'The API serves the web build, it does not import it.' },
            { group: ['@prisma/*', 'pg', 'pg-*'], message: 'Database access lives in packages/db behind repositories.' },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@rolegate/core', '@rolegate/db', '@rolegate/aws-emulator', '@rolegate/dev-idp', '@rolegate/api'],
              message: 'web depends on contract and aws-names only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'scripts/**', 'bench/**', '**/main.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
