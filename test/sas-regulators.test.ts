// Issue 21, INT_R02: the SAS platform manages regulator accounts (POST and conditional PUT of
// FrPractitionerRegul). The first test replays the certification kit's "Flux V1" group in its
// order, with its bodies and its expected answers (lib/sas_test_kit/prise_de_rendez_vous/);
// the others pin what the kit leaves open: nothing written on a refusal, sessions and tokens
// ended on a deactivation, idempotence, the audit log, who may call.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { validateR4 } from './helpers/fhir-validate.js'
import { bearerToken, countRows, territory } from './helpers/fixtures.js'

type Json = any

const TOKEN = 'sas-platform-secret-0123456789'
const PUBLIC_URL = 'https://creneaux.example.fr'
const ENV = { FHIR_TOKENS: TOKEN, PUBLIC_URL }
const IDNPS = 'urn:oid:1.2.250.1.71.4.2.1'
const SAS = 'urn:oid:1.2.250.1.213.3.6'
const PROFILE = 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul'
const V2_0203 = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203'
/** The kit's headers (its FHIR client and its http_client). */
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json+fhir' }

/** The kit's defaults (flux_v1_group.rb). */
const KIT = {
  regulatorId: '3456780581/11242343',
  regulatorIdModif: '3456780581/11242344',
  mail: 'sebastien.loridon@test.com',
  mailModif: 'sebastien.loridon.modif@test.com',
  first: 'Sébastien',
  firstModif: 'Sébastien-modif',
  last: 'Loridon',
  lastModif: 'Loridon-modif',
  resourceId: 'example-regulator-1'
}

/** HelperFLuxv1.build_regulateur_body. */
function regulator (id: string, mail: string, first: string, last: string, sys: string, active = true): Json {
  return {
    resourceType: 'Practitioner',
    id: KIT.resourceId,
    meta: { source: SAS, profile: [PROFILE] },
    identifier: [{ type: { coding: [{ system: V2_0203, code: sys === IDNPS ? 'IDNPS' : 'INTRN' }] }, system: sys, value: id }],
    active,
    name: [{ family: last, given: [first] }],
    telecom: [{ system: 'email', value: mail }]
  }
}

/** practitioner_missing_fields.rb and practitioner_invalid_values.rb. */
function missingFields (): Record<string, Json> {
  const base = (code: string, sys: string, value: string): Json => ({
    resourceType: 'Practitioner', meta: { source: SAS, profile: [PROFILE] },
    identifier: [{ type: { coding: [{ system: V2_0203, code }] }, system: sys, value }],
    active: true, name: [{ family: 'Dupont', given: ['Jean'] }], telecom: [{ system: 'email', value: `${randomUUID()} + jean.dupont@example.com` }]
  })
  const without = (field: string): Json => { const r = base('IDNPS', IDNPS, randomUUID()); delete r[field]; return r }
  return { NO_IDENTIFIER: without('identifier'), NO_NAME: without('name'), NO_TELECOM: without('telecom'), NO_ACTIVE: without('active') }
}

function invalidValues (): Record<string, Json> {
  const r = (code: string, sys: string, value: string, name: Json, telecom: Json): Json => ({
    resourceType: 'Practitioner', meta: { source: SAS, profile: [PROFILE] },
    identifier: [{ type: { coding: [{ system: V2_0203, code }] }, system: sys, value }], active: true, name: [name], telecom: [telecom]
  })
  return {
    EMPTY_NAME: r('IDNPS', SAS, randomUUID(), { family: '', given: ['Claire'] }, { system: 'email', value: `${randomUUID()} + claire.@example.com` }),
    EMPTY_MAIL: r('IDNPS', SAS, randomUUID(), { family: 'Marie', given: ['Claire'] }, { system: 'email', value: '' }),
    WRONG_TELECOM_SYSTEM: r('IDNPS', IDNPS, randomUUID(), { family: 'Marie', given: ['Claire'] }, { system: 'phone', value: `${randomUUID()} + claire.Marie@example.com` }),
    WRONG_CODE_FOR_IDNPS_SYSTEM: r('INTRN', IDNPS, '1223432432', { family: 'Dubois', given: ['Claire'] }, { system: 'email', value: 'claire.dubois@example.com' }),
    WRONG_CODE_FOR_INTRN_SYSTEM: r('IDNPS', SAS, randomUUID(), { family: 'Dubois', given: ['Claire'] }, { system: 'email', value: 'claire.dubois2@example.com' })
  }
}

