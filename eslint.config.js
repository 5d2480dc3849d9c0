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
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
