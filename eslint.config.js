import { existsSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// e2e/ and bench/ have their own dependencies (the real CLIs, the load generator, the
// peer gateway); until they are installed their code cannot be type-checked.
const uninstalled = ['e2e', 'bench']
  .filter((dir) => !existsSync(`${dir}/node_modules`))
  .map((dir) => `${dir}/`);

export default tseslint.config(
  {
    ignores: ['dist/', '**/node_modules/', 'eslint.config.js', ...uninstalled],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  prettier,
);
