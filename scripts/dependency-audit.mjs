#!/usr/bin/env node
// Dependency audit of the production tree (what `npm start` runs), for CI and by hand: `node scripts/dependency-audit.mjs`.
//
// 1. `npm audit --omit=dev` against the registry's advisory database: any high or critical advisory fails, unless
//    security/audit-allowlist.json lists it (advisory id or URL, the package, why, and until when).
// 2. Where the registry has no advisory endpoint (a mirror answers 405, as on our build machines), the same tree is
//    checked against the registry's own metadata instead: a version its maintainers deprecated for a security reason
//    fails, other deprecations are listed. This is weaker than (1) and says so on its last line.
// Exit codes: 0 nothing to act on, 1 a finding not on the allow-list, 2 neither check could run (CI prints it and goes on).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const allowFile = path.join(root, 'security/audit-allowlist.json');
const SECURITY_WORDS = /secur|vulnerab|CVE-|GHSA-|exploit|malicious|compromised/i;

function readAllowList() {
  const list = JSON.parse(fs.readFileSync(allowFile, 'utf8'));
  const today = new Date().toISOString().slice(0, 10);
  return list.entries.filter((e) => {
    if (!e.id || !e.package || !e.reason || !e.until) throw new Error(`${allowFile}: every entry needs id, package, reason, until`);
    if (e.until < today) console.log(`allow-list entry ${e.id} (${e.package}) expired on ${e.until}: it no longer applies`);
    return e.until >= today;
  });
}

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function advisoryAudit(allow) {
  const { stdout } = await run('npm', ['audit', '--omit=dev', '--json']);
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return null;
  }
  if (!report.vulnerabilities || report.error) return null;
  const findings = [];
  for (const [name, v] of Object.entries(report.vulnerabilities)) {
    if (v.severity !== 'high' && v.severity !== 'critical') continue;
    for (const via of v.via) {
      if (typeof via !== 'object') continue;
      const id = String(via.source ?? via.url);
      const allowed = allow.find((e) => e.package === name && (e.id === id || e.id === via.url));
      if (allowed) console.log(`allowed: ${name} ${via.url} (${allowed.reason}; until ${allowed.until})`);
      else findings.push(`${v.severity}: ${name} ${via.range ?? ''} ${via.title ?? ''} ${via.url ?? ''}`);
    }
  }
  return findings;
}

/** name@version of every package `npm ci --omit=dev` would install. */
function productionPackages() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const out = new Map();
  for (const [where, p] of Object.entries(lock.packages ?? {})) {
    if (!where || p.dev || p.link || !p.version) continue;
    const name = p.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.set(`${name}@${p.version}`, { name, version: p.version });
  }
  return [...out.values()];
}

async function metadataAudit(allow) {
  const registry = (await run('npm', ['config', 'get', 'registry'])).stdout.trim().replace(/\/$/, '') || 'https://registry.npmjs.org';
  // A mirror may strip deprecations too: ask about a version every full registry marks deprecated.
  const canary = await fetch(`${registry}/inflight`, {
    headers: { accept: 'application/vnd.npm.install-v1+json' },
    signal: AbortSignal.timeout(20_000),
  })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!canary?.versions?.['1.0.6']?.deprecated) {
    console.log('registry metadata carries no deprecations here (inflight@1.0.6 shows none)');
    return null;
  }
  const packages = productionPackages();
  const byName = new Map();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p.version]);
  const names = [...byName.keys()];
  const findings = [];
  const notes = [];
  let failures = 0;
  let next = 0;
  async function worker() {
    while (next < names.length) {
      const name = names[next++];
      try {
        const res = await fetch(`${registry}/${name.replace('/', '%2f')}`, {
          headers: { accept: 'application/vnd.npm.install-v1+json' },
          signal: AbortSignal.timeout(20_000),
        });
        if (!res.ok) throw new Error(String(res.status));
        const meta = await res.json();
        for (const version of byName.get(name)) {
          const deprecated = meta.versions?.[version]?.deprecated;
          if (!deprecated) continue;
          const line = `${name}@${version}: ${deprecated}`;
          const allowed = allow.find((e) => e.package === name && e.id === `deprecated:${version}`);
          if (allowed) console.log(`allowed: ${line} (${allowed.reason}; until ${allowed.until})`);
          else if (SECURITY_WORDS.test(deprecated)) findings.push(`deprecated for security: ${line}`);
          else notes.push(`deprecated: ${line}`);
        }
      } catch {
        failures++;
      }
    }
  }
  await Promise.all(Array.from({ length: 12 }, worker));
  if (failures === names.length) return null;
  for (const n of notes) console.log(n);
  if (failures) console.log(`${failures} of ${names.length} packages' metadata could not be read`);
  console.log(`checked ${packages.length} production packages (${names.length} names) against registry metadata`);
  return findings;
}

const allow = readAllowList();
let findings = await advisoryAudit(allow);
let source = 'npm audit (registry advisory database)';
if (findings === null) {
  console.log('npm audit: the registry has no advisory endpoint here; checking registry metadata (deprecations) instead');
  findings = await metadataAudit(allow);
  source = 'registry metadata only (no advisory database reachable)';
}
if (findings === null) {
  console.log(
    'dependency audit: NOT CHECKED: this registry offers neither advisories nor deprecations (run it where the public registry is reachable)',
  );
  process.exit(2);
}
for (const f of findings) console.log(f);
console.log(`dependency audit (${source}): ${findings.length} finding(s) to act on`);
process.exit(findings.length ? 1 : 0);
