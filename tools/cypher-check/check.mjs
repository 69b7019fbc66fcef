// Check Cypher statements with Neo4j's own parser and semantic analysis.
//
// Reads a JSON list of statements (strings) on stdin and writes a JSON list on stdout with
// one entry per statement, in input order:
//   {"index": 0, "errors": [...], "warnings": [...]}
// each diagnostic being {"message", "line", "character", "offset"} (0-based positions).
// Queries are linted as Neo4j 5 Cypher (`CYPHER 5`) with an empty database schema; the
// "Parameter $x is not defined" errors are dropped because parameters are bound at run time.
// The statements are shared among worker threads, one per core (at most 4): the parser
// takes about 0.1 s per statement.
// Exit code: 0 when the input was read (whatever the diagnostics), 2 on unusable input.

import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { isNotParamError, lintCypherQuery } from '@neo4j-cypher/language-support';

const LANGUAGE = process.env.CYPHER_CHECK_LANGUAGE || 'CYPHER 5';
const ERROR = 1;
const MAX_WORKERS = 4;
const STATEMENTS_PER_WORKER = 8;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function describe(diagnostic) {
  return {
    message: diagnostic.message,
    line: diagnostic.range.start.line,
    character: diagnostic.range.start.character,
    offset: diagnostic.offsets.start,
  };
}

function check(statement, index) {
  const { diagnostics } = lintCypherQuery(statement, { defaultLanguage: LANGUAGE });
  const kept = diagnostics.filter(isNotParamError);
  return {
    index,
    errors: kept.filter((d) => d.severity === ERROR).map(describe),
    warnings: kept.filter((d) => d.severity !== ERROR).map(describe),
  };
}

function inWorker(slice) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: slice });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main() {
  const statements = JSON.parse(await readStdin());
  if (!Array.isArray(statements) || !statements.every((s) => typeof s === 'string')) {
    process.stderr.write('cypher-check: expected a JSON list of strings on stdin\n');
    process.exit(2);
  }
  const workers = Math.max(1, Math.min(availableParallelism(), MAX_WORKERS,
    Math.ceil(statements.length / STATEMENTS_PER_WORKER)));
  const indexed = statements.map((statement, index) => [index, statement]);
  const slices = Array.from({ length: workers }, (_, w) =>
    indexed.filter(([index]) => index % workers === w));
  const results = workers === 1
    ? indexed.map(([index, statement]) => check(statement, index))
    : (await Promise.all(slices.map(inWorker))).flat();
  results.sort((a, b) => a.index - b.index);
  process.stdout.write(JSON.stringify(results) + '\n');
}

if (isMainThread) {
  await main();
} else {
  parentPort.postMessage(workerData.map(([index, statement]) => check(statement, index)));
}
