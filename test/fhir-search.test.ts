// Issue 6: the FHIR slot search of the SAS platform (INT_R01 / INT_R04), its CapabilityStatement,
// its authentication (bearer secrets, API tokens, mTLS with a throwaway CA) and its tolerant
// parsing of what the platform really sends.
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { listenForFhir } from '../server/features/fhir/fhir-listener.js'
import { fhirHttpsOptions, httpsOptions } from '../server/features/fhir/tls.js'
import { build, T0 } from './helpers/build.js'
import { testStorage } from './helpers/database.js'
import { validateR4 } from './helpers/fhir-validate.js'
import { PROFILES } from './helpers/sas-profiles.js'
import { addRegulator, bearerToken, PASSWORD, practitionerProfile, publishSlot, territory, type Territory } from './helpers/fixtures.js'
import { givePlace, joinCpts } from './helpers/places.js'

const TOKEN = 'sas-platform-secret-0123456789'
const PUBLIC_URL = 'https://creneaux.example.fr'
const ENV = { FHIR_TOKENS: `other-secret-abcdefghijkl,${TOKEN}`, PUBLIC_URL }
const SAS = { authorization: `Bearer ${TOKEN}`, accept: 'application/json+fhir' }
const IDNAT_PS = 'urn:oid:1.2.250.1.71.4.2.1'
const R01_INCLUDES = '_include=Slot:schedule&_include:iterate=Schedule:actor'
const R04_INCLUDES = `${R01_INCLUDES}&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization`
/** The window of the day after T0 (2026-06-02 in Paris), as the SAS writes it. */
const WINDOW = 'start=ge2026-06-02T00:00:00.000+02:00&start=le2026-06-02T23:59:59.999+02:00'
const PATIENT = { lastName: 'Zébulonneau', firstName: 'Philomène', birthDate: '1961-03-04', phone: '06 99 88 77 66' }
const REASON = 'douleur thoracique atypique'

const AUDIENCE = 'https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau'
const TRE_R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale'
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode'

type Json = any

async function post (app: FastifyInstance, cookie: string, url: string, payload: object): Promise<Json> {
  const res = await app.inject({ method: 'POST', url, payload, headers: { cookie } })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** A practitioner of `cptsId`, created by the admin (RPPS from `n`). */
async function addPractitioner (app: FastifyInstance, terr: Territory, cptsId: string, n: number, name: string, profession: 'gp' | 'psychiatrist' = 'gp'): Promise<{ id: string, rpps: string }> {
  const { user } = await post(app, terr.adminCookie, '/api/users', {
    email: `p${n}@cpts.test`, name, password: PASSWORD, role: 'practitioner', cptsId, practitioner: practitionerProfile(n, profession)
  })
  return { id: user.id, rpps: user.practitioner.rpps }
}

/** A slot published by the admin for `practitionerId` (wall time in Paris, 2026-06-02 unless given). */
async function slotFor (app: FastifyInstance, terr: Territory, practitionerId: string, hhmm: string, opts: { day?: string, kind?: string, mode?: string } = {}): Promise<string> {
  const start = new Date(`${opts.day ?? '2026-06-02'}T${hhmm}:00+02:00`)
  const end = new Date(start.getTime() + 15 * 60_000)
  const slot = await post(app, terr.adminCookie, '/api/slots', {
    start: start.toISOString(), end: end.toISOString(), kind: opts.kind ?? 'snp', mode: opts.mode ?? 'office', practitionerId
  })
  return slot.id
}

async function hold (app: FastifyInstance, cookie: string, slotId: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url: `/api/slots/${slotId}/hold`, headers: { cookie } })
  if (res.statusCode !== 200) throw new Error(`hold: ${res.statusCode} ${res.body}`)
}

async function bookWithPatient (app: FastifyInstance, cookie: string, slotId: string): Promise<void> {
  await post(app, cookie, `/api/slots/${slotId}/booking`, { patient: PATIENT, reason: REASON, hasTreatingGp: 'no' })
}

async function withdraw (app: FastifyInstance, cookie: string, slotId: string): Promise<void> {
  const res = await app.inject({ method: 'DELETE', url: `/api/slots/${slotId}`, headers: { cookie } })
  if (res.statusCode !== 200) throw new Error(`withdraw: ${res.statusCode} ${res.body}`)
}

const idList = (rpps: string[], bar = '|', sep = ','): string => rpps.map((r) => `${IDNAT_PS}${bar}8${r}`).join(sep)

async function search (app: FastifyInstance, query: string, headers: Record<string, string> = SAS) {
  return await app.inject({ method: 'GET', url: `/fhir/Slot?${query}`, headers })
}

const resources = (bundle: Json, type: string): Json[] =>
  (bundle.entry ?? []).map((e: Json) => e.resource).filter((r: Json) => r.resourceType === type)

/** Both validators on the Bundle and on every resource in it (contained ones included). */
function assertValid (t: Test, bundle: Json, what: string): void {
  t.same(validateR4(bundle), [], `${what}: the Bundle is valid R4`)
  const invalid = (bundle.entry ?? []).flatMap((e: Json) => validateR4(e.resource).map((m) => `${e.fullUrl}: ${m}`))
  t.same(invalid, [], `${what}: every resource is valid R4`)
}

/**
 * Every entry has its fullUrl `${base}/<Type>/<id>` and search.mode; every Slot.schedule,
 * Schedule.actor, HealthcareService.providedBy and CPTS serviceType reference names an entry.
 */
