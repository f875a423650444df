// Issue 21: the certification kit's security group (lib/sas_test_kit/mtls_group.rb and the TLS
// version test) over real mTLS, with throwaway certificates: the SAS certificate in, another
// Common Name, another Organizational Unit, another CA, an expired and a revoked certificate,
// and none, out; TLS below 1.2 refused. The CRL (TLS_CLIENT_CRL, PEM or DER) is read again
// when the file changes. INT_R02 goes through the same listener and rule as /fhir/Slot.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { listenForFhir } from '../server/features/fhir/fhir-listener.js'
import { fhirHttpsOptions, readCrlFile } from '../server/features/fhir/tls.js'
import { T0 } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { makePki, type ClientName, type Pki } from './helpers/pki.js'

const PUBLIC_URL = 'https://creneaux.example.fr'
/** The kit's mTLS group request, PS option (mtls_group.rb, build_params). */
const KIT_PS_QUERY = '/fhir/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&status=free' +
  '&start=ge2024-01-01T00:00:00.000%2B00:00&start=le2024-01-03T23:59:59.999%2B00:00' +
  '&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C810101215225'
/** The same, CPTS option. */
const KIT_CPTS_QUERY = '/fhir/Slot?_include=Slot:schedule&_include=Slot:service-type-reference&_include:iterate=Schedule:actor' +
  '&_include:iterate=HealthcareService:organization&status=free&start=ge2024-06-12T16:20:00.000%2B02:00&start=le2024-06-15T16:20:00.000%2B02:00' +
  '&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C810002909371,urn:oid:1.2.250.1.71.4.2.1%7C810001288385'
const HEADERS = { 'content-type': 'application/json', accept: 'application/json+fhir' }

interface Answer { status: number, body: string }
type Outcome = Answer | { error: string }

async function call (port: number, pki: Pki, client: ClientName | null, path: string, opts: { method?: string, body?: string, tls?: Record<string, unknown> } = {}): Promise<Outcome> {
  return await new Promise((resolve) => {
    const req = httpsRequest({
      host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: HEADERS, ca: readFileSync(pki.caCert), agent: false,
      ...(client === null ? {} : { cert: readFileSync(pki.clients[client].cert), key: readFileSync(pki.clients[client].key) }),
      ...opts.tls
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
    req.end(opts.body)
  })
}

const statusOf = (o: Outcome): number | string => 'status' in o ? o.status : `refused (${o.error})`

async function listen (t: Test, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'creneaux-sas-mtls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pki = await makePki(dir)
  const crl = await pki.writeCrl('igc.crl', ['revoked'])
  const config = loadConfig({
    ...(await testStorage(t)).env, PUBLIC_URL, TLS_CERT: pki.serverCert, TLS_KEY: pki.serverKey, TLS_CLIENT_CA: pki.caCert, TLS_CLIENT_CRL: crl,
    FHIR_REQUIRE_CLIENT_CERT: 'true', FHIR_CLIENT_CERT_CN: 'plateforme-sas', FHIR_CLIENT_CERT_OU: 'SAS', FHIR_TLS_PORT: '0', ...env
  })
  const db = openDatabase(config)
  await migrateToLatest(db)
  const app = await buildApp({ config, db, clock: new ManualClock(T0) })
  await app.ready()
  const options = fhirHttpsOptions(config)
  if (options === undefined) throw new Error('no FHIR listener options')
  const listener = await listenForFhir(app, options, 0, '127.0.0.1')
  t.teardown(async () => { await listener.close(); await app.close(); await db.destroy() })
  return { pki, port: listener.port, crl }
}

t.test('the kit\'s security group: the SAS certificate only; a revoked one refused at the handshake', async (t) => {
  const { pki, port } = await listen(t, {})
  for (const query of [KIT_PS_QUERY, KIT_CPTS_QUERY]) {
    const valid = await call(port, pki, 'sas', query)
    t.equal(statusOf(valid), 200, 'Test certificat valide: 200')
    if ('body' in valid) t.match(JSON.parse(valid.body), { resourceType: 'Bundle', type: 'searchset', total: 0 })
  }
  for (const [title, client] of [
    ['Test certificat mauvais cname', 'badCn'],
    ['Test certificat mauvais OU', 'badOu'],
    ['another CA', 'rogue'],
    ['an expired certificate', 'expired'],
    ['Test sans certificat', null]
  ] as const) {
    const res = await call(port, pki, client, KIT_PS_QUERY)
    t.equal(statusOf(res), 401, `${title}: 401 (the kit wants a 4xx or a TLS error)`)
    if ('body' in res) t.equal(JSON.parse(res.body).resourceType, 'OperationOutcome')
  }
  const revoked = await call(port, pki, 'revoked', KIT_PS_QUERY)
  t.ok('error' in revoked, `Test certificat revoqué: the connection is closed before any answer (${statusOf(revoked)})`)
  t.equal(statusOf(await call(port, pki, 'revokedLater', KIT_PS_QUERY)), 200, 'a certificate not (yet) in the CRL: 200')

  const old = await call(port, pki, 'sas', KIT_PS_QUERY, { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } })
  t.ok('error' in old, `TLS 1.0/1.1 refused (${statusOf(old)})`)
  t.equal(statusOf(await call(port, pki, 'sas', KIT_PS_QUERY, { tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } })), 200, 'TLS 1.2 accepted')
  t.equal(statusOf(await call(port, pki, null, '/fhir/metadata')), 200, 'metadata needs no certificate (the kit reads it)')
})

