import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('README: Use from TypeScript', () => {
  it('shows exactly the example that the type check compiles', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = readFileSync(join(ROOT, 'clients/typescript/examples/readme.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });
});
