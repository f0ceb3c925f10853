// Lint rules, including the package boundaries of ARCHITECTURE.md:
// core imports nothing internal and no framework; no package imports an app;
// production code never imports the emulator or the dev IdP except the
// demo wiring.
import path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noApps = { group: ['@rolegate/api', '@rolegate/api/*', '@rolegate/web', '@rolegate/web/*', '**/apps/*'], message: 'Packages must not import apps.' };

/** The workspace package (apps/x or packages/x) a file lives in, or null outside them. */
function packageOf(file) {
  const rel = path.relative(import.meta.dirname, file).split(path.sep);
  return (rel[0] === 'apps' || rel[0] === 'packages') && rel.length > 2 ? `${rel[0]}/${rel[1]}` : null;
}

/**
 * Relative imports stay inside their own package: `../../api/src/app.js`
 * from apps/web would bypass every package boundary below (they match
 * package names), so another package is reached only by its name.
 */
const noCrossPackageRelative = {
  meta: {
    type: 'problem',
    messages: { cross: "'{{spec}}' reaches into {{target}} by a relative path; import it by its package name (and only where the boundaries allow)." },
  },
  create(context) {
    const from = packageOf(context.filename);
    if (!from) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = packageOf(path.resolve(path.dirname(context.filename), spec));
      if (target !== null && target !== from) context.report({ node: node.source, messageId: 'cross', data: { spec, target } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-*/**',
      '**/generated/**',
      '.rolegate/**',
      'test-results/**',
      '.turbo/**',
      'bench/.*.bundle.mjs*',
      '**/.rolegate-test-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { rolegate: { rules: { 'no-cross-package-relative': noCrossPackageRelative } } },
    rules: { 'rolegate/no-cross-package-relative': 'error' },
  },
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
    files: ['packages/cli/src/**/*.js', 'packages/cli/bin/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\.|@rolegate/aws-names$)',
              message:
                'The CLI installs without the workspace: at run time it imports only node: built-ins, its own files and aws-names (contract types come in through JSDoc).',
            },
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
