/**
 * The sending side of a drain: events of consecutive claims (and shards) fill shared batches of
 * ≤ 100, so a drain makes ⌈events / 100⌉ requests however the usage is spread over shards. Each
 * accepted batch goes to the ledger; a claim is released only after the batch holding its last
 * event was accepted and recorded. A failed batch drops the releases waiting on it: those claims
 * stay open and the next drain resumes them with the same identifiers.
 */
import type { DataSource } from 'typeorm';
import type { RateLimiter } from '../lib/rate-limiter';
import type { Logger } from '../logger';
import type { UsageDrainResult } from '../queues/usage-drain-queue';
import type { UsageStore } from './usage-store';
import type { MeterStream } from './meter-stream';
import type { LateResumeDeps } from './late-resume';
import { recordSent } from './ledger';
import { MAX_EVENTS_PER_BATCH, type PlannedEvent, toStreamEvent } from './plan';

export interface DrainDeps {
  store: UsageStore;
  dataSource: DataSource;
  stream: Pick<MeterStream, 'send'>;
  limiter: Pick<RateLimiter, 'acquire'>;
  log: Logger;
  keyPrefix: string;
  windowSeconds: number;
  /** Called after Stripe accepted batch `index` of the drain (its first event from `claimId`), before the ledger write (tests). */
  afterBatchAccepted?: (claimId: string, index: number) => Promise<void> | void;
  /** Asks Stripe's summaries before a claim resumed late is sent again (late-resume.ts). */
  late?: LateResumeDeps;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

export class DrainSender {
  private buffer: PlannedEvent[] = [];
  /** Releases of claims whose last event is in `buffer` (or sent already). */
  private releases: Array<() => Promise<void>> = [];
  private batches = 0;

  constructor(
    private readonly deps: DrainDeps,
    private readonly result: UsageDrainResult,
  ) {}

  /** Queues events; sends every full batch. */
  async add(events: readonly PlannedEvent[]): Promise<void> {
    for (const e of events) {
      this.buffer.push(e);
      if (this.buffer.length === MAX_EVENTS_PER_BATCH) await this.send();
    }
  }

  /** Runs `release` once everything queued so far is accepted (now, when nothing waits). */
  async afterQueued(release: () => Promise<void>): Promise<void> {
    this.releases.push(release);
    if (this.buffer.length === 0) await this.runReleases();
  }

  /** Sends what is left and runs the waiting releases. */
  async flush(): Promise<void> {
    if (this.buffer.length > 0) await this.send();
    await this.runReleases();
  }

  /** Forgets the queued events and releases (their batch failed or was never sent). */
  discard(): void {
    this.buffer = [];
    this.releases = [];
  }

  private async send(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    const { deps, result } = this;
    try {
      await deps.limiter.acquire();
      result.requests++;
      await deps.stream.send(batch.map(toStreamEvent));
      await deps.afterBatchAccepted?.(batch[0].claimId, this.batches++);
      await recordSent(deps.dataSource, batch);
    } catch (error) {
      this.releases = [];
      throw error;
    }
    result.events += batch.length;
    result.value += batch.reduce((sum, e) => sum + Number(e.value), 0);
    await this.runReleases();
  }

  private async runReleases(): Promise<void> {
    const releases = this.releases;
    this.releases = [];
    for (const release of releases) await release();
  }
}
