/**
 * Benchmark 3, usage: increments/s through the TypeScript client and through POST /v1/usage
 * beside raw pipelined INCR, and a drain of many (customer, meter) pairs.
 */
export interface Throughput {
  count: number;
  seconds: number;
  perSec: number;
}

export interface UsageResult {
  rawIncr: Throughput;
  client: Throughput;
  http: Throughput & { eventsPerRequest: number };
  drain: { pairs: number; requests: number; expectedRequests: number; seconds: number; eventsAccepted: number };
}
