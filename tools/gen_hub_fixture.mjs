// gen_hub_fixture.mjs - writes tests/fixtures/hub: ../shared/data/cmteb-mini as the Hugging
// Face hub cache holds C-MTEB datasets (spec hub-datasets.md §1, §3, §4), for the
// cmteb-mini-hub suite.  Test-fixture generator only; ceval never runs it.
//
//   cd "$(mktemp -d)" && npm install @duckdb/node-api && \
//     node /path/to/ceval/tools/gen_hub_fixture.mjs /path/to/ceval
// (@duckdb/node-api is resolved from the current folder's node_modules.)
//
// Parquet is written by DuckDB close to the way `datasets` writes it: every column
// OPTIONAL, strings as BYTE_ARRAY/UTF8, lists in the 3-level form (list -> element),
// snappy, a `huggingface` footer key with the declared features.  Two differences from
// pyarrow, both DuckDB's own choices: row groups of 1,000 rows are asked for, and DuckDB
// rounds them up to its 2,048-row vectors; and it uses a dictionary only for columns with
// repeats (labels, scores, titles), where pyarrow tries one for every column.  Layouts:
//   - C-MTEB/<Task> (the 2023 pushes): data/<split>-00000-of-00001-<16hex>.parquet; OCNLI /
//     CMNLI style pair classification as one row of lists (sent1, sent2, labels); retrieval
//     corpus and queries as splits (id, text) with the qrels in C-MTEB/<Task>-qrels
//     (qid, pid, score);
//   - mteb/<Task> (MTEB 2.x copies), for CmrcRetrieval-mini and MedDialogReranking-mini:
//     configs corpus (_id, title, text), queries (_id, text), default (query-id,
//     corpus-id, score) and, for reranking, top_ranked (query-id, corpus-ids).
// Most repos are stored as huggingface_hub stores them (blobs/<sha256> + relative
// symlinks in snapshots/<commit>/); a few as plain copies (HF_HUB_DISABLE_SYMLINKS).
// Revisions are sha1 digests of the repo's content, so they change only with the data.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import crypto from 'node:crypto';
import os from 'node:os';

const repo = path.resolve(process.argv[2] || '.');
const src = path.resolve(repo, '../shared/data/cmteb-mini');
const out = path.join(repo, 'tests/fixtures/hub');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hubfix-'));
const { DuckDBInstance } = await import(createRequire(path.join(process.cwd(), 'x.js')).resolve('@duckdb/node-api'));
const db = await (await DuckDBInstance.create(':memory:')).connect();

const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
const sha = (alg, b) => crypto.createHash(alg).update(b).digest('hex');
const sqlStr = (s) => "'" + s.replaceAll("'", "''") + "'";

