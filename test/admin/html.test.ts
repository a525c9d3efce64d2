/** The console's one escaping tagged template. */
import { escapeHtml, Html, html } from '../../src/admin/html';

test('every interpolated value is escaped, in text and in attributes', () => {
  const name = `<img src=x onerror="alert(1)"></script><script>alert('2')</script> & co`;
  expect(html`<p title="${name}">${name}</p>`.text).toBe(
    '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(&#39;2&#39;)&lt;/script&gt; &amp; co">' +
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(&#39;2&#39;)&lt;/script&gt; &amp; co</p>',
  );
});

test('Html from the same tag is kept as markup; arrays are joined; null, undefined and false are nothing', () => {
  const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
  // prettier-ignore
  const list = html`<ul>${items}</ul>${null}${undefined}${false}${0}`;
  expect(list.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
});

test('a string that merely looks like Html is still escaped; only the class passes', () => {
  const fake = { text: '<b>x</b>' };
  expect(html`${fake}`.text).toBe('[object Object]');
  expect(html`${new Html('<b>x</b>')}`.text).toBe('<b>x</b>');
  expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
});
