/**
 * `GET /admin/customers/:id`: one customer's story, from customer-model.ts. The access answer
 * comes first with its reason; when the reason names a failed invoice, that invoice's row is
 * marked and linked. After a resync the page opens with what it changed. Every Stripe id links
 * to Stripe's Dashboard.
 */
import type { ResyncReport } from '../ops/resync';
import type { CustomerStory } from './customer-model';
import {
  entitlementsSection,
  eventsSection,
  notificationsSection,
  objectsSection,
  usageSection,
} from './customer-sections';
import { causeInvoice, type Change, failuresByInvoice } from './customer-view';
import { dashboardUrl, stripeLink } from './dashboard';
import { formatAmount, formatDate, formatTime } from './format';
import { Html, html } from './html';
import { CONSOLE_BASE } from './layout';

type Row = Record<string, unknown>;

/** What a resync did, shown above the story. */
export type ResyncResult = { report: ResyncReport; changes: Change[] } | { error: string };

export interface CustomerPageOptions {
  live: boolean;
  readOnly: boolean;
  /** False when this process cannot reach Stripe for a resync. */
  canResync: boolean;
  resync?: ResyncResult;
}

const time = (v: unknown): string => formatTime(v instanceof Date ? v : v === null ? null : Number(v));
const yes = (v: unknown): string => (v ? 'yes' : 'no');
/** A period as days, its exact times in the tooltip. */
const period = (start: unknown, end: unknown): Html =>
  start === null || start === undefined
    ? html`—`
    : html`<span class="nowrap" title="${time(start)} → ${time(end)}"
        >${formatDate(Number(start))} → ${formatDate(Number(end))}</span
      >`;

function resyncBanner(result: ResyncResult): Html {
  if ('error' in result) return html`<div class="banner bad" role="status">Resync failed: ${result.error}</div>`;
  const { report, changes } = result;
  if (!report.found)
    return html`<div class="banner bad" role="status">
      Stripe has no customer ${report.customer}: nothing changed.
    </div>`;
  const written = report.objects.filter((o) => o.outcome !== 'skipped').length;
  return html`<div class="banner" role="status">
    <strong>Resynced from Stripe:</strong> ${report.objects.length} objects fetched, ${written} written
    (${report.objects.length - written} left alone: the mirror was as new or newer).
    ${
      changes.length === 0
        ? html` Nothing on this page changed.`
        : html`<ul>
            ${changes.map((c) => html`<li>${c.what}: <del>${c.from}</del> → <strong>${c.to}</strong></li>`)}
          </ul>`
    }
  </div>`;
}

function resyncForm(s: CustomerStory, o: CustomerPageOptions): Html {
  const disabled = o.readOnly || !o.canResync;
  const why = o.readOnly
    ? 'ADMIN_READ_ONLY=true'
    : o.canResync
      ? 'Fetch this customer, its subscriptions and invoices from Stripe again'
      : 'No Stripe client in this process';
  return html`<form class="actions" method="post" action="${CONSOLE_BASE}/customers/${encodeURIComponent(s.id)}/resync">
    <button type="submit" title="${why}" ${disabled ? html` disabled` : ''}>Resync from Stripe</button>
    <span class="muted"
      >Never moves a row backwards: rows written by an event in the last 5 minutes are left alone.</span
    >
  </form>`;
}

function accessSection(s: CustomerStory, live: boolean): Html {
  const { access } = s;
  const cause = causeInvoice(access.reason);
  const graceEnd = s.stored?.grace_ends_at ?? null;
  return html`<section>
    <h2>Access</h2>
    <p class="answer ${access.access ? 'ok' : 'bad'}">
      <strong>${access.access ? 'Access' : 'No access'}</strong> · reason
      <code>${access.reason}</code>${access.status ? html` · subscription status <code>${access.status}</code>` : ''}
    </p>
    ${cause ? html`<p>Caused by the failed payment of invoice <a href="#${cause}" class="id">${cause}</a> (<a href="${dashboardUrl(cause, live, 'invoice')}">open in Stripe</a>).</p>` : ''}
    <dl>
      <dt>grace period ends</dt>
      <dd>${graceEnd === null ? html`<span class="muted">no grace period running</span>` : time(graceEnd)}</dd>
      <dt>stored answer</dt>
      <dd>
        ${s.stored ? `version ${String(s.stored.version)}, changed ${time(s.stored.updated_at)}` : 'none yet (computed from the rows)'}
      </dd>
    </dl>
    <p class="muted">As <code>GET /v1/customers/${s.id}/access</code> answers it.</p>
  </section>`;
}

function customerSection(s: CustomerStory, live: boolean): Html {
  const c = s.customer;
  if (!c)
    return html`<section>
      <h2>Customer</h2>
      <p class="warn">Not in the mirror. ${stripeLink(s.id, live, 'customer')} · a resync fetches it.</p>
    </section>`;
  return html`<section>
    <h2>Customer</h2>
    <dl>
      <dt>id</dt>
      <dd>${stripeLink(c.stripe_id, live, 'customer')}</dd>
      <dt>name</dt>
      <dd>${c.name ?? html`<span class="muted">—</span>`}</dd>
      <dt>email</dt>
      <dd>${c.email ?? html`<span class="muted">—</span>`}</dd>
      <dt>deleted</dt>
      <dd class="${c.deleted ? 'bad' : ''}">${yes(c.deleted)}</dd>
      <dt>mirrored as of</dt>
      <dd>${time(c.watermark)} (row written ${time(c.updated_at)})</dd>
    </dl>
  </section>`;
}