// DuckDB type and `datasets` feature of each column
const T = {
	str: ['VARCHAR', { dtype: 'string', _type: 'Value' }],
	i32: ['INTEGER', { dtype: 'int32', _type: 'Value' }],
	i64: ['BIGINT', { dtype: 'int64', _type: 'Value' }],
	strs: ['VARCHAR[]', { feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' }],
	i64s: ['BIGINT[]', { feature: { dtype: 'int64', _type: 'Value' }, _type: 'Sequence' }],
};

// rows -> one parquet file at dst; cols: [[name, typeKey], ...]
async function writeParquet(rows, cols, dst) {
	const j = path.join(tmp, 'rows.jsonl');
	fs.writeFileSync(j, rows.map((r) => JSON.stringify(Object.fromEntries(cols.map(([c]) => [c, r[c]])))).join('\n') + '\n');
	const spec = cols.map(([c, t]) => `${sqlStr(c)}: ${sqlStr(T[t][0])}`).join(', ');
	const features = Object.fromEntries(cols.map(([c, t]) => [c, T[t][1]]));
	const hf = JSON.stringify({ info: { features } });
	fs.mkdirSync(path.dirname(dst), { recursive: true });
	await db.run(`COPY (SELECT * FROM read_json(${sqlStr(j)}, format='newline_delimited', columns={${spec}}))
		TO ${sqlStr(dst)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000,
		KV_METADATA {huggingface: ${sqlStr(hf)}})`);
}

// A repo: files = {relpath: Buffer}; stored under out/datasets--ORG--NAME
function storeRepo(id, files, { symlinks = true } = {}) {
	const names = Object.keys(files).sort();
	const h = crypto.createHash('sha1');
	for (const n of names) h.update(n + '\0' + sha('sha256', files[n]) + '\n');
	const rev = h.digest('hex');
	const root = path.join(out, 'datasets--' + id.replace('/', '--'));
	for (const n of names) {
		const dst = path.join(root, 'snapshots', rev, n);
		fs.mkdirSync(path.dirname(dst), { recursive: true });
		if (!symlinks) { fs.writeFileSync(dst, files[n]); continue; }
		// LFS files (parquet) are named by sha256, others by their git blob sha1
		const isLfs = n.endsWith('.parquet');
		const etag = isLfs ? sha('sha256', files[n])
			: sha('sha1', Buffer.concat([Buffer.from(`blob ${files[n].length}\0`), files[n]]));
		fs.mkdirSync(path.join(root, 'blobs'), { recursive: true });
		fs.writeFileSync(path.join(root, 'blobs', etag), files[n]);
		fs.symlinkSync(path.relative(path.dirname(dst), path.join(root, 'blobs', etag)), dst);
	}
	return rev;
}

// data/<split>-00000-of-00001-<16hex>.parquet, as the 2023 pushes name them
async function splitFile(files, split, rows, cols, prefix = 'data') {
	const f = path.join(tmp, 'x.parquet');
	await writeParquet(rows, cols, f);
	const b = fs.readFileSync(f);
	files[`${prefix}/${split}-00000-of-00001-${sha('sha256', b).slice(0, 16)}.parquet`] = b;
}

function card(configs) {
	if (!configs) return Buffer.from('# fixture\n\nA ceval test fixture made by tools/gen_hub_fixture.mjs.\n');
	let y = '---\nconfigs:\n';
	for (const [name, splits] of configs) {
		y += `- config_name: ${name}\n  data_files:\n`;
		for (const [split, glob] of splits) y += `  - split: ${split}\n    path: ${glob}\n`;
	}
	return Buffer.from(y + '---\n# fixture\n\nA ceval test fixture made by tools/gen_hub_fixture.mjs.\n');
}

fs.rmSync(out, { recursive: true, force: true });
const revs = {};
const sts = ['LCQMC', 'AFQMC', 'ATEC', 'BQ', 'PAWSX', 'STSB', 'QBQTC'];
const classif = ['Waimai', 'OnlineShopping', 'ChnSentiCorp', 'TNews', 'IFlyTek', 'EPRSTMT'];
let nPlain = 0;
const plain = () => (nPlain++ % 5 === 4); // every fifth repo as plain copies
for (const t of sts) {
	const files = { 'README.md': card(t === 'ATEC' ? [['default', [['test', 'data/test-*']]]] : null) };
	await splitFile(files, 'test', readJsonl(`${src}/${t}-mini/test.jsonl`), [['sentence1', 'str'], ['sentence2', 'str'], ['score', 'i32']]);
	revs[`${t}-mini`] = storeRepo(`C-MTEB/${t}-mini`, files, { symlinks: !plain() });
}
for (const t of ['Ocnli', 'Cmnli']) { // one row of lists, as C-MTEB/OCNLI and C-MTEB/CMNLI
	const rows = readJsonl(`${src}/${t}-mini/test.jsonl`);
	const files = { 'README.md': card(null) };
	await splitFile(files, 'test', [{ sent1: rows.map((r) => r.sentence1), sent2: rows.map((r) => r.sentence2), labels: rows.map((r) => r.label) }],
		[['sent1', 'strs'], ['sent2', 'strs'], ['labels', 'i64s']]);
	revs[`${t}-mini`] = storeRepo(`C-MTEB/${t}-mini`, files, { symlinks: !plain() });
}
for (const t of classif) {
	const files = { 'README.md': card(null) };
	for (const split of ['train', 'test']) {
		const rows = readJsonl(`${src}/${t}-mini/${split}.jsonl`);
		await splitFile(files, split, rows, [['text', 'str'], ['label', typeof rows[0].label === 'string' ? 'str' : 'i64']]);
	}
	revs[`${t}-mini`] = storeRepo(`C-MTEB/${t}-mini`, files, { symlinks: !plain() });
}
for (const t of ['CLSClusteringS2S', 'ThuNewsClusteringS2S']) {
	const files = { 'README.md': card(null) };
	await splitFile(files, 'test', readJsonl(`${src}/${t}-mini/test.jsonl`), [['sentences', 'strs'], ['labels', 'strs']]);
	revs[`${t}-mini`] = storeRepo(`C-MTEB/${t}-mini`, files, { symlinks: !plain() });
}
const tsv = (f) => fs.readFileSync(f, 'utf8').split('\n').slice(1).filter((l) => l).map((l) => l.split('\t'));
{ // v1 retrieval: corpus and queries as splits, qrels in a second repo
	const d = `${src}/MedDialogRetrieval-mini`;
	const files = { 'README.md': card(null) };
	await splitFile(files, 'corpus', readJsonl(`${d}/corpus.jsonl`).map((r) => ({ id: r._id, text: r.text })), [['id', 'str'], ['text', 'str']]);
	await splitFile(files, 'queries', readJsonl(`${d}/queries.jsonl`).map((r) => ({ id: r._id, text: r.text })), [['id', 'str'], ['text', 'str']]);
	revs['MedDialogRetrieval-mini'] = storeRepo('C-MTEB/MedDialogRetrieval-mini', files);
	const q = { 'README.md': card(null) };
	await splitFile(q, 'test', tsv(`${d}/qrels/test.tsv`).map(([qid, pid, s]) => ({ qid, pid, score: Number(s) })), [['qid', 'str'], ['pid', 'str'], ['score', 'i64']]);
	revs['MedDialogRetrieval-mini-qrels'] = storeRepo('C-MTEB/MedDialogRetrieval-mini-qrels', q);
}
{ // mteb 2.x retrieval: corpus / queries / default configs
	const d = `${src}/CmrcRetrieval-mini`;
	const files = { 'README.md': card([['corpus', [['corpus', 'corpus/corpus-*']]], ['queries', [['queries', 'queries/queries-*']]], ['default', [['dev', 'data/dev-*']]]]) };
	await splitFile(files, 'corpus', readJsonl(`${d}/corpus.jsonl`), [['_id', 'str'], ['title', 'str'], ['text', 'str']], 'corpus');
	await splitFile(files, 'queries', readJsonl(`${d}/queries.jsonl`), [['_id', 'str'], ['text', 'str']], 'queries');
	await splitFile(files, 'dev', tsv(`${d}/qrels/dev.tsv`).map(([a, b, s]) => ({ 'query-id': a, 'corpus-id': b, score: Number(s) })), [['query-id', 'str'], ['corpus-id', 'str'], ['score', 'i64']]);
	revs['CmrcRetrieval-mini'] = storeRepo('mteb/CmrcRetrieval-mini', files);
}
{ // mteb 2.x reranking: the candidates of each query in top_ranked, positives in the qrels
	const rows = readJsonl(`${src}/MedDialogReranking-mini/test.jsonl`);
	const corpus = [], seen = new Map(), queries = [], qrels = [], top = [];
	const docId = (text) => { if (!seen.has(text)) { seen.set(text, `d${seen.size}`); corpus.push({ _id: seen.get(text), title: '', text }); } return seen.get(text); };
	rows.forEach((r, i) => {
		const qid = `q${i}`;
		queries.push({ _id: qid, text: r.query });
		const pos = r.positive.map(docId), neg = r.negative.map(docId);
		pos.forEach((p) => qrels.push({ 'query-id': qid, 'corpus-id': p, score: 1 }));
		neg.forEach((n) => qrels.push({ 'query-id': qid, 'corpus-id': n, score: 0 }));
		top.push({ 'query-id': qid, 'corpus-ids': [...pos, ...neg] });
	});
	const files = { 'README.md': card([['corpus', [['test', 'corpus/test-*']]], ['queries', [['test', 'queries/test-*']]], ['default', [['test', 'data/test-*']]], ['top_ranked', [['test', 'top_ranked/test-*']]]]) };
	await splitFile(files, 'test', corpus, [['_id', 'str'], ['title', 'str'], ['text', 'str']], 'corpus');
	await splitFile(files, 'test', queries, [['_id', 'str'], ['text', 'str']], 'queries');
	await splitFile(files, 'test', qrels, [['query-id', 'str'], ['corpus-id', 'str'], ['score', 'i64']], 'data');
	await splitFile(files, 'test', top, [['query-id', 'str'], ['corpus-ids', 'strs']], 'top_ranked');
	revs['MedDialogReranking-mini'] = storeRepo('mteb/MedDialogReranking-mini', files);
}
fs.writeFileSync(path.join(out, 'REVISIONS.json'), JSON.stringify(revs, null, 1) + '\n');
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${out}: ${Object.keys(revs).length} repos`);