async function create (app: FastifyInstance, body: Json, headers: Record<string, string> = HEADERS) {
  return await app.inject({ method: 'POST', url: '/fhir/Practitioner', headers, payload: JSON.stringify(body) })
}

async function put (app: FastifyInstance, identifier: string, body: Json, headers: Record<string, string> = HEADERS) {
  return await app.inject({ method: 'PUT', url: `/fhir/Practitioner?identifier=${identifier}`, headers, payload: JSON.stringify(body) })
}

interface Account { id: string, email: string, name: string, role: string, idnps: string | null, sas_id: string | null, disabled_at: string | null }

async function accounts (app: FastifyInstance): Promise<Account[]> {
  return await app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'idnps', 'sas_id', 'disabled_at'])
    .where('role', '=', 'regulator').orderBy('created_at').orderBy('email').execute()
}

const ok2xx3xx = (status: number): boolean => status >= 200 && status < 400

t.test('the kit\'s Flux V1 group, in its order: every step answers as the kit expects', async (t) => {
  const { app } = await build(t, ENV)

  // creation_regulateur_idnps_test
  const created = await create(app, regulator(KIT.regulatorId, KIT.mail, KIT.first, KIT.last, IDNPS))
  t.equal(created.statusCode, 201, 'POST with an IDNPS: 201')
  const resource = created.json()
  t.equal(created.headers.location, `${PUBLIC_URL}/fhir/Practitioner/${String(resource.id)}`, 'Location names the new resource')
  t.match(created.headers['content-type'], /^application\/fhir\+json/)
  t.same(resource, {
    resourceType: 'Practitioner',
    id: resource.id,
    meta: { source: SAS, profile: [PROFILE] },
    identifier: [{ type: { coding: [{ system: V2_0203, code: 'IDNPS' }] }, system: IDNPS, value: KIT.regulatorId }],
    active: true,
    name: [{ family: KIT.last, given: [KIT.first] }],
    telecom: [{ system: 'email', value: KIT.mail }]
  }, 'the account as stored, with our id')
  t.same(validateR4(resource), [], 'a valid R4 Practitioner')
  t.not(resource.id, KIT.resourceId, 'the id is ours, not the client\'s')
  const a = resource.id as string

  // creation_regulateur_uuid_test
  const uuid = randomUUID()
  const byUuid = await create(app, regulator(uuid, uuid + KIT.mail, KIT.first, KIT.last, SAS))
  t.equal(byUuid.statusCode, 201, 'POST with a SAS UUID: 201')
  const b = byUuid.json().id as string

  // creation_double_regulateur_uuid_test
  const uuid2 = randomUUID()
  t.equal((await create(app, regulator(uuid2, uuid2 + KIT.mail, KIT.first, KIT.last, SAS))).statusCode, 201)
  const again = await create(app, regulator(uuid2, uuid2 + KIT.mail, KIT.first, KIT.last, SAS))
  t.equal(again.statusCode, 409, 'the same POST again: 409')
  t.equal(again.json().resourceType, 'OperationOutcome')
  t.equal(again.json().issue[0].code, 'duplicate')

  // creation_regulateur_champs_manquants_test, creation_regulateur_valeurs_invalides
  for (const [what, body] of [...Object.entries(missingFields()), ...Object.entries(invalidValues())]) {
    const res = await create(app, body)
    t.equal(res.statusCode, 400, `POST ${what}: 400`)
    t.equal(res.json().resourceType, 'OperationOutcome', `${what}: an OperationOutcome`)
  }
  t.equal((await accounts(app)).length, 3, 'no refused POST wrote an account')

  // modification_deshabilitation, modification_habilitation
  const off = await put(app, `${IDNPS}|${KIT.regulatorId}`, regulator(KIT.regulatorId, KIT.mail, KIT.first, KIT.last, IDNPS, false))
  t.ok(ok2xx3xx(off.statusCode), `active=false: ${off.statusCode}`)
  t.equal(off.json().active, false)
  t.not((await accounts(app)).find((x) => x.id === a)?.disabled_at, null, 'disabled')
  const on = await put(app, `${IDNPS}|${KIT.regulatorId}`, regulator(KIT.regulatorId, KIT.mail, KIT.first, KIT.last, IDNPS))
  t.equal(on.statusCode, 200, 'active=true: 200')
  t.equal((await accounts(app)).find((x) => x.id === a)?.disabled_at, null, 'enabled again')

  // modification_email_regulateur_test, modification_id_regulateur_test
  t.equal((await put(app, `${IDNPS}|${KIT.regulatorId}`, regulator(KIT.regulatorId, KIT.mailModif, KIT.first, KIT.last, IDNPS))).statusCode, 200, 'e-mail')
  t.equal((await accounts(app)).find((x) => x.id === a)?.email, KIT.mailModif)
  t.equal((await put(app, `${IDNPS}|${KIT.regulatorId}`, regulator(KIT.regulatorIdModif, KIT.mailModif, KIT.first, KIT.last, IDNPS))).statusCode, 200, 'IDNPS')
  t.equal((await accounts(app)).find((x) => x.id === a)?.idnps, KIT.regulatorIdModif)

  // modification_typeid_regulateur_test: the kit sends the UUID under the IDNPS system, and the
  // IDNPS under the SAS system: the UUID account is found all the same.
  const typeId = await put(app, `${IDNPS}|${uuid}`, regulator(KIT.regulatorId, uuid + KIT.mail, KIT.first, KIT.last, SAS))
  t.equal(typeId.statusCode, 200, 'the kit\'s UUID → IDNPS step: 200')
  t.equal(typeId.json().id, b, 'on the UUID account')

  // modification_nom_regulateur_test, modification_prenom_regulateur_test
  t.equal((await put(app, `${IDNPS}|${KIT.regulatorIdModif}`, regulator(KIT.regulatorIdModif, KIT.mailModif, KIT.first, KIT.lastModif, IDNPS))).statusCode, 200, 'family name')
  t.equal((await put(app, `${IDNPS}|${KIT.regulatorIdModif}`, regulator(KIT.regulatorIdModif, KIT.mailModif, KIT.firstModif, KIT.lastModif, IDNPS))).statusCode, 200, 'given name')
  t.equal((await accounts(app)).find((x) => x.id === a)?.name, `${KIT.firstModif} ${KIT.lastModif}`)

  // modification_regulateur_champs_manquants_test, put_as_create_missing_fields_test
  const before = await countRows(app.db)
  for (const [what, body] of Object.entries(missingFields())) {
    t.equal((await put(app, `${IDNPS}|${KIT.regulatorIdModif}`, body)).statusCode, 400, `PUT (update) ${what}: 400`)
    t.equal((await put(app, `${SAS}|${randomUUID()}`, body)).statusCode, 400, `PUT (create) ${what}: 400`)
  }
  t.same(await countRows(app.db), before, 'no refused PUT wrote anything, not even an audit entry')

  // put_as_create
  const uuid3 = randomUUID()
  const putCreated = await put(app, `${SAS}|${uuid3}`, regulator(uuid3, uuid3 + KIT.mail, uuid3 + KIT.first, uuid3 + KIT.last, SAS))
  t.equal(putCreated.statusCode, 201, 'PUT on an unknown identifier creates: 201')
  t.equal(putCreated.headers.location, `${PUBLIC_URL}/fhir/Practitioner/${String(putCreated.json().id)}`)

  // idnps_reattribution_test
  const first = await put(app, `${IDNPS}|${KIT.regulatorId}`, regulator(KIT.regulatorId, KIT.mail, KIT.first, KIT.last, IDNPS, false))
  t.ok(ok2xx3xx(first.statusCode), `reattribution, step 1 (disable): ${first.statusCode}`)
  const uuid4 = randomUUID()
  const second = await create(app, regulator(uuid4, `${uuid4}.${KIT.mail}`, uuid4 + KIT.first, uuid4 + KIT.last, SAS))
  t.equal(second.statusCode, 201, 'step 2: a new account by UUID')
  const third = await put(app, `${SAS}|${uuid4}`, regulator(KIT.regulatorId, `${uuid4}.${KIT.mail}`, uuid4 + KIT.first, uuid4 + KIT.last, IDNPS))
  t.equal(third.statusCode, 200, 'step 3: the IDNPS goes to the new account')
  const holders = (await accounts(app)).filter((x) => x.idnps === KIT.regulatorId)
  t.same(holders.filter((x) => x.disabled_at === null).map((x) => x.id), [second.json().id], 'one active account holds the IDNPS: the new one')
  t.same(third.json().identifier.map((i: Json) => i.system).sort(), [IDNPS, SAS].sort(), 'it keeps its SAS UUID as well')
})

