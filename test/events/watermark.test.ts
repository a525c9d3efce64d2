import { decideWrite } from '../../src/events/watermark';

describe('decideWrite', () => {
  test.each([
    ['first sight applies', null, { created: 100, deletion: false }, 'apply'],
    ['first sight of a deletion applies', null, { created: 100, deletion: true }, 'apply'],
    ['newer event applies', { watermark: 100, deleted: false }, { created: 101, deletion: false }, 'apply'],
    ['older event is skipped', { watermark: 100, deleted: false }, { created: 99, deletion: false }, 'skip'],
    ['same second refetches', { watermark: 100, deleted: false }, { created: 100, deletion: false }, 'refetch'],
    ['deletion wins even when older', { watermark: 100, deleted: false }, { created: 50, deletion: true }, 'apply'],
    [
      'a late update never revives a deleted row',
      { watermark: 100, deleted: true },
      { created: 500, deletion: false },
      'skip',
    ],
    ['a second deletion changes nothing', { watermark: 100, deleted: true }, { created: 100, deletion: true }, 'skip'],
  ] as const)('%s', (_name, stored, incoming, expected) => {
    expect(decideWrite(stored, incoming)).toBe(expected);
  });
});
