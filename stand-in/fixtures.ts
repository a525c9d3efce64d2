/**
 * Stripe's own sample objects the builders start from (stand-in/fixtures/*.json, subsets of Stripe's
 * fixtures3.json), per API version, and the deep merge the builders apply overrides with.
 * - stripe-fixtures.json: the pinned version (customer, product, price, subscription, invoice, …);
 * - stripe-fixtures-<version>.json: the same resources as older API versions render them;
 * - stripe-objects.json: objects without a typed table (charge, refund, dispute, …), pinned version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The API version stripe 23 pins (and the engine's). */
export const API_VERSION = '2026-10-28.endive';

/** API versions the builders can render objects in, oldest first. */
export const API_VERSIONS = ['2020-03-02', '2024-06-20', API_VERSION] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** Recursively optional version of a Stripe type, for overrides. */
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

export type Json = Record<string, unknown>;

const loaded = new Map<string, Record<string, Json>>();

/** Folder holding package.json, searched upwards from this file (works from dist/ too). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`stand-in fixtures: no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

function fixtureFile(name: string): string {
  return resolve(projectRoot(), 'stand-in', 'fixtures', name);
}

/**
 * Path of the sample objects of `version`. For the pinned version $STRIPE_FIXTURES_PATH (e.g. a full
 * fixtures3.json) wins over the subset shipped in the repository.
 */
export function fixturesPath(version: ApiVersion = API_VERSION): string {
  if (version === API_VERSION) return process.env.STRIPE_FIXTURES_PATH ?? fixtureFile('stripe-fixtures.json');
  return fixtureFile(`stripe-fixtures-${version}.json`);
}

function resources(path: string): Record<string, Json> {
  let r = loaded.get(path);
  if (!r) {
    r = (JSON.parse(readFileSync(path, 'utf8')) as { resources: Record<string, Json> }).resources;
    loaded.set(path, r);
  }
  return r;
}

/** A deep copy of Stripe's sample object for `resource` (e.g. `'customer'`) in `version`. */
export function fixture(resource: string, version: ApiVersion = API_VERSION): Json {
  const f = resources(fixturesPath(version))[resource];
  if (!f) throw new Error(`stand-in fixtures: no ${resource} at API version ${version}`);
  return structuredClone(f);
}

/** A deep copy of Stripe's sample of an object without a typed table (e.g. `'charge'`, `'balance'`). */
export function objectSample(objectType: string): Json {
  const f = resources(fixtureFile('stripe-objects.json'))[objectType];
  if (!f) throw new Error(`stand-in fixtures: no sample for ${objectType} in stripe-objects.json`);
  return structuredClone(f);
}

/** Object types stripe-objects.json has a sample of. */
export function objectSampleTypes(): string[] {
  return Object.keys(resources(fixtureFile('stripe-objects.json')));
}

export function isPlain(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` in place: plain objects recurse, everything else replaces; undefined is skipped. */
export function merge(base: Json, over: object): Json {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (isPlain(v) && isPlain(base[k])) merge(base[k] as Json, v);
    else base[k] = structuredClone(v);
  }
  return base;
}

/**
 * Sets only the fields `target` already has: resets sample values without adding fields an older
 * API version does not render (e.g. `billing_schedules` on a 2020 subscription).
 */
export function setPresent(target: Json, fields: Json): Json {
  for (const [k, v] of Object.entries(fields)) if (k in target) target[k] = v;
  return target;
}

export const now = (): number => Math.floor(Date.now() / 1000);
export const DAY = 24 * 3600;
