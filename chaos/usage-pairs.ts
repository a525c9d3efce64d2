/** The (customer, meter) pairs the usage scenarios count for: `pairs` of them over two meters. */
export const USAGE_METERS = ['api_calls', 'storage_gb'];

export interface UsagePair {
  customer: string;
  meter: string;
}

/** `pairs` pairs, half the customers per meter; `tag` keeps one scenario's customers apart from another's. */
export function usagePairs(tag: string, pairs: number): UsagePair[] {
  const customers = Math.ceil(pairs / USAGE_METERS.length);
  return Array.from({ length: pairs }, (_, i) => ({
    customer: `cus_${tag}x${i % customers}`,
    meter: USAGE_METERS[Math.floor(i / customers)],
  }));
}
