/**
 * `GET /admin/customers?q=`: finds customers by customer id, subscription id, invoice id or email
 * (case-insensitive, through the lower(email) index of migration 1795760000000). What the query is
 * is decided by `classifyQuery` (pure); one match redirects to the customer's page.
 */
import type { DataSource } from 'typeorm';
import { CUSTOMER_ID } from '../lib/ids';
import { Html, html } from './html';
import { CONSOLE_BASE } from './layout';

export type SearchQuery =
  | { kind: 'customer' | 'subscription' | 'invoice' | 'email'; value: string }
  | { kind: 'empty' }
  | { kind: 'unsupported'; value: string };

export function classifyQuery(raw: string | undefined): SearchQuery {
  const value = (raw ?? '').trim();
  if (value === '') return { kind: 'empty' };
  if (CUSTOMER_ID.test(value)) return { kind: 'customer', value };
  if (/^sub_[A-Za-z0-9]+$/.test(value)) return { kind: 'subscription', value };
  if (/^in_[A-Za-z0-9]+$/.test(value)) return { kind: 'invoice', value };
  if (/^[^\s@]+@[^\s@]+$/.test(value) && value.length <= 512) return { kind: 'email', value };
  return { kind: 'unsupported', value };
}

export interface Match {
  customer: string;
  email: string | null;
  name: string | null;
  /** False when only the id is known (a subscription of a customer the mirror lacks, or an id typed in). */
  mirrored: boolean;
}

export const MAX_MATCHES = 50;

const SQL = {
  customer:
    'SELECT $1::text AS customer, c.email, c.name, c.stripe_id IS NOT NULL AS mirrored FROM (SELECT 1) one LEFT JOIN customers c ON c.stripe_id = $1',
  subscription: `SELECT s.stripe_customer_id AS customer, c.email, c.name, c.stripe_id IS NOT NULL AS mirrored
    FROM subscriptions s LEFT JOIN customers c ON c.stripe_id = s.stripe_customer_id WHERE s.stripe_id = $1`,
  invoice: `SELECT i.stripe_customer_id AS customer, c.email, c.name, c.stripe_id IS NOT NULL AS mirrored
    FROM invoices i LEFT JOIN customers c ON c.stripe_id = i.stripe_customer_id WHERE i.stripe_id = $1`,
  email: `SELECT stripe_id AS customer, email, name, true AS mirrored FROM customers
    WHERE lower(email) = lower($1) ORDER BY deleted, stripe_id LIMIT ${MAX_MATCHES}`,
};

/**
 * The matches of a query. A well-formed customer id always matches itself, mirrored or not: its
 * page says what the mirror lacks and offers a resync.
 */
export async function searchCustomers(dataSource: DataSource, query: SearchQuery): Promise<Match[]> {
  if (query.kind === 'empty' || query.kind === 'unsupported') return [];
  return (await dataSource.query(SQL[query.kind], [query.value])) as Match[];
}

export const customerPath = (id: string): string => `${CONSOLE_BASE}/customers/${encodeURIComponent(id)}`;

export function searchBody(query: SearchQuery, matches: readonly Match[]): Html {
  const help = html`<p class="muted">
    Search by customer id (<code>cus_…</code>), subscription id (<code>sub_…</code>), invoice id (<code>in_…</code>) or
    the customer's email (exact, any case).
  </p>`;
  if (query.kind === 'empty')
    return html`<h1>Find a customer</h1>
      ${help}`;
  if (query.kind === 'unsupported')
    return html`<h1>Find a customer</h1>
      <p class="warn">Not an id or an email: ${query.value}</p>
      ${help}`;
  return html`<h1>Customers matching <code>${query.value}</code></h1>
    ${
      matches.length === 0
        ? html`<p>No match in the mirror.</p>
            ${help}`
        : ''
    }
    ${
      matches.length > 0
        ? html`<section>
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>customer</th>
                    <th>name</th>
                    <th>email</th>
                  </tr>
                </thead>
                <tbody>
                  ${matches.map(
                    (m) =>
                      html`<tr>
                        <td>
                          <a href="${customerPath(m.customer)}" class="id">${m.customer}</a
                          >${m.mirrored ? '' : html` <span class="muted">(not in the mirror)</span>`}
                        </td>
                        <td>${m.name ?? ''}</td>
                        <td>${m.email ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${matches.length >= MAX_MATCHES ? html`<p class="muted">The first ${MAX_MATCHES} are shown.</p>` : ''}
          </section>`
        : ''
    }`;
}
