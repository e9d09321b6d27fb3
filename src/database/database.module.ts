import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ENTITIES } from './entities';
import { ormOptions } from './orm-options';

@Module({})
export class DatabaseModule {
  static forUrl(databaseUrl: string) {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({ ...ormOptions(databaseUrl), registerRequestContext: true }),
        MikroOrmModule.forFeature(ENTITIES),
      ],
      exports: [MikroOrmModule],
      global: true,
    };
  }
}
