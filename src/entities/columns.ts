/** Column helpers shared by the mirror entities. */
import { ColumnOptions, ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; Stripe amounts and unix times fit safely in a JS number. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

export const bigintColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: 'bigint',
  transformer: bigintAsNumber,
  ...options,
});

/** `watermark` is the `created` second of the newest event applied to the row (see events/watermark.ts). */
export const watermarkColumn = (): ColumnOptions => bigintColumn({ name: 'watermark' });
