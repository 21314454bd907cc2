// The Try it panel of a running `narml serve`: pick a model version, edit a JSON request
// (prefilled with a row made from its input schema), send it, and read the answer. The request
// goes through the extension (the panel's CSP allows no network), which posts the status and
// body back; the body is shown as text, never as HTML.
import { connect, el } from '../dom';
import type { ServedModelJson } from '../../../server/src/contracts/cli-json';
import type { FromPanel, ToPanel, ToPanelPart } from '../messages';

let answer: HTMLElement | undefined;
let status: HTMLElement | undefined;
let waiting: string | undefined;

/** The request a model starts with: its example row, as `{"rows": [...]}`, indented. */
function startingBody(m: ServedModelJson): string {
  return JSON.stringify({ rows: [m.example] }, null, 2);
}

function render(m: ToPanel, post: (m: FromPanel) => void): Node {
  if (m.type !== 'tryit') return el('p', {}, '');
  const paths = m.models.flatMap((x) => x.paths.map((p) => ({ path: p, model: x })));
  const select = el('select', { 'aria-label': 'Model version to ask' }, ...paths.map(({ path, model }) => el('option', { value: path }, `${path}  (${model.name} ${model.version}${model.stage ? `, ${model.stage}` : ''})`)));
  const editor = el('textarea', { class: 'request', spellcheck: 'false', rows: '14', 'aria-label': 'Request body (JSON)' });
  const modelOf = (path: string): ServedModelJson | undefined => paths.find((p) => p.path === path)?.model;
  editor.value = paths[0] ? startingBody(paths[0].model) : '';
  const schema = el('p', { class: 'schema' });
  const describe = (): void => {
    const model = modelOf(select.value);
    schema.textContent = model ? `Columns: ${model.input.map((c) => `${c.name} (${c.type}${c.nullable ? '?' : ''})`).join(', ')}. Predicts ${model.target} (${model.task}).` : '';
  };
  describe();
  select.addEventListener('change', () => {
    const model = modelOf(select.value);
    if (model) editor.value = startingBody(model);
    describe();
  });
  const send = el('button', { class: 'send', type: 'button' }, 'Send');
  status = el('p', { class: 'status', role: 'status' }, paths.length === 0 ? 'No model is served.' : `POST ${m.url}${select.value}`);
  answer = el('pre', { class: 'answer', 'aria-label': 'Response' });
  send.addEventListener('click', () => {
    waiting = select.value;
    status!.textContent = `Sending to ${m.url}${select.value}…`;
    post({ type: 'tryRequest', path: select.value, body: editor.value });
  });
  return el('div', { class: 'tryit-panel' },
    el('h1', {}, `Try it — ${m.url}`),
    el('label', {}, 'Model ', select), schema, editor, el('div', {}, send), status, answer);
}

function receive(m: ToPanelPart): void {
  if (m.type !== 'tryResponse' || m.path !== waiting || !answer || !status) return;
  status.textContent = m.status === 0 ? 'No answer' : `HTTP ${m.status}${m.status === 200 ? '' : ' — the server refused the request; the answer says why'}`;
  status.setAttribute('data-status', String(m.status));
  answer.textContent = m.body;
}

connect(render, receive);
