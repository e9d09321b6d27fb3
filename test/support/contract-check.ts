import { takeContractViolations } from './response-validator';

/**
 * Fails the test during which an answer broke the OpenAPI document (see response-validator.ts),
 * even when the test itself did not look at that answer.
 */
afterEach(() => {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(`answers the OpenAPI document does not declare:\n${[...new Set(violations)].join('\n')}`);
  }
});
