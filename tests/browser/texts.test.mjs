// texts.test.mjs - the staff app's texts: bokmål, nynorsk and English have
// exactly the same keys, all the way down, and each function takes as many
// arguments in every language.  A missing or extra key is listed by its
// path ("nn.day.startVideo"), so it is found at once.  No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTexts } from './harness.mjs';

const TEXTS = await loadTexts();

// Every leaf of o as [path, what]: 'text', or 'function/N' for N arguments.
function leaves(o, prefix = '') {
  return Object.entries(o).flatMap(([k, v]) => {
    const path = `${prefix}${k}`;
    if (v && typeof v === 'object') return leaves(v, `${path}.`);
    return [[path, typeof v === 'function' ? `function/${v.length}` : typeof v]];
  });
}

// What differs between languages a and b, one line a problem.
export function differences(texts, a, b) {
  const la = new Map(leaves(texts[a])), lb = new Map(leaves(texts[b]));
  const out = [];
  for (const [k, what] of la) {
    if (!lb.has(k)) out.push(`${b}.${k} is missing (${a} has it)`);
    else if (lb.get(k) !== what) out.push(`${b}.${k} is ${lb.get(k)}, ${a}.${k} is ${what}`);
  }
  for (const k of lb.keys()) if (!la.has(k)) out.push(`${b}.${k} is extra (${a} has no such key)`);
  return out;
}

for (const other of ['nn', 'en']) {
  test(`texts: ${other} has exactly the keys of nb, with the same arities`, () => {
    const diff = differences(TEXTS, 'nb', other);
    assert.deepEqual(diff, [], `\n${diff.join('\n')}`);
  });
}

test('texts: the check finds a missing key, an extra one and a changed arity', () => {
  const fake = {
    nb: { a: { b: 'x', f: n => `${n}` }, c: 'y' },
    nn: { a: { f: (n, m) => `${n}${m}`, d: 'z' }, c: 'y' },
  };
  assert.deepEqual(differences(fake, 'nb', 'nn').sort(), [
    'nn.a.b is missing (nb has it)',
    'nn.a.d is extra (nb has no such key)',
    'nn.a.f is function/2, nb.a.f is function/1',
  ]);
});

test('texts: no text is empty, and nynorsk is not bokmål copied', () => {
  const empty = ['nb', 'nn', 'en'].flatMap(l => leaves(TEXTS[l]).filter(([, w]) => w === 'string')
    .map(([k]) => [l, k]).filter(([l, k]) => k.split('.').reduce((o, x) => o[x], TEXTS[l]) === ''));
  assert.deepEqual(empty, []);
  // words that are bokmål only: a nynorsk text holding one was not
  // translated (functions are called with '2' for each argument)
  const bokmaal = /(^|[^\p{L}])(ikke|hva|fra|hvem|hvor|hvilke|hvis|jeg|noen|mye|bare|kommer|ønsker|må velges|hennes|dere)(?![\p{L}])/iu;
  const text = (l, k) => {
    const v = k.split('.').reduce((o, x) => o[x], TEXTS[l]);
    if (typeof v !== 'function') return String(v);
    try { return String(v(...Array(v.length).fill('2'))); } catch { return ''; }
  };
  const leftovers = leaves(TEXTS.nn).map(([k]) => k).filter(k => bokmaal.test(text('nn', k)))
    .map(k => `${k}: ${text('nn', k)}`);
  assert.deepEqual(leftovers, [], `bokmål words in nynorsk:\n${leftovers.join('\n')}`);
});
