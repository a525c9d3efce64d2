/**
 * The access API's reads. A customer's access answer is the stored one (customer_access, one
 * primary-key read, kept by every committed change: sync.ts), or, when there is none yet, the
 * access rule applied to the mirror's rows; both are read and mapped as the access step reads them
 * (inputs.ts). Feature access and entitlements read customer_entitlements. With a live cache
 * (cache.ts) each is read once until a committed change of that customer invalidates it.
 */
import type { DataSource } from 'typeorm';
import type { AccessCache } from './cache';
import {
  AccessState,
  computedAccessOf,
  readFromPool,
  ruleReadStatements,
  storedAccessOf,
  storedReadStatement,
} from './inputs';
import type { AccessDecision } from './rule';

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
    if (expired(state, nowSeconds)) return decisionOf(await this.compute(customerId, nowSeconds));
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
    const [stored] = await readFromPool(this.dataSource, [storedReadStatement([customerId], false)]);
    return storedAccessOf(customerId, stored) ?? this.compute(customerId, nowSeconds);
  }

  /** The access rule applied to the mirror's rows (three reads), with when a grace period would end. */
  private async compute(customerId: string, nowSeconds: number): Promise<AccessState> {
    const [customers, subscriptions, invoices] = await readFromPool(this.dataSource, ruleReadStatements([customerId]));
    return computedAccessOf(customerId, [customers, subscriptions, invoices], nowSeconds, this.graceSeconds);
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
