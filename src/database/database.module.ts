import { MikroORM } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { ENTITIES } from './entities';
import { ormOptions, ServingLimits } from './orm-options';
import { keepStatementValuesOutOfErrors } from './statement-errors';

@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  static forUrl(databaseUrl: string, limits: ServingLimits) {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({ ...ormOptions(databaseUrl, { limits }), registerRequestContext: true }),
        MikroOrmModule.forFeature(ENTITIES),
      ],
      exports: [MikroOrmModule],
      global: true,
    };
  }

  onModuleInit(): void {
    keepStatementValuesOutOfErrors(this.orm);
  }
}
