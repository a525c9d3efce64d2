/**
 * The TypeORM DataSource: entities and reviewed migrations, never `synchronize`.
 * `createDataSource(url)` is used by the service and the tests; the default export serves the
 * TypeORM CLI (`npx typeorm-ts-node-commonjs migration:generate -d ormconfig.ts`).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './src/entities';
import { migrations } from './migrations';

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

export default createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/billing');
