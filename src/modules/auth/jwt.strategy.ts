import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JwtKeys } from './jwt-keys';

export interface JwtPayload {
  sub: string;
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

  validate(payload: JwtPayload): { userId: string } {
    return { userId: payload.sub };
  }
}