t.test('deactivation ends sessions and tokens at once; reactivation does not bring them back; all audited', async (t) => {
  const { app } = await build(t, ENV)
  let swept = 0
  app.onCredentialEnded(() => { swept++ })
  const id = randomUUID()
  const created = await put(app, `${SAS}|${id}`, regulator(id, 'r@sas.test', 'Anne', 'Martin', SAS))
  t.equal(created.statusCode, 201)
  const userId = created.json().id as string
  const now = new Date().toISOString()
  const far = '2099-01-01T00:00:00.000Z'
  await app.db.insertInto('sessions').values({ id_hash: 'h1', user_id: userId, created_at: now, expires_at: far, ip: null }).execute()
  await app.db.insertInto('api_tokens').values({ id: 'tok1', user_id: userId, label: 'x', token_hash: 'th1', created_at: now, last_used_at: null, revoked_at: null }).execute()

  const same = await put(app, `${SAS}|${id}`, regulator(id, 'r@sas.test', 'Anne', 'Martin', SAS))
  t.equal(same.statusCode, 200, 'the same PUT again: 200 (idempotent)')
  t.equal(swept, 0, 'nothing ended')

  const off = await put(app, `${SAS}|${id}`, regulator(id, 'r@sas.test', 'Anne', 'Martin', SAS, false))
  t.equal(off.statusCode, 200)
  t.equal(swept, 1, 'open sockets are swept at once')
  t.equal((await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute()).length, 0, 'sessions deleted')
  t.not((await app.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', 'tok1').executeTakeFirstOrThrow()).revoked_at, null, 'tokens revoked')
  t.equal((await put(app, `${SAS}|${id}`, regulator(id, 'r@sas.test', 'Anne', 'Martin', SAS, false))).statusCode, 200, 'disabling again: 200')
  t.equal(swept, 1, 'nothing more to end')
  t.equal((await put(app, `${SAS}|${id}`, regulator(id, 'r@sas.test', 'Anne', 'Martin', SAS))).statusCode, 200, 'enabled')
  t.equal((await app.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', 'tok1').executeTakeFirstOrThrow()).revoked_at !== null, true, 'the token stays revoked')

  const audit = await app.db.selectFrom('audit_log').select(['action', 'user_id', 'detail']).where('subject_id', '=', userId).orderBy('id').execute()
  t.same(audit.map((e) => e.action), ['sas.regulator_create', 'sas.regulator_deactivate', 'sas.regulator_reactivate'], 'every change audited, a no-op not')
  t.same(audit.map((e) => e.user_id), [null, null, null], 'by the SAS platform, no account of ours')
  t.match(JSON.parse(audit[1]!.detail ?? '{}'), { via: 'token', sessions: 1, tokens: 1 })

  const sign = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'r@sas.test', password: 'none:provisioned-by-the-sas' } })
  t.equal(sign.statusCode, 401, 'a provisioned account has no password that signs in')
})

t.test('refusals: identifiers held by other accounts, e-mails, bad requests, who may call', async (t) => {
  const { app } = await build(t, ENV)
  const terr = await territory(app)
  const gpIdnps = `8${terr.users.gp.rpps!}`
  const clash = await create(app, regulator(gpIdnps, 'clash@sas.test', 'Paul', 'Durand', IDNPS))
  t.equal(clash.statusCode, 409, 'a practitioner\'s IDNPS: 409')
  t.match(clash.json().issue[0].diagnostics, /not a regulator/)
  const gpOff = await put(app, `${IDNPS}|${gpIdnps}`, regulator(gpIdnps, 'clash@sas.test', 'Paul', 'Durand', IDNPS, false))
  t.equal(gpOff.statusCode, 409, 'a PUT naming a practitioner never disables them: it would create, and the IDNPS is held')
  t.equal((await app.db.selectFrom('users').select('disabled_at').where('id', '=', terr.users.gp.id).executeTakeFirstOrThrow()).disabled_at, null)

  const taken = await create(app, regulator(randomUUID(), terr.users.gp.email, 'Paul', 'Durand', SAS))
  t.equal(taken.statusCode, 409, 'another account\'s e-mail: 409')
  t.equal(taken.json().issue[0].code, 'duplicate')

  const one = randomUUID()
  const two = randomUUID()
  t.equal((await create(app, regulator(one, 'one@sas.test', 'Un', 'Premier', SAS))).statusCode, 201)
  t.equal((await create(app, regulator(two, 'two@sas.test', 'Deux', 'Second', SAS))).statusCode, 201)
  t.equal((await put(app, `${SAS}|${two}`, regulator(two, 'one@sas.test', 'Deux', 'Second', SAS))).statusCode, 409, 'taking another regulator\'s e-mail: 409')
  const idn = '810002909371'
  t.equal((await put(app, `${SAS}|${one}`, regulator(idn, 'one@sas.test', 'Un', 'Premier', IDNPS))).statusCode, 200)
  t.equal((await put(app, `${SAS}|${two}`, regulator(idn, 'two@sas.test', 'Deux', 'Second', IDNPS))).statusCode, 409, 'an IDNPS an active account holds: 409')

  for (const [what, url] of [
    ['no identifier', '/fhir/Practitioner'],
    ['an unknown system', '/fhir/Practitioner?identifier=urn:oid:1.2.3|x'],
    ['no system', `/fhir/Practitioner?identifier=${one}`]
  ] as const) {
    const res = await app.inject({ method: 'PUT', url, headers: HEADERS, payload: JSON.stringify(regulator(one, 'one@sas.test', 'Un', 'Premier', SAS)) })
    t.equal(res.statusCode, 400, `PUT with ${what}: 400`)
  }
  const fhirJson = await app.inject({ method: 'POST', url: '/fhir/Practitioner', headers: { ...HEADERS, 'content-type': 'application/fhir+json' }, payload: '{"resourceType":"Practitioner"' })
  t.equal(fhirJson.statusCode, 400, 'malformed application/fhir+json: 400')
  t.equal(fhirJson.json().resourceType, 'OperationOutcome')
  const notPractitioner = await create(app, { resourceType: 'Patient' })
  t.equal(notPractitioner.statusCode, 400)
  t.equal(notPractitioner.json().issue[0].code, 'structure')
  const several = await create(app, { resourceType: 'Practitioner' })
  t.ok(several.json().issue.length >= 4, 'every fault of a resource is listed')

  const viaFhirJson = await app.inject({ method: 'POST', url: '/fhir/Practitioner', headers: { ...HEADERS, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(regulator(randomUUID(), 'fj@sas.test', 'Fhir', 'Json', SAS)) })
  t.equal(viaFhirJson.statusCode, 201, 'application/fhir+json bodies are read')

  const anonymous = await create(app, regulator(randomUUID(), 'anon@sas.test', 'A', 'B', SAS), { 'content-type': 'application/json' })
  t.equal(anonymous.statusCode, 401, 'no credential: 401')
  const regulatorToken = await bearerToken(app, terr.users.regulator.cookie)
  const byRegulator = await create(app, regulator(randomUUID(), 'reg@sas.test', 'A', 'B', SAS), { ...HEADERS, authorization: `Bearer ${regulatorToken}` })
  t.equal(byRegulator.statusCode, 403, 'a regulator\'s API token searches slots but manages no account: 403')
})
