/** `npm run migrate`: create the database if missing, apply pending migrations, exit. */
import 'reflect-metadata';
import { createDataSource } from '../db/data-source';
import { loadMigrateConfig } from '../config';
import { ensureDatabase, migrateWithLock } from '../db/database';

async function run(): Promise<void> {
  const { DATABASE_URL } = loadMigrateConfig();
  await ensureDatabase(DATABASE_URL);
  const dataSource = createDataSource(DATABASE_URL, { poolSize: 1 });
  await dataSource.initialize();
  try {
    const applied = await migrateWithLock(DATABASE_URL, dataSource);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  } finally {
    await dataSource.destroy();
  }
}

run().catch((error: Error) => {
  console.error(`migrate failed: ${error.message}`);
  process.exit(1);
});
