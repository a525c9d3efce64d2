/** Jest global teardown: drops this run's template database. */
import { dropDatabase } from './postgres';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_TEMPLATE_DB) await dropDatabase(process.env.TEST_TEMPLATE_DB);
}
