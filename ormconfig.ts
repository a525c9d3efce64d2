/**
 * The DataSource for TypeORM's CLI (`npx typeorm migration:generate -d dist/ormconfig.js`, after
 * `npm run build`). The service builds its own from src/db/data-source.ts; this file only points
 * the CLI at DATABASE_URL.
 */
import { createDataSource } from './src/db/data-source';

export default createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/billing');
