import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetadataStorage } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { TestApp } from '../support/test-app';

const MODULES = join(__dirname, '..', '..', 'src', 'modules');

/** Entity class names declared in `src/modules/<feature>/entities/*.entity.ts`, the tools' convention. */
function entitiesByConvention(): string[] {
  const names: string[] = [];
  for (const feature of readdirSync(MODULES)) {
    let files: string[] = [];
    try {
      files = readdirSync(join(MODULES, feature, 'entities')).filter((f) => f.endsWith('.entity.ts'));
    } catch {
      continue; // a feature without entities
    }
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading each file is what is tested
      const exported = require(join(MODULES, feature, 'entities', file)) as Record<string, unknown>;
      const decorated = new Set(Object.values(MetadataStorage.getMetadata()).map((meta) => meta.class));
      for (const value of Object.values(exported)) {
        if (typeof value === 'function' && decorated.has(value as never)) names.push(value.name);
      }
    }
  }
  return names.sort();
}

describe('Module registration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('the app knows exactly the entities that migrations and the MikroORM CLI find by convention', () => {
    const registered = Object.values(t.app.get(MikroORM).getMetadata().getAll())
      .filter((meta) => !meta.embeddable && !meta.virtual && !meta.abstract)
      .map((meta) => meta.className)
      .sort();
    expect(registered).toEqual(entitiesByConvention());
  });

  it('the policy engine imports no feature module', () => {
    const policyDir = join(__dirname, '..', '..', 'src', 'policy');
    for (const file of readdirSync(policyDir)) {
      const source = readFileSync(join(policyDir, file), 'utf8');
      expect({ file, imports: source.match(/from '\.\.\/modules\/[^']+'/g) ?? [] }).toEqual({
        file,
        imports: [],
      });
    }
  });
});
