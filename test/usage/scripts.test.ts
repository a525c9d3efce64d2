/** docs/usage.md shows product services the record script: it must be the script the engine runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_SCRIPT } from '../../src/usage/scripts';

test('the Lua in docs/usage.md is RECORD_SCRIPT, byte for byte (blank lines aside)', () => {
  const doc = readFileSync(join(__dirname, '../../docs/usage.md'), 'utf8');
  const shown = /The script, for reference[\s\S]*?```lua\n([\s\S]*?)```/.exec(doc)?.[1];
  const squeeze = (text: string) => text.replace(/\n\s*\n/g, '\n').trim();
  expect(squeeze(shown ?? '')).toBe(squeeze(RECORD_SCRIPT));
});