t.test('INT_R02 takes the same listener and rule as /fhir/Slot', async (t) => {
  const { pki, port } = await listen(t, {})
  const body = (value: string, email: string): string => JSON.stringify({
    resourceType: 'Practitioner',
    meta: { source: 'urn:oid:1.2.250.1.213.3.6', profile: ['https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul'] },
    identifier: [{ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'IDNPS' }] }, system: 'urn:oid:1.2.250.1.71.4.2.1', value }],
    active: true,
    name: [{ family: 'Loridon', given: ['Sébastien'] }],
    telecom: [{ system: 'email', value: email }]
  })
  const created = await call(port, pki, 'sas', '/fhir/Practitioner', { method: 'POST', body: body('3456780581/11242343', 'a@sas.test') })
  t.equal(statusOf(created), 201, 'POST with the SAS certificate: 201')
  const put = await call(port, pki, 'sas', '/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1|3456780581/11242343', { method: 'PUT', body: body('3456780581/11242343', 'b@sas.test') })
  t.equal(statusOf(put), 200, 'conditional PUT with the SAS certificate: 200')
  t.equal(statusOf(await call(port, pki, 'badOu', '/fhir/Practitioner', { method: 'POST', body: body('0123456789', 'c@sas.test') })), 401, 'another OU: 401')
  t.equal(statusOf(await call(port, pki, null, '/fhir/Practitioner', { method: 'POST', body: body('0123456789', 'c@sas.test') })), 401, 'no certificate: 401')
  t.ok('error' in await call(port, pki, 'revoked', '/fhir/Practitioner', { method: 'POST', body: body('0123456789', 'c@sas.test') }), 'revoked: refused')
})

t.test('the CRL file is read again when it changes (PEM or DER); a broken one keeps the last', async (t) => {
  const { pki, port, crl } = await listen(t, {})
  t.equal(statusOf(await call(port, pki, 'revokedLater', KIT_PS_QUERY)), 200, 'not revoked yet')

  // Replaced the way a download job does it: a new file renamed over the old one, in DER.
  const next = await pki.writeCrl('igc.crl.new', ['revoked', 'revokedLater'], { der: true })
  renameSync(next, crl)
  t.ok('error' in await call(port, pki, 'revokedLater', KIT_PS_QUERY), 'revoked since: refused from the next connection')
  t.ok('error' in await call(port, pki, 'revoked', KIT_PS_QUERY), 'the first one still')
  t.equal(statusOf(await call(port, pki, 'sas', KIT_PS_QUERY)), 200, 'the SAS certificate still in')

  const warnings: string[] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')) }
  t.teardown(() => { console.warn = warn })
  writeFileSync(crl, 'not a CRL at all, and long enough')
  t.ok('error' in await call(port, pki, 'revokedLater', KIT_PS_QUERY), 'a broken file: the last CRL stays in force')
  t.equal(statusOf(await call(port, pki, 'sas', KIT_PS_QUERY)), 200)
  t.match(warnings.join('\n'), /TLS_CLIENT_CRL .* could not be read again/, 'and it says so')

  writeFileSync(crl, readFileSync(await pki.writeCrl('pem.crl', [])))
  t.equal(statusOf(await call(port, pki, 'revokedLater', KIT_PS_QUERY)), 200, 'written in place, PEM, revoking none: in again')
})

t.test('settings and files: TLS_CLIENT_CRL needs a CA, and must hold a CRL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'creneaux-crl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  t.throws(() => loadConfig({ DATA_DIR: dir, TLS_CLIENT_CRL: 'igc.crl' }), /TLS_CLIENT_CRL needs TLS_CLIENT_CA/)
  const pki = await makePki(dir)
  const pem = readFileSync(await pki.writeCrl('a.crl', ['revoked']), 'latin1')
  writeFileSync(join(dir, 'two.crl'), pem + '\n' + pem)
  t.equal(readCrlFile(join(dir, 'two.crl')).length, 2, 'several PEM CRLs in one file')
  t.equal(readCrlFile(await pki.writeCrl('b.der', ['revoked'], { der: true }))[0]?.startsWith('-----BEGIN X509 CRL-----'), true, 'DER read as PEM')
  writeFileSync(join(dir, 'cert.pem'), readFileSync(pki.caCert))
  t.throws(() => readCrlFile(join(dir, 'cert.pem')), /no "X509 CRL" PEM block/, 'a certificate is not a CRL')
  t.throws(() => readCrlFile(join(dir, 'missing.crl')), /ENOENT/, 'a missing file stops the start')
  const config = loadConfig({ DATA_DIR: dir, TLS_CERT: pki.serverCert, TLS_KEY: pki.serverKey, TLS_CLIENT_CA: pki.caCert, TLS_CLIENT_CRL: join(dir, 'missing.crl'), FHIR_CLIENT_CERT_CN: 'x', FHIR_TLS_PORT: '0' })
  t.throws(() => fhirHttpsOptions(config), /ENOENT/)
})
