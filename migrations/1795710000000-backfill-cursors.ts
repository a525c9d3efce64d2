import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each backfill resource stopped, so an interrupted `npm run backfill` resumes after the
 * last fully applied page. Bookkeeping for operators only: no entity, nobody else reads it.
 */
export class BackfillCursors1795710000000 implements MigrationInterface {
  name = 'BackfillCursors1795710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "backfill_cursors" (
      "resource" text NOT NULL,
      "starting_after" text,
      "pages_done" integer NOT NULL DEFAULT 0,
      "objects_done" integer NOT NULL DEFAULT 0,
      "rows_changed" integer NOT NULL DEFAULT 0,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_backfill_cursors" PRIMARY KEY ("resource"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "backfill_cursors"`);
  }
}