function assertIncludesResolve (t: Test, bundle: Json): void {
  const byUrl = new Map<string, Json>()
  for (const e of bundle.entry ?? []) {
    t.equal(e.fullUrl, `${PUBLIC_URL}/fhir/${e.resource.resourceType}/${e.resource.id}`, 'fullUrl of ' + e.resource.resourceType)
    t.equal(e.search?.mode, e.resource.resourceType === 'Slot' ? 'match' : 'include', 'search.mode of ' + e.fullUrl)
    byUrl.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource)
  }
  t.equal(byUrl.size, (bundle.entry ?? []).length, 'each resource appears once')
  const unresolved: string[] = []
  const check = (ref: string | undefined, from: string): void => { if (ref === undefined || !byUrl.has(ref)) unresolved.push(`${from} → ${String(ref)}`) }
  for (const slot of resources(bundle, 'Slot')) {
    check(slot.schedule?.reference, `Slot/${slot.id}`)
    for (const st of slot.serviceType ?? []) for (const ext of st.extension ?? []) check(ext.valueReference?.reference, `Slot/${slot.id}`)
  }
  for (const s of resources(bundle, 'Schedule')) for (const a of s.actor) check(a.reference, `Schedule/${s.id}`)
  for (const hs of resources(bundle, 'HealthcareService')) check(hs.providedBy?.reference, `HealthcareService/${hs.id}`)
  for (const role of resources(bundle, 'PractitionerRole')) {
    check(role.practitioner?.reference, `PractitionerRole/${role.id}`)
    t.same(role.location, [{ reference: `#${role.contained[0].id}` }], 'the role names its contained Location')
  }
  t.same(unresolved, [], 'every reference resolves inside the Bundle')
}

function assertNoPatientData (t: Test, body: string): void {
  for (const secret of [PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, '06 99 88 77 66', '+33699887766', REASON]) {
    t.notOk(body.includes(secret), `no "${secret}" in the output`)
  }
}

t.test('25 identifiers: exactly those practitioners\' free slots of the window, every resource valid', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const cptsId = terr.cpts[0]!.id
  const regulator = terr.users.regulator.cookie
  const doctors: Array<{ id: string, rpps: string }> = []
  for (let n = 0; n < 27; n++) doctors.push(await addPractitioner(app, terr, cptsId, 100 + n, `Dr Médecin${n} DURAND`))

  const expected = new Set<string>()
  for (const [i, d] of doctors.entries()) {
    const free = await slotFor(app, terr, d.id, '10:00')
    if (i < 25) expected.add(free)
    await slotFor(app, terr, d.id, '10:00', { day: '2026-06-05' }) // out of the window
    // A regulator holds one slot at a time: one regulator per hold.
    if (i % 4 === 0) await hold(app, (await addRegulator(app, terr.adminCookie, `reg${i}`)).cookie, await slotFor(app, terr, d.id, '11:00'))
    if (i % 4 === 1) await bookWithPatient(app, regulator, await slotFor(app, terr, d.id, '11:00'))
    if (i % 4 === 2) await withdraw(app, terr.adminCookie, await slotFor(app, terr, d.id, '11:00'))
  }
  // Just outside the window, either side.
  await slotFor(app, terr, doctors[0]!.id, '23:59', { day: '2026-06-01' })
  await slotFor(app, terr, doctors[1]!.id, '00:00', { day: '2026-06-03' })
  // Another practitioner's free slots in the window do not leak in.
  await publishSlot(app, terr.users.gp.cookie, '2026-06-02T09:00:00+02:00', '2026-06-02T09:15:00+02:00')

  const first25 = doctors.slice(0, 25).map((d) => d.rpps)
  const res = await search(app, `${R01_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${idList(first25)}&status=free`)
  t.equal(res.statusCode, 200, 'searched')
  t.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8')
  const bundle = res.json()
  t.equal(bundle.resourceType, 'Bundle')
  t.equal(bundle.type, 'searchset')
  t.same(bundle.meta.profile, [PROFILES.bundle])
  t.same(new Set(resources(bundle, 'Slot').map((s: Json) => s.id)), expected, 'the 25 free slots of the window, nothing else')
  t.equal(bundle.total, 25, 'total counts the matched Slots')
  t.equal(bundle.link.length, 1, 'one page: no next link')
  t.equal(bundle.link[0].relation, 'self')
  t.ok(bundle.link[0].url.startsWith(`${PUBLIC_URL}/fhir/Slot?`), 'self link on the public address')
  t.equal(resources(bundle, 'Schedule').length, 25, 'one Schedule per practitioner')
  t.same(new Set(resources(bundle, 'Practitioner').map((p: Json) => p.identifier[0].value)), new Set(first25.map((r) => `8${r}`)), 'Practitioners by IdNat_PS 8+RPPS')
  t.equal(resources(bundle, 'PractitionerRole').length, 25)
  assertValid(t, bundle, '25 identifiers')
  assertIncludesResolve(t, bundle)
  assertNoPatientData(t, res.body)

  // The guide's content, resource by resource.
  const slot = resources(bundle, 'Slot')[0]
  t.same(slot.meta, { profile: [PROFILES.slot], security: [{ system: AUDIENCE, code: 'SNP' }] }, 'kept for the regulation: SNP')
  t.same(slot.serviceType, [{ coding: [{ system: ACT_CODE, code: 'AMB' }] }], 'office: AMB')
  t.same(slot.specialty, [{ coding: [{ system: TRE_R38, code: 'SM54' }] }], 'general practice: SM54')
  t.same(slot.appointmentType, { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE' }] })
  t.equal(slot.status, 'free')
  t.equal(slot.start, '2026-06-02T10:00:00.000+02:00', 'times in the territory\'s offset, with milliseconds (the kit\'s format)')
  t.equal(slot.end, '2026-06-02T10:15:00.000+02:00')
  const practitionerId = slot.schedule.reference.split('/')[1]
  t.equal(slot.comment, `${PUBLIC_URL}/regulation?praticien=${practitionerId}`, 'comment: the practitioner\'s booking page')
  const practitioner = resources(bundle, 'Practitioner').find((p: Json) => p.id === practitionerId)
  t.same(practitioner.meta.profile, [PROFILES.practitioner])
  t.same(practitioner.identifier[0].type, { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'IDNPS' }] })
  t.equal(practitioner.identifier[0].system, IDNAT_PS)
  t.match(practitioner.name[0], { prefix: ['Dr'], family: 'DURAND', given: [/^Médecin\d+$/] }, 'name split into family and given')
  const schedule = resources(bundle, 'Schedule').find((s: Json) => s.id === practitionerId)
  t.same(schedule.meta.profile, [PROFILES.schedule])
  t.same(schedule.actor, [{ reference: `Practitioner/${practitionerId}` }, { reference: `PractitionerRole/${practitionerId}` }])
  const role = resources(bundle, 'PractitionerRole').find((r: Json) => r.id === practitionerId)
  t.same(role.meta.profile, [PROFILES.practitionerRole])
  t.same(role.contained[0].meta.profile, [PROFILES.location])
  t.match(role.contained[0], {
    resourceType: 'Location',
    identifier: [{ type: { coding: [{ code: 'INTRN' }] }, system: `${PUBLIC_URL}/fhir/location-id`, value: practitionerId }],
    address: { line: [/rue de la Plage/], city: 'Saint-Jean-de-Monts', postalCode: '85160' }
  })
  t.match(role.telecom, [{ system: 'phone', value: /^\+332515800\d\d$/ }], 'phone as +33…')
  t.notOk('organization' in role, 'no structure identifier: the practice\'s is unknown')

  const res26 = await search(app, `${R01_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${idList(doctors.slice(0, 26).map((d) => d.rpps))}&status=free`)
  t.equal(res26.statusCode, 400, '26 identifiers: refused')
  t.equal(res26.json().resourceType, 'OperationOutcome')
  t.match(res26.json().issue[0].diagnostics, /at most 25/)
  t.same(validateR4(res26.json()), [])
})

