import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { appOrmOptions } from './orm-options';

@Module({})
export class DatabaseModule {
  /** The ORM and its request-scoped entity manager, global through MikroORM's core module. */
  static forUrl(databaseUrl: string) {
    return {
      module: DatabaseModule,
      imports: [MikroOrmModule.forRoot({ ...appOrmOptions(databaseUrl), registerRequestContext: true })],
    };
  }
}
