// The pure parts of serving from the editor: reading where `narml serve --json` listens, and
// answering the Try it panel's requests (only to paths of the running server, an answer whatever
// happens). Tested without VS Code (test/extension/try-it.test.ts).
import type { ServedModelsJson } from '../../server/src/contracts/cli-json';
import type { ToPanel, ToPanelPart } from '../../webviews/src/messages';

/** The first stdout line of `narml serve --json`: where it listens and which models it serves. */
export interface Listening {
  url: string;
  models: { name: string; version: string; stage?: string; url: string }[];
}

export function parseListening(line: string): Listening | undefined {
  try {
    const v = JSON.parse(line) as Partial<Listening>;
    return typeof v.url === 'string' && /^http:\/\//.test(v.url) && Array.isArray(v.models) ? (v as Listening) : undefined;
  } catch {
    return undefined;
  }
}

/** What the Try it panel is sent: the server's URL and its GET /models. */
export function tryItState(url: string, listing: ServedModelsJson): ToPanel {
  return { type: 'tryit', url, models: listing.models };
}

export type Send = (url: string, body: string) => Promise<{ status: number; text: string }>;

/**
 * The answer to a `tryRequest` of the panel showing `state`: the server's status and body (JSON
 * indented when it is JSON); status 0 with the reason when the path is not one of the server's
 * or the server does not answer (stopped, or a reload left the panel with an old URL).
 */
export async function answerTryRequest(state: ToPanel | undefined, path: string, body: string, send: Send): Promise<ToPanelPart> {
  if (state?.type !== 'tryit' || !state.models.some((m) => m.paths.includes(path))) {
    return { type: 'tryResponse', path, status: 0, body: `${path} is not a path of the running server; run "NarML: Serve Model" and pick a model in the list` };
  }
  try {
    const r = await send(`${state.url}${path}`, body);
    let text = r.text;
    try { text = JSON.stringify(JSON.parse(r.text), null, 2); } catch { /* not JSON: shown as it came */ }
    return { type: 'tryResponse', path, status: r.status, body: text };
  } catch (e) {
    return { type: 'tryResponse', path, status: 0, body: `the server at ${state.url} does not answer (${e instanceof Error ? e.message : String(e)}); it may have stopped: run "NarML: Serve Model" again` };
  }
}
