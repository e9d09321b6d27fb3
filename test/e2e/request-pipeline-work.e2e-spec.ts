import { ForbiddenError } from '@casl/ability';
import { getMetadataStorage, IsInt, validate } from 'class-validator';
import { createOrganization, membersUrl } from '../factories/organizations.factory';
import { uniqueEmail } from '../factories/users.factory';
import { TestApp } from '../support/test-app';
import * as serviceUnavailableModule from '../../src/common/service-unavailable';
import { strictValidationPipe } from '../../src/common/validation';

/**
 * What every request of a kind does beyond its answer, in the pipeline around the handlers: work
 * that costs CPU under load and that no answer needs. Counted, never timed.
 */
describe('Request pipeline work', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('an allowed change builds no ForbiddenError: the row check is a rule lookup', async () => {
    const org = await createOrganization(t);
    const from = jest.spyOn(ForbiddenError, 'from');
    try {
      const response = await t.post(
        membersUrl(org),
        { email: uniqueEmail(), type: 'member' },
        org.admin.token,
      );
      expect(response.status).toBe(201);
      expect(from).not.toHaveBeenCalled();
    } finally {
      from.mockRestore();
    }
  });

  it('a health probe that succeeds builds no 503', async () => {
    const unavailable = jest.spyOn(serviceUnavailableModule, 'serviceUnavailable');
    try {
      expect((await t.get('/health')).status).toBe(200);
      expect((await t.get('/health/ready')).status).toBe(200);
      expect(unavailable).not.toHaveBeenCalled();
    } finally {
      unavailable.mockRestore();
    }
  });

  it("every hook that every request runs takes Fastify's done callback: a hook that returns a promise costs every request one", () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const hooksKey = Object.getOwnPropertySymbols(fastify).find((key) => key.description === 'fastify.hooks');
    const hooks = (fastify as unknown as Record<symbol, Record<string, ((...args: never[]) => unknown)[]>>)[
      hooksKey!
    ];
    // The arity of a hook that takes `done`, by the hooks every request runs.
    const arity = {
      onRequest: 3,
      preParsing: 4,
      preValidation: 3,
      preHandler: 3,
      preSerialization: 4,
      onSend: 4,
      onResponse: 3,
    };
    const promising = Object.entries(arity).flatMap(([name, length]) =>
      hooks[name]
        .filter((fn) => fn.constructor.name === 'AsyncFunction' || fn.length !== length)
        .map((fn) => `${name}: ${String(fn)}`),
    );
    expect(promising).toEqual([]);
  });

  it("a class's validation rules are looked up once, not for every object validated", () => {
    class Counted {
      @IsInt()
      count!: number;
    }
    const storage = getMetadataStorage();
    const noSchema = undefined as unknown as string; // as class-validator itself asks for a class's rules
    expect(storage.getTargetValidationMetadatas(Counted, noSchema, false, false)).toBe(
      storage.getTargetValidationMetadatas(Counted, noSchema, false, false),
    );
  });

  it('a validation rule registered after a lookup is enforced', async () => {
    class Late {
      @IsInt()
      count!: number;
      label!: unknown;
    }
    const late = Object.assign(new Late(), { count: 1, label: 'text' });
    expect(await validate(late)).toEqual([]);
    IsInt()(Late.prototype, 'label');
    expect((await validate(late)).map((error) => error.property)).toEqual(['label']);
    await expect(
      strictValidationPipe().transform({ count: 1, label: 'text' }, { type: 'body', metatype: Late }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
