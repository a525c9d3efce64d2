/**
 * The TypeORM DataSource: entities and reviewed migrations, never `synchronize`. Used by the
 * service, the operator commands and the tests; the root ormconfig.ts wraps it for TypeORM's CLI.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from '../entities';

export interface DataSourceOptions {
  poolSize?: number;
}

export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsTableName: 'typeorm_migrations',
    extra: { max: options.poolSize ?? 20, connectionTimeoutMillis: 5000 },
  });
}
