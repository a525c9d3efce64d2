/** Jest global setup: one migrated template database for this run (see postgres.ts). */
import 'reflect-metadata';
import { createDataSource } from '../../src/db/data-source';
import { adminQuery, databaseUrl, dropDatabase, dropStaleDatabases } from './postgres';

export default async function globalSetup(): Promise<void> {
  // A run killed before its teardown leaves its databases behind; a day later they are surely dead.
  await dropStaleDatabases(24 * 3600 * 1000);
  const name = `billing_tpl_${process.pid}_${Date.now().toString(36)}`;
  await dropDatabase(name);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const dataSource = createDataSource(databaseUrl(name), { poolSize: 1 });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  process.env.TEST_TEMPLATE_DB = name;
}