t.test('the CPTS request of the guide (INT_R04), as the platform writes it', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const withFiness = await post(app, terr.adminCookie, '/api/cpts', { name: 'CPTS du Marais breton', finess: '850012345' })
  t.equal(withFiness.finess, '850012345', 'POST /api/cpts keeps the FINESS')
  const listed = (await app.inject({ url: '/api/cpts', headers: { cookie: terr.adminCookie } })).json()
  t.same(listed.map((c: Json) => c.finess).filter((f: unknown) => f !== null), ['850012345'], 'GET /api/cpts returns it')
  t.equal(listed.filter((c: Json) => c.finess === null).length, 2, '(null when unknown)')
  const bad = await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS X', finess: '2A0001234' } })
  t.equal(bad.statusCode, 400, 'a FINESS is 9 digits')

  const a = await addPractitioner(app, terr, withFiness.id, 201, 'Marie DUPONT')
  const b = await addPractitioner(app, terr, withFiness.id, 202, 'Dr Jean Le Goff')
  const sa = await slotFor(app, terr, a.id, '16:40', { day: '2026-06-12' })
  const sb = await slotFor(app, terr, b.id, '17:00', { day: '2026-06-12', mode: 'video' })
  const noFiness = await slotFor(app, terr, terr.users.gp.id, '16:45', { day: '2026-06-12', mode: 'home' })
  const rppsOf = [a.rpps, b.rpps, terr.users.gp.rpps!]

  // Literal "|" for one, "%7C" for another, a space after a comma, "+02:00" unencoded.
  const ids = `${IDNAT_PS}|8${rppsOf[0]!},${IDNAT_PS}%7C8${rppsOf[1]!},%20${IDNAT_PS}|8${rppsOf[2]!}`
  const query = `${R04_INCLUDES}&start=ge2026-06-12T16:20:00.000+02:00&start=le2026-06-12T17:20:00.000+02:00&schedule.actor:Practitioner.identifier=${ids}&status=free`
  const res = await search(app, query)
  t.equal(res.statusCode, 200, 'searched')
  const bundle = res.json()
  t.same(bundle.meta.profile, [PROFILES.bundleCpts], 'the CPTS Bundle profile')
  t.same(resources(bundle, 'Slot').map((s: Json) => s.id).sort(), [sa, sb, noFiness].sort())
  assertValid(t, bundle, 'CPTS request')
  assertIncludesResolve(t, bundle)

  const slotA = resources(bundle, 'Slot').find((s: Json) => s.id === sa)
  t.same(slotA.meta.profile, [PROFILES.slotCpts], 'a slot of a CPTS with a FINESS: R04 profile')
  t.same(slotA.meta.security, [{ system: AUDIENCE, code: 'CPTS' }], 'the CPTS\'s slot: audience exactly CPTS (the kit\'s CPTS option)')
  t.same(slotA.serviceType[1], {
    extension: [{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType', valueReference: { reference: `HealthcareService/${withFiness.id}` } }],
    coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement', code: '604' }]
  }, 'the CPTS serviceType entry')
  const slotB = resources(bundle, 'Slot').find((s: Json) => s.id === sb)
  t.same(slotB.serviceType[0], { coding: [{ system: ACT_CODE, code: 'VR' }] }, 'video: VR')
  const other = resources(bundle, 'Slot').find((s: Json) => s.id === noFiness)
  t.same(other.meta, { profile: [PROFILES.slot], security: [{ system: AUDIENCE, code: 'SNP' }] }, 'a CPTS without FINESS: plain R01 slot')
  t.same(other.serviceType, [{ coding: [{ system: ACT_CODE, code: 'HH' }] }], 'home visit: HH')

  const [hs] = resources(bundle, 'HealthcareService')
  t.equal(resources(bundle, 'HealthcareService').length, 1, 'one HealthcareService per CPTS with a FINESS')
  t.same(hs.meta.profile, [PROFILES.healthcareService])
  t.same(hs.providedBy, { reference: `Organization/${withFiness.id}` })
  const [org] = resources(bundle, 'Organization')
  t.same(org.meta.profile, [PROFILES.organization])
  t.same(org.identifier, [{
    type: {
      coding: [
        { system: 'http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type', code: 'IDNST' },
        { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'IDNST' }
      ]
    },
    system: 'urn:oid:1.2.250.1.71.4.2.2',
    value: '1850012345'
  }])
  t.match(org.identifier[0].value, /^1[0-9]{9}$/, 'the FINESS invariant')
  t.equal(org.name, 'CPTS du Marais breton')
  const roleA = resources(bundle, 'PractitionerRole').find((r: Json) => r.id === a.id)
  t.notOk('organization' in roleA, 'the CPTS is not the practice: the role names no structure')
  t.match(resources(bundle, 'Practitioner').find((p: Json) => p.id === a.id).name[0], { family: 'DUPONT', given: ['Marie'] })
  t.match(resources(bundle, 'Practitioner').find((p: Json) => p.id === b.id).name[0], { prefix: ['Dr'], given: ['Jean'], family: 'Le Goff' })

  // The same, with the offset's "+" decoded into a space by a proxy: same answer.
  const spaced = await search(app, query.replaceAll('+02:00', '%2002:00'))
  t.same(resources(spaced.json(), 'Slot').map((s: Json) => s.id).sort(), [sa, sb, noFiness].sort(), '"+" read back from a space')
  // The guide's own example omits the Organization include: the HealthcareService still comes.
  const noOrg = (await search(app, query.replace('&_include:iterate=HealthcareService:organization', ''))).json()
  t.equal(resources(noOrg, 'HealthcareService').length, 1)
  t.equal(resources(noOrg, 'Organization').length, 0, 'no Organization unless asked for')
  assertValid(t, noOrg, 'without the Organization include')
  // The same slots asked for as INT_R01: no CPTS audience, no CPTS resources.
  const r01 = (await search(app, query.replace('&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization', ''))).json()
  t.same(r01.meta.profile, [PROFILES.bundle])
  t.same(resources(r01, 'Slot').map((s: Json) => s.meta.profile[0]), [PROFILES.slot, PROFILES.slot, PROFILES.slot], 'R01 slots only')
  t.equal(resources(r01, 'HealthcareService').length, 0)
  assertValid(t, r01, 'INT_R01 on the same slots')
  // A CPTS request whose slots all belong to CPTS without FINESS stays a plain Bundle.
  const plain = (await search(app, `${R04_INCLUDES}&start=ge2026-06-12T16:20:00.000+02:00&start=le2026-06-12T17:20:00.000+02:00&schedule.actor:Practitioner.identifier=${idList([rppsOf[2]!])}&status=free`)).json()
  t.same(plain.meta.profile, [PROFILES.bundle], 'no CPTS slot: BundleAgregateur')
  assertValid(t, plain, 'CPTS request without FINESS')
})

t.test('a GP at two places, in two CPTS: a Schedule and a PractitionerRole per place, a CPTS entry per offered CPTS with a FINESS', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const [lumiere] = terr.cpts
  const marais = await post(app, terr.adminCookie, '/api/cpts', { name: 'CPTS du Marais breton', finess: '850012345' })
  const gp = terr.users.gp
  await joinCpts(app.db, gp.id, marais.id)
  const centre = await givePlace(app.db, gp.id, { label: 'Maison de santé', address: '3 rue Carnot', postalCode: '85300', commune: 'Challans', communeCode: '85047', structureId: '1850088888' })
  const at = async (hhmm: string, offer: object): Promise<string> => {
    const start = new Date(`2026-06-02T${hhmm}:00+02:00`)
    return (await post(app, gp.cookie, '/api/slots', { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office', ...offer })).id
  }
  const home = await at('09:00', {}) // Côte de Lumière (no FINESS) only
  const shared = await at('10:00', { placeId: centre, cptsIds: [lumiere!.id, marais.id] })
  const maraisOnly = await at('11:00', { placeId: centre, cptsIds: [marais.id] })
  const gp2 = await publishSlot(app, terr.users.gp2.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')

  const r04 = (await search(app, `${R04_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${idList([gp.rpps!, terr.users.gp2.rpps!])}&status=free`)).json()
  assertValid(t, r04, 'two places, two CPTS')
  assertIncludesResolve(t, r04)
  t.same(r04.meta.profile, [PROFILES.bundleCpts])
  const slot = (id: string): Json => resources(r04, 'Slot').find((s: Json) => s.id === id)
  t.same([home, shared, maraisOnly, gp2.id].map((id) => slot(id).schedule.reference),
    [`Schedule/${gp.id}`, `Schedule/${centre}`, `Schedule/${centre}`, `Schedule/${terr.users.gp2.id}`], 'each Slot in its place\'s Schedule: the home place keeps the account\'s id')
  t.same(resources(r04, 'Schedule').map((s: Json) => s.id).sort(), [gp.id, centre, terr.users.gp2.id].sort(), 'a Schedule per place with a slot')
  t.same(resources(r04, 'Schedule').find((s: Json) => s.id === centre).actor, [{ reference: `Practitioner/${gp.id}` }, { reference: `PractitionerRole/${centre}` }])
  t.same(resources(r04, 'PractitionerRole').map((r: Json) => r.id).sort(), [gp.id, centre, terr.users.gp2.id].sort(), 'a PractitionerRole per place')
  t.equal(resources(r04, 'Practitioner').length, 2, 'each practitioner once')
  const centreRole = resources(r04, 'PractitionerRole').find((r: Json) => r.id === centre)
  t.match(centreRole, {
    practitioner: { reference: `Practitioner/${gp.id}` },
    contained: [{ identifier: [{ value: centre }], address: { line: ['3 rue Carnot'], city: 'Challans', postalCode: '85300' } }],
    organization: { identifier: { value: '1850088888' } },
    telecom: [{ system: 'phone', value: '+33251580001' }]
  }, 'the centre: its address and structure, the practitioner\'s phone (the place has none)')
  t.notOk('organization' in resources(r04, 'PractitionerRole').find((r: Json) => r.id === gp.id), 'the home place: no structure given')
  // Only CPTS with a FINESS are named: the shared slot is the Marais's CPTS slot, not Lumière's.
  const cptsRefs = (s: Json): string[] => s.serviceType.flatMap((st: Json) => (st.extension ?? []).map((x: Json) => x.valueReference.reference))
  t.same(slot(home).meta.profile, [PROFILES.slot], 'offered only to a CPTS without FINESS: a plain slot')
  t.same([slot(shared).meta.profile, cptsRefs(slot(shared))], [[PROFILES.slotCpts], [`HealthcareService/${String(marais.id)}`]], 'shared with the Marais: its CPTS entry only')
  t.same(cptsRefs(slot(maraisOnly)), [`HealthcareService/${String(marais.id)}`])
  t.same([resources(r04, 'HealthcareService').length, resources(r04, 'Organization').length], [1, 1], 'one CPTS named: one HealthcareService, one Organization')

  // Includes switched off: no Schedule without Slot:schedule, no CPTS resources in INT_R01.
  const bare = (await search(app, `${WINDOW}&schedule.actor:Practitioner.identifier=${idList([gp.rpps!])}`)).json()
  t.same([bare.total, (bare.entry as Json[]).every((e) => e.resource.resourceType === 'Slot')], [3, true], 'no include: the Slots only')
  t.same(resources(bare, 'Slot').map((s: Json) => s.schedule.reference), [`Schedule/${gp.id}`, `Schedule/${centre}`, `Schedule/${centre}`], 'still naming their place\'s Schedule')
  const r01 = (await search(app, `${R01_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${idList([gp.rpps!])}`)).json()
  t.same(resources(r01, 'Slot').map((s: Json) => s.meta.profile[0]), [PROFILES.slot, PROFILES.slot, PROFILES.slot], 'INT_R01: no CPTS slot')
  t.same([resources(r01, 'Schedule').length, resources(r01, 'PractitionerRole').length, resources(r01, 'HealthcareService').length], [2, 2, 0])
  assertValid(t, r01, 'INT_R01, two places')
})

t.test('without identifiers: every free slot of the window; psychiatry, modes, zones', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const gp = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const gp2 = await publishSlot(app, terr.users.gp2.cookie, '2026-06-02T18:00:00+02:00', '2026-06-02T18:15:00+02:00')
  const psy = await slotFor(app, terr, terr.users.psy.id, '14:00', { kind: 'psy', mode: 'video' })
  await slotFor(app, terr, terr.users.psy.id, '14:00', { day: '2026-06-03', kind: 'psy' })

  const res = await search(app, `${R01_INCLUDES}&${WINDOW}&status=free`)
  t.equal(res.statusCode, 200, 'searched')
  const bundle = res.json()
  t.same(resources(bundle, 'Slot').map((s: Json) => s.id), [gp.id, psy, gp2.id], 'every free slot of the window, in start order')
  t.equal(bundle.total, 3)
  const psySlot = resources(bundle, 'Slot').find((s: Json) => s.id === psy)
  t.same(psySlot.specialty, [{ coding: [{ system: TRE_R38, code: 'SM42' }] }], 'psychiatry: SM42')
  t.same(psySlot.serviceType, [{ coding: [{ system: ACT_CODE, code: 'VR' }] }])
  assertValid(t, bundle, 'no identifier filter')
  assertIncludesResolve(t, bundle)

  // Instants without an offset are read in the territory's zone (Europe/Paris here).
  const local = (await search(app, 'start=ge2026-06-02T11:59:00&start=le2026-06-02T12:01:00&status=free')).json()
  t.same(resources(local, 'Slot').map((s: Json) => s.id), [gp.id], 'no offset: Paris time')
  t.equal(resources(local, 'Schedule').length, 0, 'no _include, no included resources')
  // Dates cover their whole day; `status` may be left out.
  const days = (await search(app, 'start=ge2026-06-02&start=le2026-06-02')).json()
  t.equal(days.total, 3, 'le<date> runs to the end of that day')
  const utc = (await search(app, 'start=ge2026-06-02T09:59:00Z&start=le2026-06-02T10:00:00Z')).json()
  t.same(resources(utc, 'Slot').map((s: Json) => s.id), [gp.id], 'Z instants')
  const narrowed = (await search(app, `${WINDOW}&start=le2026-06-02T13:00:00%2B02:00`)).json()
  t.same(resources(narrowed, 'Slot').map((s: Json) => s.id), [gp.id], 'repeated bounds narrow the window; %2B is a plus')

  // Accept headers and _format the platform may send.
  for (const headers of [{ accept: 'application/fhir+json' }, { accept: 'application/json+fhir' }, { accept: 'application/json' }, {}]) {
    const r = await search(app, `${WINDOW}&_format=json`, { ...headers, authorization: `Bearer ${TOKEN}` } as Record<string, string>)
    t.equal(r.statusCode, 200, `Accept ${JSON.stringify(headers)}`)
  }
  t.equal((await search(app, `${WINDOW}&_format=application/fhir%2Bjson`)).statusCode, 200, '_format=application/fhir+json')
})

t.test('empty results and refused requests', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const rpps = terr.users.gp.rpps!

  for (const [what, ids] of [
    ['an unknown practitioner', `${IDNAT_PS}|810002909371`],
    ['the RPPS without the 8 prefix', `${IDNAT_PS}|${rpps}`],
    ['an ADELI number', `${IDNAT_PS}|0123456789`],
    ['another identifier system', `urn:oid:1.2.250.1.71.4.2.2|8${rpps}`]
  ] as const) {
    const res = await search(app, `${R04_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${ids}&status=free`)
    t.equal(res.statusCode, 200, what)
    const bundle = res.json()
    t.equal(bundle.total, 0, `${what}: total 0`)
    t.notOk('entry' in bundle, `${what}: no entry`)
    t.same(bundle.meta.profile, [PROFILES.bundle], `${what}: the empty Bundle is a BundleAgregateur`)
    t.equal(bundle.link[0].relation, 'self')
    t.equal(bundle.link[0].url, `${PUBLIC_URL}/fhir/Slot?${R04_INCLUDES}&${WINDOW}&schedule.actor:Practitioner.identifier=${ids}&status=free`)
    t.same(validateR4(bundle), [], `${what}: valid R4`)
  }
  const bare = await search(app, `${WINDOW}&schedule.actor:Practitioner.identifier=8${rpps}`)
  t.equal(bare.json().total, 1, 'a bare value (no system) is read as IdNat_PS')

  const refused: Array<[string, string, number, RegExp]> = [
    ['no start at all', 'status=free', 400, /start/],
    ['only the lower bound', 'start=ge2026-06-02T00:00:00+02:00', 400, /start/],
    ['only the upper bound', 'start=le2026-06-02T00:00:00+02:00', 400, /start/],
    ['not a date', 'start=ge2026-13-45T00:00:00%2B02:00&start=le2026-06-03', 400, /not a FHIR date/],
    ['an unsupported prefix', 'start=sa2026-06-02&start=le2026-06-03', 400, /prefix/],
    ['booked slots', `${WINDOW}&status=busy`, 400, /only free/],
    ['a malformed percent-encoding', `${WINDOW}&status=%E0%A4%A`, 400, /percent/],
    ['an empty identifier list', `${WINDOW}&schedule.actor:Practitioner.identifier=`, 400, /no identifier/],
    ['XML', `${WINDOW}&_format=xml`, 406, /JSON/]
  ]
  for (const [what, query, status, message] of refused) {
    const res = await search(app, query)
    t.equal(res.statusCode, status, what)
    t.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8', `${what}: FHIR JSON`)
    const outcome = res.json()
    t.equal(outcome.resourceType, 'OperationOutcome', `${what}: an OperationOutcome`)
    t.equal(outcome.issue[0].severity, 'error')
    t.match(outcome.issue[0].diagnostics, message, what)
    t.same(validateR4(outcome), [], `${what}: valid R4`)
  }
  const xml = await search(app, WINDOW, { authorization: `Bearer ${TOKEN}`, accept: 'application/fhir+xml' })
  t.equal(xml.statusCode, 406, 'Accept XML only: 406')
  t.equal(xml.json().resourceType, 'OperationOutcome')

  const other = await app.inject({ url: '/fhir/Patient?name=x', headers: SAS })
  t.equal(other.statusCode, 404, 'no other resource is served')
  t.equal(other.json().resourceType, 'OperationOutcome')
  t.equal((await app.inject({ url: '/api/nothing' })).json().code, 'NOT_FOUND', 'the rest of the API keeps its error shape')
})

t.test('who may search: bearer secrets and API tokens of regulators; metadata is public', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const q = `${WINDOW}&status=free`
  const noAuth = await search(app, q, { accept: 'application/fhir+json' })
  t.equal(noAuth.statusCode, 401, 'anonymous: 401')
  t.equal(noAuth.headers['www-authenticate'], 'Bearer realm="fhir"')
  t.equal(noAuth.json().resourceType, 'OperationOutcome')
  t.equal(noAuth.json().issue[0].code, 'login')
  t.same(validateR4(noAuth.json()), [])
  t.equal((await search(app, q, { authorization: 'Bearer not-the-secret-0123456789' })).statusCode, 401, 'a wrong secret: 401')
  t.equal((await search(app, q, { authorization: 'Bearer other-secret-abcdefghijkl' })).statusCode, 200, 'each configured secret works')
  t.equal((await search(app, q, { authorization: `Bearer ${await bearerToken(app, terr.users.regulator.cookie)}` })).statusCode, 200, 'a regulator\'s API token works')
  t.equal((await search(app, q, { authorization: `Bearer ${await bearerToken(app, terr.adminCookie)}` })).statusCode, 200, 'an admin\'s API token works')
  t.equal((await search(app, q, { authorization: `Bearer ${await bearerToken(app, terr.users.gp.cookie)}` })).statusCode, 401, 'a practitioner\'s does not')
  t.equal((await search(app, q, { authorization: `Bearer ${await bearerToken(app, terr.users.board.cookie)}` })).statusCode, 401, 'nor the board\'s')
  t.equal((await search(app, q, { cookie: terr.users.regulator.cookie })).statusCode, 401, 'a browser session is not a FHIR client')

  const meta = await app.inject({ url: '/fhir/metadata', headers: { accept: 'application/fhir+json' } })
  t.equal(meta.statusCode, 200, 'metadata needs no token')
  t.equal(meta.headers['content-type'], 'application/fhir+json; charset=utf-8')
  const cs = meta.json()
  t.same(validateR4(cs), [], 'the CapabilityStatement is valid R4')
  t.match(cs, {
    resourceType: 'CapabilityStatement', kind: 'instance', fhirVersion: '4.0.1', status: 'active', date: T0,
    rest: [{ mode: 'server', security: { cors: false } }]
  })
  t.ok(cs.format.includes('application/fhir+json'))
  const slot = cs.rest[0].resource.find((r: Json) => r.type === 'Slot')
  t.same(slot.interaction, [{ code: 'search-type' }])
  t.same(slot.supportedProfile, [PROFILES.slot, PROFILES.slotCpts])
  t.same(slot.searchInclude, ['Slot:schedule', 'Schedule:actor', 'Slot:service-type-reference', 'HealthcareService:organization'])
  t.ok(slot.searchParam.some((p: Json) => p.name === 'start' && p.definition === 'https://interop.esante.gouv.fr/ig/fhir/sas/SearchParameter/slot-sp-start'))
})

t.test('a hold that ran out is free again; started, booked and held slots never show; no patient data', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const reg = terr.users.regulator.cookie
  const gp = terr.users.gp.cookie
  const soon = await publishSlot(app, gp, '2026-06-01T10:05:00+02:00', '2026-06-01T10:20:00+02:00')
  const held = await publishSlot(app, gp, '2026-06-01T12:00:00+02:00', '2026-06-01T12:15:00+02:00')
  const booked = await publishSlot(app, gp, '2026-06-01T12:15:00+02:00', '2026-06-01T12:30:00+02:00')
  const later = await publishSlot(app, gp, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  await bookWithPatient(app, reg, booked.id)
  await hold(app, reg, held.id)
  const q = `${R04_INCLUDES}&start=ge2026-06-01&start=le2026-06-02&schedule.actor:Practitioner.identifier=${idList([terr.users.gp.rpps!])}&status=free`
  const during = await search(app, q)
  t.same(resources(during.json(), 'Slot').map((s: Json) => s.id), [soon.id, later.id], 'held and booked: not offered')
  clock.set('2026-06-01T08:06:00.000Z') // 10:06 in Paris: the hold (180 s) ran out, the 10:05 slot started
  const after = await search(app, q)
  t.same(resources(after.json(), 'Slot').map((s: Json) => s.id), [held.id, later.id], 'the hold ran out: free again, before the sweeper runs; a started slot is gone')
  assertValid(t, after.json(), 'after the hold')
  assertNoPatientData(t, during.body + after.body)
})

const MTLS_ENV = { FHIR_CLIENT_CERT_CN: 'plateforme-sas,plateforme-sas-secours', FHIR_CLIENT_CERT_OU: 'SAS' }

/** The settings of an https server with `pki`'s certificates (and a client CA), plus `env`. */
function mtlsConfig (storageEnv: Record<string, string>, pki: Pki, env: Record<string, string>) {
  return loadConfig({
    ...storageEnv, PUBLIC_URL, FHIR_TOKENS: TOKEN, TLS_CERT: pki.serverCert, TLS_KEY: pki.serverKey, TLS_CLIENT_CA: pki.caCert, ...env
  })
}

/** The app on a real https listener (port 0); `fhirListener` adds the FHIR_TLS_PORT one. */
async function listenHttps (t: Test, env: Record<string, string>, fhirListener = false) {
  const dir = mkdtempSync(join(tmpdir(), 'creneaux-mtls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pki = makePki(dir)
  const config = mtlsConfig((await testStorage(t)).env, pki, env)
  const db = openDatabase(config)
  await migrateToLatest(db)
  const https = httpsOptions(config)
  const app = await buildApp({ config, db, clock: new ManualClock(T0), ...(https === undefined ? {} : { https }) })
  t.teardown(async () => { await app.close(); await db.destroy() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  let fhirPort: number | null = null
  if (fhirListener) {
    const fhirHttps = fhirHttpsOptions(config)
    if (fhirHttps === undefined) throw new Error('no FHIR listener options')
    const listener = await listenForFhir(app, fhirHttps, 0, '127.0.0.1')
    t.teardown(listener.close)
    fhirPort = listener.port
  }
  return { pki, port, fhirPort }
}

const SLOT_QUERY = `/fhir/Slot?${WINDOW}&status=free`

t.test('mTLS: a client certificate counts only with an accepted Common Name and Organizational Unit', async (t) => {
  const { pki, port } = await listenHttps(t, MTLS_ENV)
  const get = async (client: keyof Pki['clients'] | null, headers: Record<string, string> = {}, path = SLOT_QUERY) =>
    await httpsGet(port, path, pki.caCert, client === null ? null : pki.clients[client], headers)

  const sas = await get('sas')
  t.equal(sas.status, 200, 'CN plateforme-sas, OU SAS: 200 without a token')
  t.equal(JSON.parse(sas.body).total, 0)
  t.equal((await get('backup')).status, 200, 'another listed Common Name: 200')
  t.equal((await get('twoUnits')).status, 200, 'one of its Organizational Units is listed: 200')
  for (const [what, client] of [
    ['our CA but another Common Name (a GP\'s card, say)', 'otherName'],
    ['the right Common Name, another Organizational Unit', 'otherUnit'],
    ['the right names, another CA', 'rogue']
  ] as const) {
    const res = await get(client)
    t.equal(res.status, 401, `${what}: 401`)
    t.equal(JSON.parse(res.body).resourceType, 'OperationOutcome', `${what}: an OperationOutcome`)
    t.equal(JSON.parse(res.body).issue[0].code, 'login')
  }
  t.equal((await get('otherName', { authorization: `Bearer ${TOKEN}` })).status, 200, 'a refused certificate does not stop a valid bearer secret')
  t.equal((await get(null, { authorization: `Bearer ${TOKEN}` })).status, 200, 'nor does no certificate')
})

t.test('mTLS required: the SAS certificate and nothing else', async (t) => {
  const { pki, port } = await listenHttps(t, { ...MTLS_ENV, FHIR_REQUIRE_CLIENT_CERT: 'true' })
  const get = async (path: string, client: keyof Pki['clients'] | null, headers: Record<string, string> = {}) =>
    await httpsGet(port, path, pki.caCert, client === null ? null : pki.clients[client], headers)
  t.equal((await get(SLOT_QUERY, 'sas')).status, 200, 'the SAS certificate, no token: 200')
  t.equal((await get(SLOT_QUERY, null, { authorization: `Bearer ${TOKEN}` })).status, 401, 'a token without the certificate: 401 when one is required')
  t.equal((await get(SLOT_QUERY, 'rogue', { authorization: `Bearer ${TOKEN}` })).status, 401, 'a certificate of another CA: 401')
  t.equal((await get(SLOT_QUERY, 'otherUnit', { authorization: `Bearer ${TOKEN}` })).status, 401, 'another Organizational Unit: 401')
  t.equal((await get('/fhir/metadata', null)).status, 200, 'metadata stays public')
  t.equal((await get('/fhir/$bulk-publish', null)).status, 200, 'so do the SMART files')
  t.equal((await get('/connexion', null)).status, 200, 'pages open without a certificate')
  t.ok(await asksForCertificate(port, pki.caCert), 'one listener: it asks every client for a certificate')
})

t.test('FHIR_TLS_PORT: only the second listener asks for certificates; both serve the same app', async (t) => {
  const { pki, port, fhirPort } = await listenHttps(t, { ...MTLS_ENV, FHIR_REQUIRE_CLIENT_CERT: 'true', FHIR_TLS_PORT: '0' }, true)
  if (fhirPort === null) throw new Error('no FHIR listener')
  const get = async (on: number, path: string, client: keyof Pki['clients'] | null, headers: Record<string, string> = {}) =>
    await httpsGet(on, path, pki.caCert, client === null ? null : pki.clients[client], headers)

  t.notOk(await asksForCertificate(port, pki.caCert), 'the main listener asks no browser for a certificate')
  t.ok(await asksForCertificate(fhirPort, pki.caCert), 'the FHIR listener asks for one')
  t.equal((await get(port, '/connexion', 'sas')).status, 200, 'pages on the main listener')
  t.equal((await get(port, SLOT_QUERY, 'sas')).status, 401, 'main listener: no certificate comes through, so /fhir/Slot is refused')
  const viaFhir = await get(fhirPort, SLOT_QUERY, 'sas')
  t.equal(viaFhir.status, 200, 'FHIR listener, SAS certificate: 200')
  t.equal(JSON.parse(viaFhir.body).resourceType, 'Bundle')
  t.equal((await get(fhirPort, SLOT_QUERY, null, { authorization: `Bearer ${TOKEN}` })).status, 401, 'FHIR listener without a certificate: 401')
  t.equal((await get(fhirPort, SLOT_QUERY, 'otherUnit')).status, 401, 'FHIR listener, another Organizational Unit: 401')
  t.equal((await get(fhirPort, '/fhir/metadata', null)).status, 200, 'the same app behind both: metadata')
})

t.test('settings: a client CA without accepted Common Names is refused at start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'creneaux-mtls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const tls = { DATA_DIR: dir, TLS_CERT: 'server.crt', TLS_KEY: 'server.key' }
  t.throws(() => loadConfig({ ...tls, TLS_CLIENT_CA: 'ca.crt' }), /FHIR_CLIENT_CERT_CN/, 'TLS_CLIENT_CA alone')
  t.throws(() => loadConfig({ ...tls, TLS_CLIENT_CA: 'ca.crt', FHIR_CLIENT_CERT_OU: 'SAS' }), /FHIR_CLIENT_CERT_CN/, 'an OU is not enough')
  t.throws(() => loadConfig({ ...tls, TLS_CLIENT_CA: 'ca.crt', FHIR_REQUIRE_CLIENT_CERT: 'true', FHIR_CLIENT_CERT_CN: ' , ' }), /FHIR_CLIENT_CERT_CN/, 'an empty list')
  t.throws(() => loadConfig({ DATA_DIR: dir, FHIR_REQUIRE_CLIENT_CERT: 'true' }), /FHIR_CLIENT_CERT_CN/, 'FHIR_REQUIRE_CLIENT_CERT without names')
  t.throws(() => loadConfig({ ...tls, FHIR_TLS_PORT: '3443' }), /FHIR_TLS_PORT needs TLS_CLIENT_CA/, 'FHIR_TLS_PORT without a client CA')
  t.throws(() => loadConfig({ ...tls, TLS_CLIENT_CA: 'ca.crt', FHIR_CLIENT_CERT_CN: 'sas', FHIR_TLS_PORT: '3000' }), /differ from PORT/)
  const ok = loadConfig({ ...tls, TLS_CLIENT_CA: 'ca.crt', FHIR_CLIENT_CERT_CN: 'sas, sas-2', FHIR_CLIENT_CERT_OU: 'SAS', FHIR_TLS_PORT: '3443' })
  t.same([ok.fhirClientCertNames, ok.fhirClientCertUnits, ok.fhirTlsPort], [['sas', 'sas-2'], ['SAS'], 3443])
  t.equal(loadConfig({ DATA_DIR: dir }).fhirTlsPort, null, 'no FHIR listener by default')
})

type ClientName = 'sas' | 'backup' | 'twoUnits' | 'otherName' | 'otherUnit' | 'rogue'
interface Pki { caCert: string, serverCert: string, serverKey: string, clients: Record<ClientName, { cert: string, key: string }> }

/** A throwaway CA, a server certificate for 127.0.0.1 and client certificates, with openssl. */
function makePki (dir: string): Pki {
  const path = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }) }
  const key = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(`${name}.key`))
  const ca = (name: string): void => {
    key(name)
    openssl('req', '-x509', '-new', '-key', path(`${name}.key`), '-subj', `/CN=${name}`, '-days', '2', '-out', path(`${name}.crt`))
  }
  const issue = (name: string, subject: string, issuer: string, ext?: string): void => {
    key(name)
    openssl('req', '-new', '-key', path(`${name}.key`), '-subj', subject, '-out', path(`${name}.csr`))
    const extArgs: string[] = []
    if (ext !== undefined) { writeFileSync(path(`${name}.ext`), ext); extArgs.push('-extfile', path(`${name}.ext`)) }
    openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${issuer}.crt`), '-CAkey', path(`${issuer}.key`),
      '-CAcreateserial', '-days', '2', '-out', path(`${name}.crt`), ...extArgs)
  }
  ca('ca')
  ca('rogue-ca')
  issue('server', '/CN=127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\n')
  issue('sas', '/OU=SAS/CN=plateforme-sas', 'ca')
  issue('backup', '/OU=SAS/CN=plateforme-sas-secours', 'ca')
  issue('twoUnits', '/OU=ANS/OU=SAS/CN=plateforme-sas', 'ca')
  issue('otherName', '/OU=SAS/CN=quelqu-un', 'ca')
  issue('otherUnit', '/OU=Cabinet medical/CN=plateforme-sas', 'ca')
  issue('rogue', '/OU=SAS/CN=plateforme-sas', 'rogue-ca')
  const names: ClientName[] = ['sas', 'backup', 'twoUnits', 'otherName', 'otherUnit', 'rogue']
  const clients = Object.fromEntries(names.map((n) => [n, { cert: path(`${n}.crt`), key: path(`${n}.key`) }])) as Pki['clients']
  return { caCert: path('ca.crt'), serverCert: path('server.crt'), serverKey: path('server.key'), clients }
}

/** Whether the listener sends a CertificateRequest in its handshake (what makes a browser prompt), read by openssl s_client. */
async function asksForCertificate (port: number, ca: string): Promise<boolean> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca], (err, stdout) => {
      if (err !== null && stdout === '') reject(err); else resolve(stdout)
    })
    child.stdin?.end()
  })
  if (!/^Verify return code: 0 \(ok\)/m.test(out)) throw new Error('s_client did not complete the handshake:\n' + out)
  return /Acceptable client certificate CA names/.test(out)
}

async function httpsGet (port: number, path: string, ca: string, client: { cert: string, key: string } | null, headers: Record<string, string>): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port, path, method: 'GET', headers, ca: readFileSync(ca), agent: false,
      ...(client === null ? {} : { cert: readFileSync(client.cert), key: readFileSync(client.key) })
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}
