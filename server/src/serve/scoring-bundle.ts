// `export M to "dir/"`: a scoring bundle, a folder that serves the model with Node alone —
// model.json (the fitted steps and model as the store keeps them, plus the input schema),
// server.js (dist/serve-bundle.js, built with the scoring code inside), a Dockerfile and a
// README. Each file is written by writeFileAtomic, model.json last: a bundle interrupted while
// being replaced still pairs a complete server with a complete model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SERVE_PORT } from '../contracts/cli-json';
import { writeFileAtomic } from '../store/atomic-write';
import { toJsonText } from '../store/json-text';
import type { Workspace } from '../workspace/output-paths';
import { exampleRow } from './openapi';
import { servedClasses, type ServedModelData } from './served-model';

export const BUNDLE_FILES = ['server.js', 'Dockerfile', 'README.md', 'model.json'] as const;

/** The built server: beside this code in dist/, or in dist/ when running from sources. */
function serverScript(): Uint8Array {
  const path = __filename.endsWith('.ts') ? join(__dirname, '..', '..', '..', 'dist', 'serve-bundle.js') : join(__dirname, 'serve-bundle.js');
  try {
    return readFileSync(path);
  } catch {
    throw new Error(`the scoring server ${path} is missing from this NarML installation; build it (npm run build) and export again`);
  }
}

export function dockerfileText(): string {
  return [
    '# The model behind a small Node HTTP server; no npm install: server.js holds all its code.',
    'FROM node:20-slim',
    'WORKDIR /srv/model',
    'COPY server.js model.json ./',
    'ENV NODE_ENV=production',
    'USER node',
    `EXPOSE ${DEFAULT_SERVE_PORT}`,
    `CMD ["node", "server.js", "--host", "0.0.0.0", "--port", "${DEFAULT_SERVE_PORT}"]`,
    '',
  ].join('\n');
}

export function readmeText(m: ServedModelData): string {
  const body = JSON.stringify({ rows: [exampleRow(m.input, m.example)] });
  const classes = servedClasses(m);
  const answer = classes
    ? `{"model": "${m.name}", "version": "${m.version}", "predictions": [{"prediction": "${classes[0]}", "probabilities": {${classes.map((c) => `"${c}": ...`).join(', ')}}}]}`
    : `{"model": "${m.name}", "version": "${m.version}", "predictions": [{"prediction": 12.3}]}`;
  return `# ${m.name} — a NarML scoring bundle

Predicts \`${m.target}\` (${m.task}) with the model \`${m.name}\`, version ${m.version}${m.definition && m.definition !== m.version ? ` (definition ${m.definition})` : ''}${m.file ? `, of ${m.file}` : ''}.
Exported by NarML with \`export ${m.name} to "…/"\`.

## Run

With Node 20 or later, nothing to install:

    node server.js --port ${DEFAULT_SERVE_PORT}            # 127.0.0.1 only; --host 0.0.0.0 for every interface

With Docker:

    docker build -t ${m.name.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')} .
    docker run -p ${DEFAULT_SERVE_PORT}:${DEFAULT_SERVE_PORT} ${m.name.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}

\`--port 0\` takes any free port; \`--json\` prints \`{"url": ..., "models": [...]}\` once listening.
PORT and HOST in the environment work as the flags. SIGINT or SIGTERM stops it after the
requests in progress.

## Request

\`POST /predict/${m.name}\` with \`{"rows": [...]}\`, an array of rows, or one row. The columns:

| column | type | may be null |
|---|---|---|
${m.input.map((c) => `| \`${c.name.replace(/\|/g, '\\|')}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} |`).join('\n')}

number: a JSON number; boolean: true or false; category and text: a string; date: an ISO string
("2024-01-31", optionally with a time). Other columns are refused. Example:

    curl -s localhost:${DEFAULT_SERVE_PORT}/predict/${m.name} -H 'content-type: application/json' \\
      -d '${body.replace(/'/g, "'\\''")}'

answers

    ${answer}

one prediction per row, in order. A row that does not fit is a 400 with
\`{"error", "column", "expected", "row"}\`. \`GET /models\` describes the model, \`GET /health\`
answers while it runs, \`GET /openapi.json\` is the OpenAPI 3.0 document.
`;
}

/** Writes the bundle into `dir` (an absolute folder path); returns the files written. */
export function writeScoringBundle(dir: string, m: ServedModelData, workspace: Workspace): string[] {
  const contents: Record<(typeof BUNDLE_FILES)[number], string | Uint8Array> = {
    'server.js': serverScript(),
    Dockerfile: dockerfileText(),
    'README.md': readmeText(m),
    'model.json': toJsonText(m),
  };
  return BUNDLE_FILES.map((f) => {
    const path = join(dir, f);
    writeFileAtomic(path, contents[f], workspace);
    return path;
  });
}
