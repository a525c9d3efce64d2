import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index the processed_events prune (src/ops/prune.ts) finds old rows through. A plain CREATE
 * INDEX: it blocks writes to processed_events while it builds (seconds per million rows), which only
 * makes the workers wait, since the webhook route never touches PostgreSQL. CONCURRENTLY is not an
 * option: it waits for every open transaction, including the migrating processes queued on the
 * migration advisory lock (db/database.ts), so a concurrent start-up would deadlock.
 */
export class ProcessedEventsCreatedIndex1795740000000 implements MigrationInterface {
  name = 'ProcessedEventsCreatedIndex1795740000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_processed_events_event_created" ON "processed_events" ("event_created")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_processed_events_event_created"`);
  }
}
