import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStatusOfErrorCode } from '../../src/common/app-error';
import { OAUTH_ERROR_REF } from '../../src/common/oauth-errors';

const ROOT = join(__dirname, '..', '..');

function errorFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? errorFiles(join(dir, entry.name))
      : entry.name.endsWith('.errors.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('error codes in the OpenAPI document', () => {
  const document = JSON.parse(readFileSync(join(ROOT, 'openapi', 'openapi.json'), 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading each file registers its codes
  for (const file of errorFiles(join(ROOT, 'src'))) require(file);

  const errorResponses = Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).flatMap(([method, operation]) =>
      Object.entries<any>(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({ at: `${method.toUpperCase()} ${path} ${status}`, status, response })),
    ),
  );

  const isOAuthError = (response: any) =>
    response.content?.['application/json']?.schema?.$ref === OAUTH_ERROR_REF;

  it('only the OAuth token endpoint answers RFC 6749 errors, for the statuses RFC 6749 defines', () => {
    expect(errorResponses.filter(({ response }) => isOAuthError(response)).map(({ at }) => at)).toEqual([
      'POST /auth/token 400',
      'POST /auth/token 401',
    ]);
  });

  /** Problem details, or another protocol's error format the route declares (SCIM's), each naming its codes. */
  const codesOf = (response: any): string[][] =>
    Object.values<any>(response.content ?? {}).map((media) => media.schema?.allOf?.[1]?.properties?.code?.enum ?? []);

  it('every other error response names the codes it can carry, in problem details or a declared format', () => {
    const untyped = errorResponses
      .filter(({ response }) => !isOAuthError(response))
      .filter(({ response }) => {
        const formats = codesOf(response);
        return formats.length === 0 || formats.some((codes) => codes.length === 0);
      })
      .map(({ at }) => at);
    expect(untyped).toEqual([]);
  });

  it('every documented code is declared, with the status it is documented under', () => {
    const wrong = errorResponses.flatMap(({ at, status, response }) =>
      codesOf(response)
        .flat()
        .filter((code: string) => {
          try {
            return !isStatusOfErrorCode(code, Number(status));
          } catch {
            return true;
          }
        })
        .map((code: string) => `${at} ${code}`),
    );
    expect(wrong).toEqual([]);
  });
});
