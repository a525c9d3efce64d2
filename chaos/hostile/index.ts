/**
 * Hostile requests for scenario 7: random and mutated requests to every route. Each says what the
 * caller holds (`auth`): `none` means it must never get a 2xx/3xx from a protected route, and
 * nothing it sends may be recorded; cross-site admin writes carry valid credentials and are refused all the same. Bodies that would be legitimately accepted are never built.
 */
import { adminForged } from './admin-forged';
import { crossSiteAdmin } from './cross-site';
import { admin, open, rawBytes, truncatedUpload, v1, v1Authorized } from './routes';
import type { HostileRequest, Rng } from './shapes';
import { webhook } from './webhooks';

export type { HostileRequest } from './shapes';

/** One random hostile request; the mix covers every route. */
export function hostileRequest(rng: Rng): HostileRequest {
  const r = rng();
  if (r < 0.35) return webhook(rng);
  if (r < 0.55) return v1(rng);
  if (r < 0.7) return v1Authorized(rng);
  if (r < 0.78) return admin(rng);
  if (r < 0.8) return adminForged(rng);
  if (r < 0.82) return crossSiteAdmin(rng);
  if (r < 0.9) return open(rng);
  if (r < 0.97) return rawBytes(rng);
  return truncatedUpload(rng);
}
