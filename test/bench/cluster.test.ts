import { bestOf, ClusterSide } from '../../bench/cluster';

const side = (ingestRps: number, eventsPerSec: number, non2xx = 0): ClusterSide => ({
  ingestRps,
  ingestP99: ingestRps / 100,
  eventsPerSec,
  ceilingTxPerSec: eventsPerSec * 2,
  endToEndRatio: 0.5,
  non2xx,
});

test("the better of two runs is taken figure by figure, each with its own run's companions; failures add up", () => {
  expect(bestOf(side(3000, 900, 1), side(2000, 1500, 2))).toEqual({
    ingestRps: 3000,
    ingestP99: 30,
    eventsPerSec: 1500,
    ceilingTxPerSec: 3000,
    endToEndRatio: 0.5,
    non2xx: 3,
  });
  expect(bestOf(side(1, 1), side(1, 1))).toEqual(side(1, 1));
});