function itemCell(i: Row, live: boolean): Html {
  const price = `${formatAmount(i.unit_amount as string | null, i.currency as string | null)}${i.recurring_interval ? ` / ${String(i.recurring_interval)}` : ''}`;
  return html`<div>
    ${i.product_name ?? 'unknown product'} · ${stripeLink(i.stripe_price_id, live, 'price')} · ${price}
    ${i.usage_type === 'metered' ? html` · metered (<code>${i.meter}</code>)` : html` × ${i.quantity ?? 1}`}
  </div>`;
}

function subscriptionsSection(s: CustomerStory, live: boolean): Html {
  if (s.subscriptions.length === 0)
    return html`<section>
      <h2>Subscriptions</h2>
      <p class="muted">None mirrored.</p>
    </section>`;
  return html`<section>
    <h2>Subscriptions</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>subscription</th>
            <th>status</th>
            <th>items and prices</th>
            <th>current period</th>
            <th>cancel at period end</th>
            <th>mirrored as of</th>
          </tr>
        </thead>
        <tbody>
          ${s.subscriptions.map((sub) => {
            const items = s.items.filter((i) => i.stripe_subscription_id === sub.stripe_id);
            const first = items[0];
            return html`<tr>
              <td>
                ${stripeLink(sub.stripe_id, live, 'subscription')}${sub.deleted ? html` <span class="bad">deleted</span>` : ''}
              </td>
              <td><code>${sub.status}</code></td>
              <td>${items.length ? items.map((i) => itemCell(i, live)) : html`<span class="muted">no items</span>`}</td>
              <td>${first ? period(first.current_period_start, first.current_period_end) : '—'}</td>
              <td>${yes(sub.cancel_at_period_end)}</td>
              <td>${time(sub.watermark)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

function failureCell(inv: Row, failures: Row[]): Html {
  const since = inv.payment_failed_at;
  return html`${since === null ? '' : html`<span class="bad">failing since ${time(since)}</span>`}
  ${failures.map((f) => html`<div title="${f.stripe_id}"><code>${f.failure_code ?? ''}</code> ${f.failure_message ?? ''}</div>`)}
  ${since === null && failures.length === 0 ? html`<span class="muted">${inv.attempted ? 'none' : 'not attempted'}</span>` : ''}`;
}

function invoicesSection(s: CustomerStory, live: boolean): Html {
  if (s.invoices.length === 0)
    return html`<section>
      <h2>Latest invoices</h2>
      <p class="muted">None mirrored.</p>
    </section>`;
  const cause = causeInvoice(s.access.reason);
  const failures = failuresByInvoice(s.objects);
  return html`<section>
    <h2>Latest invoices</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>invoice</th>
            <th>status</th>
            <th class="num">due</th>
            <th class="num">paid</th>
            <th class="num">remaining</th>
            <th>payment failures</th>
            <th>period</th>
            <th>subscription</th>
          </tr>
        </thead>
        <tbody>
          ${s.invoices.map((inv) => {
            const money = (v: unknown) => formatAmount(v as string, inv.currency as string);
            return html`<tr
              id="${inv.stripe_id}"
              ${inv.stripe_id === cause ? html` class="cause" title="The reason for the access answer"` : ''}
            >
              <td>
                ${stripeLink(inv.stripe_id, live, 'invoice')}${inv.deleted ? html` <span class="bad">deleted</span>` : ''}
              </td>
              <td><code>${inv.status}</code></td>
              <td class="num">${money(inv.amount_due)}</td>
              <td class="num">${money(inv.amount_paid)}</td>
              <td class="num">${money(inv.amount_remaining)}</td>
              <td>${failureCell(inv, failures.get(String(inv.stripe_id)) ?? [])}</td>
              <td>${period(inv.period_start, inv.period_end)}</td>
              <td>${stripeLink(inv.stripe_subscription_id, live, 'subscription')}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function customerTitle(s: CustomerStory): string {
  const c = s.customer;
  return String(c?.name ?? c?.email ?? s.id);
}

export function customerBody(s: CustomerStory, o: CustomerPageOptions): Html {
  return html`<h1>${customerTitle(s)} <span class="muted">${s.id}</span></h1>
    ${o.resync ? resyncBanner(o.resync) : ''} ${resyncForm(s, o)}
    <div class="grid">${accessSection(s, o.live)}${customerSection(s, o.live)}</div>
    ${subscriptionsSection(s, o.live)} ${invoicesSection(s, o.live)}
    <div class="grid">${entitlementsSection(s)}${usageSection(s)}</div>
    ${eventsSection(s, o.live)} ${notificationsSection(s)} ${objectsSection(s, o.live)}`;
}
