import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
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
  ...tseslint.configs.recommended,
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
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
