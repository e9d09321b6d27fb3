import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { TokenSubject } from '../../policy/policy-context';
import { JwtKeys } from './jwt-keys';

export interface JwtPayload {
  sub: string;
  /** The user's credential version when the token was issued; the policy guard compares it. */
  ver: number;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(keys: JwtKeys) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: keys.secret,
      // Pinned: a token signed with any other algorithm (or `none`) is refused.
      algorithms: ['HS256'],
      issuer: JwtKeys.ISSUER,
      audience: JwtKeys.AUDIENCE,
      ignoreExpiration: false,
    });
  }

  /** False (401) for a token without a credential version: it cannot be checked against a password change. */
  validate(payload: Partial<JwtPayload>): TokenSubject | false {
    if (typeof payload.sub !== 'string' || !Number.isSafeInteger(payload.ver)) return false;
    return { userId: payload.sub, credentialVersion: payload.ver as number };
  }
}
