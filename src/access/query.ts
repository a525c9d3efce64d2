/**
 * The access API's reads. A customer's access answer is the stored one (customer_access, one
 * primary-key read, kept by every committed change: access-sync.ts), or, when there is none yet,
 * the access rule applied to the mirror's rows. Feature access and entitlements read
 * customer_entitlements. With a live cache (access-cache.ts) each is read once until a committed
 * change of that customer invalidates it.
 */
import type { DataSource } from 'typeorm';
import { Customer, Invoice, Subscription } from '../entities';
import type { AccessCache } from './cache';
import { AccessDecision, accessOf, graceEndsAt } from './rule';
import type { AccessState } from './sync';

/** The access rule applied to the mirror's rows (three reads), with when a grace period would end. */
export async function computeAccess(
  dataSource: DataSource,
  customerId: string,
  graceSeconds: number,
  nowSeconds: number,
): Promise<AccessState> {
  const [customer, subscriptions, invoices] = await Promise.all([
    dataSource
      .getRepository(Customer)
      .findOne({ where: { stripeId: customerId }, select: { stripeId: true, deleted: true } }),
    dataSource.getRepository(Subscription).find({ where: { stripeCustomerId: customerId }, select: { status: true } }),
    dataSource.getRepository(Invoice).find({
      where: { stripeCustomerId: customerId, deleted: false },
      select: { stripeId: true, paymentFailedAt: true },
    }),
  ]);
  const decision = accessOf({ customer, subscriptions, invoices }, nowSeconds, graceSeconds);
  return { ...decision, graceEndsAt: graceEndsAt(decision, invoices, graceSeconds) };
}

const STORED_SQL = 'SELECT access, status, reason, grace_ends_at FROM customer_access WHERE stripe_customer_id = $1';
const ENTITLEMENTS_SQL =
  'SELECT lookup_key FROM customer_entitlements WHERE stripe_customer_id = $1 ORDER BY lookup_key';

/** True when a granted answer's grace period has run out by `nowSeconds` (the sweep will store it soon). */
const expired = (state: AccessState, nowSeconds: number): boolean =>
  state.access && state.graceEndsAt !== null && nowSeconds >= state.graceEndsAt;

const decisionOf = ({ access, status, reason }: AccessState): AccessDecision => ({ access, status, reason });

export class AccessReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly graceSeconds: number,
    private readonly cache?: AccessCache<AccessState>,
  ) {}

  /** The customer's access answer. */
  async access(customerId: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<AccessDecision> {
    const load = () => this.loadState(customerId, nowSeconds);
    const state = this.cache ? await this.cache.get(customerId, 'state', load) : await load();
    // A grace period that ran out since the answer was read: the rule decides from the rows again.
    if (expired(state, nowSeconds))
      return decisionOf(await computeAccess(this.dataSource, customerId, this.graceSeconds, nowSeconds));
    return decisionOf(state);
  }

  /** Access to one feature: the customer's access, and then the feature among its active entitlements. */
  async feature(customerId: string, lookupKey: string): Promise<AccessDecision> {
    const [base, features] = await Promise.all([this.access(customerId), this.features(customerId)]);
    if (!base.access || features.has(lookupKey)) return base;
    return { access: false, status: base.status, reason: 'feature_not_entitled' };
  }

  /** The lookup keys of the customer's active entitlements, sorted. */
  async entitlements(customerId: string): Promise<string[]> {
    return [...(await this.features(customerId))];
  }

  private async loadState(customerId: string, nowSeconds: number): Promise<AccessState> {
    const [row] = (await this.dataSource.query(STORED_SQL, [customerId])) as Array<{
      access: boolean;
      status: string | null;
      reason: string;
      grace_ends_at: string | null;
    }>;
    if (!row) return computeAccess(this.dataSource, customerId, this.graceSeconds, nowSeconds);
    return {
      access: row.access,
      status: row.status,
      reason: row.reason,
      graceEndsAt: row.grace_ends_at === null ? null : Number(row.grace_ends_at),
    };
  }

  private features(customerId: string): Promise<ReadonlySet<string>> {
    const load = async () =>
      new Set(
        ((await this.dataSource.query(ENTITLEMENTS_SQL, [customerId])) as Array<{ lookup_key: string }>).map(
          (r) => r.lookup_key,
        ),
      );
    return this.cache ? this.cache.get(customerId, 'features', load) : load();
  }
}
