/**
 * The lower sections of the customer page: entitlements, this period's usage per meter, the
 * latest applied Stripe events, the access-change notifications with their delivery state, and
 * the customer's other objects in stripe_objects grouped by type.
 */
import type { CustomerStory } from './customer-model';
import { LIMITS } from './customer-model';
import { stripeLink } from './dashboard';
import { formatAmount, formatTime } from './format';
import { Html, html } from './html';

const time = (v: unknown): string => formatTime(v instanceof Date ? v : v === null ? null : Number(v));
const none = (what: string): Html => html`<p class="muted">${what}</p>`;
const limited = (shown: number, limit: number, what: string): Html =>
  shown >= limit ? html`<p class="muted">The latest ${limit} ${what} are shown.</p>` : html``;

export function entitlementsSection(s: CustomerStory): Html {
  return html`<section>
    <h2>Entitlements</h2>
    ${
      s.entitlements.length === 0
        ? none('No active entitlements.')
        : html`<ul>
            ${s.entitlements.map((key) => html`<li><code>${key}</code></li>`)}
          </ul>`
    }
    <p class="muted">As <code>GET /v1/customers/${s.id}/entitlements</code> answers it.</p>
  </section>`;
}

/** The usage route's columns; a total the query does not give shows as —. */
const USAGE_COLUMNS = ['pending', 'sent', 'rejected', 'confirmed'] as const;

export function usageSection(s: CustomerStory): Html {
  const title = html`<h2>Usage this period</h2>`;
  if (s.usage === null) return html`<section>${title}${none('Usage is not served by this process.')}</section>`;
  if (!s.usage.ok)
    return html`<section>
      ${title}
      <p class="bad">Could not read: ${s.usage.error}</p>
    </section>`;
  const { from, to, meters } = s.usage.value;
  const rows = Object.entries(meters) as Array<[string, Record<string, unknown>]>;
  return html`<section>
    ${title}
    <p class="muted">${time(from)} → ${time(to)}</p>
    ${
      rows.length === 0
        ? none('No usage in this period.')
        : html`<div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>meter</th>
                  ${USAGE_COLUMNS.map((c) => html`<th class="num">${c}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  ([meter, totals]) =>
                    html`<tr>
                      <td><code>${meter}</code></td>
                      ${USAGE_COLUMNS.map((c) => html`<td class="num">${totals[c] ?? '—'}</td>`)}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    <p class="muted">As <code>GET /v1/customers/${s.id}/usage</code> answers it.</p>
  </section>`;
}

export function eventsSection(s: CustomerStory, live: boolean): Html {
  const body =
    s.events.length === 0
      ? none(
          'No applied events recorded for this customer (events applied before the console existed are not linked to it).',
        )
      : html`<div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>event</th>
                  <th>type</th>
                  <th>created (Stripe)</th>
                  <th>applied</th>
                  <th>source</th>
                </tr>
              </thead>
              <tbody>
                ${s.events.map(
                  (e) =>
                    html`<tr>
                      <td>${stripeLink(e.stripe_event_id, live, 'event')}</td>
                      <td><code>${e.type}</code></td>
                      <td>${time(e.event_created)}</td>
                      <td>${time(e.processed_at)}</td>
                      <td>${e.source ?? html`<span class="muted">—</span>`}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
          ${limited(s.events.length, LIMITS.events, 'events')}`;
  return html`<section>
    <h2>Latest applied Stripe events</h2>
    ${body}
  </section>`;
}

const STATE_CLASS: Readonly<Record<string, string>> = { completed: 'ok', failed: 'bad', delayed: 'warn' };

export function notificationsSection(s: CustomerStory): Html {
  const title = html`<h2>Access-change notifications</h2>`;
  if (!s.notifications.ok)
    return html`<section>
      ${title}
      <p class="bad">Could not read: ${s.notifications.error}</p>
    </section>`;
  const rows = s.notifications.value;
  if (rows.length === 0)
    return html`<section>
      ${title}${none('None kept (outbox rows are pruned 7 days after they were enqueued).')}
    </section>`;
  return html`<section>
    ${title}
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th class="num">sequence</th>
            <th>answer</th>
            <th>reason</th>
            <th>changed</th>
            <th>delivery</th>
            <th class="num">attempts</th>
            <th>last error</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (n) =>
              html`<tr>
                <td class="num">${n.sequence}</td>
                <td class="${n.access ? 'ok' : 'bad'}">${n.access ? 'access' : 'no access'}</td>
                <td><code>${n.reason}</code></td>
                <td>${time(n.createdAt)}</td>
                <td class="${STATE_CLASS[n.state] ?? ''}">
                  ${n.state === 'completed' ? 'delivered' : n.state === 'delayed' ? 'retrying' : n.state}
                </td>
                <td class="num">${n.attempts}</td>
                <td>${n.lastError ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function objectsSection(s: CustomerStory, live: boolean): Html {
  const title = html`<h2>Other Stripe objects</h2>`;
  if (s.objects.length === 0) return html`<section>${title}${none('None in stripe_objects.')}</section>`;
  const types = [...new Set(s.objects.map((o) => String(o.type)))];
  return html`<section>
    ${title}${types.map((type) => {
      const rows = s.objects.filter((o) => o.type === type);
      return html`<h3><code>${type}</code> (${rows.length})</h3>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>id</th>
                <th>status</th>
                <th class="num">amount</th>
                <th>failure</th>
                <th>invoice</th>
                <th>mirrored as of</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (o) =>
                  html`<tr>
                    <td>
                      ${stripeLink(o.stripe_id, live, type)}${o.deleted ? html` <span class="bad">deleted</span>` : ''}
                    </td>
                    <td>${o.status ?? '—'}</td>
                    <td class="num">${formatAmount(o.amount as string | null, o.currency as string | null)}</td>
                    <td>
                      ${o.failure_code || o.failure_message ? html`<span class="bad"><code>${o.failure_code ?? ''}</code> ${o.failure_message ?? ''}</span>` : ''}
                    </td>
                    <td>${o.invoice ? stripeLink(o.invoice, live, 'invoice') : ''}</td>
                    <td>${time(o.watermark)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`;
    })}${limited(s.objects.length, LIMITS.objects, 'objects')}
  </section>`;
}
