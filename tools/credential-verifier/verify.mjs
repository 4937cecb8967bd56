#!/usr/bin/env node
// Verifies one Open Badges 3.0 / W3C VC credential with the Digital Credentials Consortium's
// @digitalcredentials/verifier-core, offline.
//
//   node verify.mjs credential.json      (or the credential on stdin)
//   node verify.mjs --documents urls.json credential.json
//
// --documents: a JSON file {URL: document} of documents the verifier already holds, served at those URLs
// (the issuer's signed status list, fetched beforehand: a credentialStatus is then really checked).
//
// Prints {"verified": true|false, "errors": [...], "log": [...], "schema": ...} and exits 0 when verified,
// 1 when not, 2 on a usage error. "verified" means: the signature is valid (which needs the issuer's
// key: did:key resolves locally), the credential has not expired, and, where it has a credentialStatus,
// it is not revoked. The issuer-registry step is not counted (no registries are passed: whom to trust
// is our policy, not the verifier's), and the JSON-schema check is reported and counted when it ran.
//
// No network: global fetch is replaced before verifier-core loads. It answers with the JSON-LD
// contexts vendored in assessments/certification/openbadges/contexts/ (on top of the ones bundled in
// verifier-core's document loader) and the vendored OB 3.0 JSON schema, and refuses any other URL.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const openbadges = path.resolve(here, '../../assessments/certification/openbadges');
const OB3_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
// verifier-core's step ids (constants/verificationSteps.js)
const COUNTED_STEPS = ['valid_signature', 'expiration', 'revocation_status'];

async function offlineDocuments(extraFile) {
  const documents = new Map();
  if (extraFile) {
    // {URL: document}: what the verifier was handed besides the credential (e.g. a fetched status list).
    for (const [url, document] of Object.entries(JSON.parse(await readFile(extraFile, 'utf8')))) {
      documents.set(url, JSON.stringify(document));
    }
  }
  const index = JSON.parse(await readFile(path.join(openbadges, 'contexts', 'index.json'), 'utf8'));
  for (const [url, file] of Object.entries(index)) {
    documents.set(url, await readFile(path.join(openbadges, 'contexts', file), 'utf8'));
  }
  const schema = path.join(openbadges, 'schemas', 'ob_v3p0_achievementcredential_schema.json');
  documents.set(OB3_SCHEMA_URL, await readFile(schema, 'utf8'));
  return documents;
}

function installOfflineFetch(documents, refused) {
  globalThis.fetch = async (input) => {
    const url = typeof input === 'string' ? input : (input?.url ?? String(input));
    if (documents.has(url)) {
      return new Response(documents.get(url), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    refused.push(url);
    throw new TypeError(`offline: ${url} is not vendored and the network is not used`);
  };
}

async function readCredential(argument) {
  if (argument && argument !== '-') {
    return readFile(argument, 'utf8');
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function summarise(result, refused) {
  const errors = (result.errors ?? []).map((error) => `${error.name}: ${error.message}`);
  const log = result.log ?? [];
  for (const step of log) {
    if (COUNTED_STEPS.includes(step.id) && step.valid !== true) {
      errors.push(`${step.id}: ${step.error?.message ?? 'not valid'}`);
    }
  }
  if (!errors.length && !log.some((step) => step.id === 'valid_signature' && step.valid === true)) {
    errors.push('valid_signature: no signature step in the result');
  }
  const schema = (result.additionalInformation ?? []).find((entry) => entry.id === 'schema_check');
  for (const check of Array.isArray(schema?.results) ? schema.results : []) {
    if (check.result?.valid === false) {
      const details = (check.result.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
      errors.push(`schema_check: ${check.schema}: ${details.join('; ')}`);
    }
  }
  if (refused.length) {
    errors.push(`offline: refused to fetch ${[...new Set(refused)].join(', ')}`);
  }
  return {
    verified: errors.length === 0,
    errors,
    log: log.map(({ id, valid, error }) => ({ id, valid, ...(error ? { error } : {}) })),
    schema: schema?.results ?? null,
  };
}

async function main() {
  const args = process.argv.slice(2);
  let extraFile = null;
  const documentsAt = args.indexOf('--documents');
  if (documentsAt >= 0) {
    extraFile = args[documentsAt + 1];
    args.splice(documentsAt, 2);
  }
  const argument = args[0];
  if (argument === '-h' || argument === '--help' || (documentsAt >= 0 && !extraFile)) {
    process.stdout.write(
      'usage: node verify.mjs [--documents urls.json] [credential.json | -]  (stdin when no file)\n',
    );
    return 2;
  }
  let credential;
  try {
    credential = JSON.parse(await readCredential(argument));
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ verified: false, errors: [`input: ${error.message}`] })}\n`);
    return 2;
  }
  const refused = [];
  installOfflineFetch(await offlineDocuments(extraFile), refused);
  // Imported only now, so that every fetch it makes (contexts, schema) goes through the offline fetch.
  const { verifyCredential } = await import('@digitalcredentials/verifier-core');
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  const summary = summarise(result, refused);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.verified ? 0 : 1;
}

process.exitCode = await main();
