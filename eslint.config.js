import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.nx/**',
      'tools/bench/results/**',
      '**/testdata/**',
      '**/generated/**',
    ],
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  js.configs.recommended,
  // Type-checked: floating promises, unsafe `any` flows, needless assertions… need the types to be seen.
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  // Outside every tsconfig (plain scripts, the Prisma CLI's own config): linted without types.
  { files: ['**/*.js', '**/*.mjs', 'prisma/*.ts'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            // apps are thin shells over libs; libs never import apps
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:data-access', 'type:util'],
            },
            // the pipeline stages: compose the domain libs and the store, no framework
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:util'],
              bannedExternalImports: [
                '@nestjs/*',
                'bullmq',
                'ioredis',
                '@prisma/*',
                'prisma',
                'net-snmp',
                'ldapts',
              ],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: ['@nestjs/*', 'bullmq', 'ioredis', '@prisma/*', 'prisma'],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: ['@nestjs/*', 'bullmq', 'net-snmp', 'ldapts'],
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: ['@nestjs/*', 'bullmq', 'ioredis', '@prisma/*', 'net-snmp', 'ldapts'],
            },
            // only the probe lib speaks SNMP/LDAP
            { sourceTag: 'scope:shared', bannedExternalImports: ['net-snmp', 'ldapts'] },
            // only the store lib speaks Prisma
            { sourceTag: 'type:app', bannedExternalImports: ['net-snmp', 'ldapts', '@prisma/*', 'prisma'] },
          ],
        },
      ],
    },
  },
  // Apps reach the database through libs/store's repository functions only: the client is a handle to pass
  // to them, never a way to query models (tests may still inspect storage directly).
  {
    files: ['apps/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['prisma', 'db', 'tx'].flatMap((name) => [
          {
            selector: `MemberExpression[object.type='Identifier'][object.name='${name}']`,
            message: 'Use a libs/store repository function; apps never query Prisma models.',
          },
          {
            selector: `MemberExpression[object.type='MemberExpression'][object.property.name='${name}']`,
            message: 'Use a libs/store repository function; apps never query Prisma models.',
          },
        ]),
      ],
    },
  },
  // Workers probe and report; they never hold the database or the policies (a worker pod has neither's
  // credentials). Only the job contract of the sweep lib (`@fleetqry/sweep/jobs`) is theirs.
  {
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@fleetqry/store', message: 'Workers never touch the database.' },
            { name: '@fleetqry/policy', message: 'Workers never evaluate policies.' },
            {
              name: '@fleetqry/sweep',
              message: 'Workers use only the job contract: import from @fleetqry/sweep/jobs.',
            },
          ],
          patterns: [{ group: ['@prisma/*'], message: 'Workers never touch the database.' }],
        },
      ],
    },
  },
  // One import order everywhere: Node's built-ins, packages (ours included), then relative paths.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', ['internal', 'parent', 'sibling', 'index']],
          'newlines-between': 'always',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests and tools read JSON from processes, files and HTTP and assert on it: `any` there is the point.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // …and print what they read.
      '@typescript-eslint/no-base-to-string': 'off',
      // Fakes implement async interfaces without awaiting; assertions pass methods to `expect`.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
