// The Try it panel's message handling, without VS Code, against a real `narml serve` on the
// penguins sample: the listening line is read, the panel's state carries each model's paths and
// an example row the server accepts, a request is answered with the server's status and body
// (indented), a path the server does not have or a server that stopped gives status 0 and why.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServedModelsJson } from '../../server/src/contracts/cli-json';
import { answerTryRequest, parseListening, tryItState, type Send } from '../../extension/src/try-it';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, root, sample } from '../helpers/cli';
import { startServer } from '../helpers/serving';

before(() => { ensureBuilt(); });

const send: Send = async (url, body) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: r.status, text: await r.text() };
};

test('the listening line: a URL and models, or nothing for any other line', () => {
  assert.deepEqual(parseListening('{"url":"http://127.0.0.1:5000","models":[{"name":"m","version":"v1","url":"http://127.0.0.1:5000/predict/m"}]}')?.url, 'http://127.0.0.1:5000');
  assert.equal(parseListening('serving x at http://127.0.0.1:5000'), undefined);
  assert.equal(parseListening('{"url":"file:///etc/passwd","models":[]}'), undefined);
  assert.equal(parseListening('{"models":[]}'), undefined);
});

test('Try it: the example row is answered, a refusal shows the server\'s reason, an unknown path or a stopped server says why', async () => {
  const dir = sample('penguins');
  assert.equal(narml(['run', 'penguins.narml', 'species_forest'], dir).status, 0);
  const served = await startServer([cli, 'serve', 'penguins.narml', '--port', '0', '--json'], dir);
  let state;
  try {
    const listening = parseListening(JSON.stringify(served.first))!;
    const listing = await (await fetch(`${listening.url}/models`)).json() as ServedModelsJson;
    state = tryItState(listening.url, listing);
    assert.equal(state.type, 'tryit');
    const model = listing.models[0];
    assert.deepEqual(model.paths, ['/predict/species_forest', '/predict/species_forest@v1']);
    assert.deepEqual(Object.keys(model.example), model.input.map((c) => c.name));

    const ok = await answerTryRequest(state, '/predict/species_forest@v1', JSON.stringify({ rows: [model.example] }), send);
    assert.equal(ok.type, 'tryResponse');
    assert.equal(ok.type === 'tryResponse' && ok.status, 200);
    const body = ok.type === 'tryResponse' ? ok.body : '';
    assert.ok(body.includes('\n  "model": "species_forest"'), 'indented JSON');
    assert.ok(['Adelie', 'Chinstrap', 'Gentoo'].includes(JSON.parse(body).predictions[0].prediction));

    const refused = await answerTryRequest(state, '/predict/species_forest', '{"rows": [{"Island": 3}]}', send);
    assert.equal(refused.type === 'tryResponse' && refused.status, 400);
    assert.equal(refused.type === 'tryResponse' && JSON.parse(refused.body).column, 'Island');
    const typed = await answerTryRequest(state, '/predict/species_forest', '{"rows": [', send);
    assert.match(typed.type === 'tryResponse' ? typed.body : '', /not JSON/);

    const elsewhere = await answerTryRequest(state, '/../../admin', '{}', send);
    assert.equal(elsewhere.type === 'tryResponse' && elsewhere.status, 0);
    assert.match(elsewhere.type === 'tryResponse' ? elsewhere.body : '', /not a path of the running server/);
    assert.equal((await answerTryRequest(undefined, '/predict/species_forest', '{}', send)).type === 'tryResponse', true);
  } finally {
    assert.equal(await served.stop(), 0, served.stderr());
  }
  const gone = await answerTryRequest(state, '/predict/species_forest', '{}', send);
  assert.equal(gone.type === 'tryResponse' && gone.status, 0);
  assert.match(gone.type === 'tryResponse' ? gone.body : '', /does not answer .*Serve Model/);
});

test('the extension declares Serve Model and Try Served Model, and a restored Try it panel activates it', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { activationEvents: string[]; contributes: { commands: { command: string; title: string }[] } };
  const titles = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, c.title]));
  assert.equal(titles['narml.serveModel'], 'Serve Model');
  assert.equal(titles['narml.tryModel'], 'Try Served Model');
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:narml.tryit'));
});
