import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../src/policy/public.decorator';
import { POLICY_REQUIREMENT, PolicyRequirement } from '../../src/policy/authorize.decorator';
import { TestApp } from '../support/test-app';

/**
 * Which policy guards every route. A change in this snapshot is a permission change: review it as one.
 * A route with neither @Public nor @Authorize would be refused by the guard; this test names it.
 */
describe('Route permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('every route is public or declares its policy, as recorded', () => {
    const discovery = new DiscoveryService(t.app.get(ModulesContainer));
    const scanner = new MetadataScanner();
    const reflector = t.app.get(Reflector);
    const lines: string[] = [];
    const undeclared: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || !wrapper.instance) continue;
      const base = [reflector.get<string | string[]>(PATH_METADATA, controller)].flat()[0] ?? '';
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<
        string,
        (...args: unknown[]) => unknown
      >;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const path = reflector.get<string | undefined>(PATH_METADATA, handler);
        if (path === undefined) continue;
        const method = RequestMethod[reflector.get<RequestMethod>(METHOD_METADATA, handler)];
        const route = `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(
          /\/+/g,
          '/',
        );
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]);
        const requirement = reflector.getAllAndOverride<PolicyRequirement>(POLICY_REQUIREMENT, [
          handler,
          controller,
        ]);
        if (isPublic) lines.push(`${route}  public`);
        else if (requirement) {
          const scope =
            requirement.scope.type === 'resource'
              ? `resource:${requirement.scope.kind}`
              : requirement.scope.type;
          lines.push(`${route}  ${requirement.action} ${requirement.subject} @${scope}`);
        } else undeclared.push(route);
      }
    }
    expect(undeclared).toEqual([]);
    expect(lines.sort().join('\n')).toMatchSnapshot();
  });
});
