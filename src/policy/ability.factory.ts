import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { AppAbility } from './actions';
import { PolicyContext } from './policy-context';
import { PolicyRules } from './policy-rules';

@Injectable()
export class AbilityFactory {
  constructor(private readonly rules: PolicyRules) {}

  /** The caller's ability in this context: denied unless some registered rule allows. */
  build(ctx: PolicyContext): AppAbility {
    const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
    for (const define of this.rules.all()) define(builder, ctx);
    return builder.build();
  }
}
