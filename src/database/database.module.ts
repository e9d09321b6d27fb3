import { MikroORM } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { appOrmOptions, ServingLimits } from './orm-options';
import { keepStatementValuesOutOfErrors } from './statement-errors';

@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  /** The ORM and its request-scoped entity manager, global through MikroORM's core module. */
  static forUrl(databaseUrl: string, limits: ServingLimits) {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({ ...appOrmOptions(databaseUrl, limits), registerRequestContext: true }),
      ],
    };
  }

  onModuleInit(): void {
    keepStatementValuesOutOfErrors(this.orm);
  }
}
