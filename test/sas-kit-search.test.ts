// Issue 21: the certification kit's slot-search families (lib/sas_test_kit/aggregation/), both
// options, replayed on our answers: the request as the kit builds it (setup_helper.rb), then its
// assertions, FHIRPath by FHIRPath, written in JS (where(resource.meta.profile = X) selects the
// entries of a profile): the single-place, multi-PS, multi-lieux and multi-CPTS groups.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { DateTime } from 'luxon'
import { build } from './helpers/build.js'
import { validateR4 } from './helpers/fhir-validate.js'
import { PROFILES as P } from './helpers/sas-profiles.js'
import { PASSWORD, practitionerProfile, territory } from './helpers/fixtures.js'
import { givePlace, joinCpts } from './helpers/places.js'

type Json = any

const TOKEN = 'sas-platform-secret-0123456789'
const PUBLIC_URL = 'https://creneaux.example.fr'
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json+fhir' }
const EXT = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType'
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/

type Option = 'ig_launch_1' | 'ig_launch_2'

/** SetupHelper.calculate_date_range, at `now` (the kit runs with TZ=Europe/Paris). */
function kitDateRange (now: Date): { start: string, end: string } {
  const local = DateTime.fromJSDate(now, { zone: 'Europe/Paris' })
  const capped = DateTime.min(local.plus({ days: 3 }), local.plus({ hours: 72 }), local.plus({ days: 2 }).endOf('day'))
  const fmt = (d: DateTime): string => d.toFormat("yyyy-MM-dd'T'HH:mm:ss")
  return { start: fmt(local), end: fmt(capped) }
}

/** SetupHelper.build_slot_search_params, encoded as a Ruby HTTP client sends it. */
function kitQuery (option: Option, ids: string[], range: { start: string, end: string }): string {
  const e = encodeURIComponent
  const idParam = ids.map((id) => `urn:oid:1.2.250.1.71.4.2.1|${id}`).join(',')
  const params: Array<[string, string]> = option === 'ig_launch_1'
    ? [['_include', 'Slot:schedule'], ['_include:iterate', 'Schedule:actor'], ['schedule.actor:Practitioner.identifier', idParam],
        ['start', `ge${range.start}.000+00:00`], ['start', `le${range.end}.000+00:00`], ['status', 'free']]
    : [['_include', 'Slot:schedule'], ['_include', 'Slot:service-type-reference'], ['_include:iterate', 'Schedule:actor'],
        ['_include:iterate', 'HealthcareService:organization'], ['schedule.actor:Practitioner.identifier', idParam],
        ['start', `ge${range.start}.000`], ['start', `le${range.end}.000`], ['status', 'free']]
  return params.map(([k, v]) => `${e(k)}=${e(v)}`).join('&')
}

/** CGI.parse: key → sorted values, `+` and %-escapes decoded. */
function cgiParse (url: string): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const query = url.split('?')[1] ?? ''
  for (const part of query.split('&')) {
    if (part === '') continue
    const [k = '', v = ''] = part.split('=').map((s) => decodeURIComponent(s.replace(/\+/g, ' ')))
    ;(out[k] ??= []).push(v)
  }
  for (const k of Object.keys(out)) out[k]!.sort()
  return out
}

const ofProfile = (bundle: Json, profile: string): Json[] =>
  (bundle.entry ?? []).filter((e: Json) => (e.resource?.meta?.profile ?? []).includes(profile)).map((e: Json) => e.resource)

async function post (app: FastifyInstance, cookie: string, url: string, payload: object): Promise<Json> {
  const res = await app.inject({ method: 'POST', url, payload, headers: { cookie } })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

interface World { app: FastifyInstance, ids: { solo: string, other: string }, now: Date }

/**
 * A CPTS with its FINESS and phone; a GP consulting at one place, with the practice's FINESS
 * (PractitionerRole.organization), a name in two parts, a phone, slots of every type of
 * consultation; a second GP for the multi-PS search.
 */
async function world (t: Test): Promise<World> {
  const { app, clock } = await build(t, { FHIR_TOKENS: TOKEN, PUBLIC_URL })
  const terr = await territory(app)
  const cpts = await post(app, terr.adminCookie, '/api/cpts', { name: 'CPTS du Marais breton', finess: '850012345', phone: '02 51 49 00 01' })
  t.equal(cpts.phone, '02 51 49 00 01', 'the CPTS keeps its phone')
  // An existing CPTS gets its SAS details afterwards (admin only, audited).
  const patch = async (cookie: string, payload: object) => await app.inject({ method: 'PATCH', url: `/api/cpts/${String(cpts.id)}`, headers: { cookie }, payload })
  t.equal((await patch(terr.users.regulator.cookie, { phone: '02 51 49 00 00' })).statusCode, 403, 'PATCH /api/cpts/:id: admins only')
  t.equal((await patch(terr.adminCookie, { phone: '12' })).statusCode, 400, 'a phone out of shape: 400')
  const patched = await patch(terr.adminCookie, { phone: '02 51 49 00 00' })
  t.same(patched.json(), { ...cpts, phone: '02 51 49 00 00' }, 'the phone changed, nothing else')
  const audit = await app.db.selectFrom('audit_log').select('detail').where('action', '=', 'cpts.update').execute()
  t.same(audit.map((a) => JSON.parse(a.detail ?? '{}')), [{ fields: ['phone'] }], 'audited')
  const gp = async (n: number, name: string, extra: object = {}): Promise<string> => {
    const { user } = await post(app, terr.adminCookie, '/api/users', {
      email: `k${n}@cpts.test`, name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: { ...practitionerProfile(n), ...extra }
    })
    for (const [hhmm, mode] of [['10:00', 'office'], ['11:00', 'video'], ['14:00', 'home']] as const) {
      const start = new Date(`2026-06-02T${hhmm}:00+02:00`)
      await post(app, terr.adminCookie, '/api/slots', { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode, practitionerId: user.id })
    }
    return `8${String(user.practitioner.rpps)}`
  }
  const solo = await gp(301, 'Marie DUPONT', { structureId: '1850099999' })
  const other = await gp(302, 'Jean MARTIN')
  // The practice's identifier can be set afterwards too, and is refused out of shape.
  const bad = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: terr.adminCookie }, payload: { email: 'k9@cpts.test', name: 'X Y', password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: { ...practitionerProfile(309), structureId: '2123' } } })
  t.equal(bad.statusCode, 400, 'a structure identifier out of shape: 400')
  return { app, ids: { solo, other }, now: clock.now() }
}

async function setup (t: Test, w: Pick<World, 'app' | 'now'>, option: Option, ids: string[]): Promise<{ bundle: Json, query: string, range: { start: string, end: string } }> {
  const range = kitDateRange(w.now)
  const query = kitQuery(option, ids, range)
  const res = await w.app.inject({ method: 'GET', url: `/fhir/Slot?${query}`, headers: HEADERS })
  t.equal(res.statusCode, 200, 'setup: 200')
  t.match(res.headers['content-type'], /^application\/fhir\+json/, 'setup: application/fhir+json')
  const bundle = res.json()
  t.equal(bundle.resourceType, 'Bundle')
  t.ok((bundle.entry ?? []).length > 0, 'setup: the Bundle is not empty')
  t.same(validateR4(bundle), [], 'a valid R4 Bundle')
  return { bundle, query: `${PUBLIC_URL}/fhir/Slot?${query}`, range }
}

for (const option of ['ig_launch_1', 'ig_launch_2'] as const) {
  const cpts = option === 'ig_launch_2'
  const SLOT = cpts ? P.slotCpts : P.slot

  t.test(`${option} (${cpts ? 'CPTS' : 'PS indiv'}): the kit's single-place, optional-fields and slot-type families`, async (t) => {
    const w = await world(t)
    const { bundle, query, range } = await setup(t, w, option, [w.ids.solo])

    // slot_group: the Bundle's profile (validated by the kit against IG 1.1.0)
    t.same(bundle.meta.profile, [cpts ? P.bundleCpts : P.bundle], 'slot_group: the option\'s Bundle profile')

    // validate_cardinality
    t.equal(ofProfile(bundle, P.practitioner).length, 1, 'validate_cardinality: one Practitioner')
    t.equal(ofProfile(bundle, P.schedule).length, 1, 'one Schedule')
    t.equal(ofProfile(bundle, P.practitionerRole).length, 1, 'one PractitionerRole')
    t.equal(ofProfile(bundle, P.practitionerRole).flatMap((r: Json) => r.contained ?? []).length, 1, 'one Location')
    t.equal(bundle.total, ofProfile(bundle, SLOT).length, 'total = the Slots of the option\'s profile')
    t.equal(ofProfile(bundle, SLOT).length, 3, 'the three slots')

    // validate_rpps, ps_validate_rpps
    const [practitioner] = ofProfile(bundle, P.practitioner)
    t.equal(practitioner.identifier[0].value, w.ids.solo, 'validate_rpps: the RPPS asked for')
    t.match(practitioner.identifier[0].value, /^8[0-9]{11}$/)

    // validate_dates
    const slots = ofProfile(bundle, SLOT)
    t.equal(ofProfile(bundle, P.slot).filter((s: Json) => new Date(s.start) < w.now).length, 0, 'validate_dates: none before now')
    for (const s of slots) {
      t.ok(s.start.slice(0, 10) <= range.end.slice(0, 10), 'starts by the end of the search')
      t.match(s.start, INSTANT, `start ${String(s.start)} as AAAA-MM-DDTHH:MM:SS.000+0X:00`)
      t.match(s.end, INSTANT, `end ${String(s.end)} likewise`)
      t.ok(new Date(s.start) < new Date(s.end), 'start < end')
    }

    // validate_ref
    const [role] = ofProfile(bundle, P.practitionerRole)
    const actors = ofProfile(bundle, P.schedule).flatMap((s: Json) => s.actor.map((a: Json) => a.reference)).join(', ')
    t.equal(role.practitioner.reference, `Practitioner/${String(practitioner.id)}`, 'validate_ref: role → Practitioner')
    t.ok(actors.includes(`PractitionerRole/${String(role.id)}`) && actors.includes(`Practitioner/${String(practitioner.id)}`), 'Schedule → both')
    t.equal(role.location[0].reference, `#${String(role.contained[0].id)}`, 'role → its contained Location')

    // validate_location
    const address = role.contained[0].address
    t.ok(address.line?.length > 0 && address.city !== undefined, 'validate_location: line and city')
    t.match(address.postalCode, /^[0-9]{5}$/, 'a 5-digit postal code')

    // bundle_url_equal_url
    t.same(cgiParse(bundle.link[0].url), cgiParse(query), 'bundle_url_equal_url: the same query')

    // slot_has_url (FrSlotAgregateur slots), ps_validate_slots_status, ps_validate_appointmentType
    t.ok(ofProfile(bundle, P.slot).every((s: Json) => typeof s.comment === 'string' && s.comment.trim() !== ''), 'slot_has_url')
    t.ok(slots.every((s: Json) => s.status === 'free'), 'ps_validate_slots_status')
    t.ok(slots.every((s: Json) => ['ROUTINE', 'WALKIN'].includes(s.appointmentType.coding[0].code)), 'ps_validate_appointmentType')

    // practi_optionnel_group_ps
    t.ok(practitioner.name[0].family?.length > 0, 'ps_validate_name')
    t.ok(practitioner.name[0].given?.[0]?.length > 0, 'ps_validate_firstname')
    t.match(role.telecom?.[0]?.value, /^\+33\d{9}$/, 'ps_validate_phone')
    t.match(role.organization?.identifier?.value, /^(1[0-9]{9}|3[0-9]{14}|4[0-9]{14})$/, 'ps_validate_idnst: the practice\'s IdNat_Struct')
    t.same(role.organization.identifier, {
      type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'IDNST' }] },
      system: 'urn:oid:1.2.250.1.71.4.2.2',
      value: '1850099999'
    }, 'as the profile patterns it')

    // optionslots_group: the user declares SNP (PS) or CPTS (CPTS option), and AMB, VR, HH
    const audiences = new Set(slots.flatMap((s: Json) => s.meta.security.map((c: Json) => c.code)))
    t.same([...audiences], [cpts ? 'CPTS' : 'SNP'], `${cpts ? 'cpts' : 'ps'}_validate_slot_type: exactly ${cpts ? 'CPTS' : 'SNP'}`)
    const kinds = new Set(slots.flatMap((s: Json) => s.serviceType.flatMap((st: Json) => (st.coding ?? []).map((c: Json) => c.code))).filter((c: string) => c !== '604'))
    t.same([...kinds].sort(), ['AMB', 'HH', 'VR'], 'ps_validate_motif_type')

    if (cpts) {
      // validate_cardinality_cpts, validate_ref_cpts, validate_cpts_id
      const hs = ofProfile(bundle, P.healthcareService)
      const orgs = ofProfile(bundle, P.organization)
      t.ok(hs.length > 0 && hs.length === orgs.length, 'validate_cardinality_cpts: as many HealthcareServices as Organizations')
      t.equal(hs[0].providedBy.reference, `Organization/${String(orgs[0].id)}`, 'validate_ref_cpts: providedBy')
      const refs = slots.flatMap((s: Json) => s.serviceType.filter((st: Json) => (st.coding ?? []).some((c: Json) => c.code === '604'))
        .flatMap((st: Json) => st.extension.filter((x: Json) => x.url === EXT).map((x: Json) => x.valueReference.reference)))
      t.ok(refs.length > 0 && refs.every((r: string) => r === `HealthcareService/${String(hs[0].id)}`), 'every CPTS serviceType names the HealthcareService')
      t.match(orgs[0].identifier[0].value, /^1[0-9]{9}$/, 'validate_cpts_id')
      t.same(orgs[0].identifier[0].type.coding.map((c: Json) => `${String(c.system)}#${String(c.code)}`), [
        'http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type#IDNST',
        'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203#IDNST'
      ], 'the identifier type of IG 1.1.0 and of IG 1.2.0')
      // orga_optionnel_group
      t.equal(orgs[0].name, 'CPTS du Marais breton', 'Vérification nom CPTS')
      t.same(orgs[0].telecom, [{ system: 'phone', value: '+33251490000' }], 'Vérification téléphone CPTS')
    }
  })

  t.test(`${option}: the kit's multi-PS search and its performance request`, async (t) => {
    const w = await world(t)
    const { bundle } = await setup(t, w, option, [w.ids.solo, w.ids.other])
    t.equal(ofProfile(bundle, P.practitioner).length, 2, 'validate_practitioner_cardinality_2: exactly two')
    t.ok(ofProfile(bundle, P.practitionerRole).length >= 2, 'validate_practitionerrole_cardinality_2')
    t.ok(ofProfile(bundle, P.schedule).length >= 2, 'validate_schedule_cardinality_2')
    // performance_group: always the PS form of the request
    const range = kitDateRange(w.now)
    const res = await w.app.inject({ method: 'GET', url: `/fhir/Slot?${kitQuery('ig_launch_1', [w.ids.solo], range)}`, headers: HEADERS })
    t.equal(res.statusCode, 200, 'Test de performance: 200 and a Bundle (its time is the benchmark\'s business)')
    t.equal(res.json().resourceType, 'Bundle')
  })
}

/**
 * The kit's practitioner_id2 data (README, "Connecting to the SAS platform", step 3): two CPTS
 * with a FINESS and a phone; a GP of the first, member of the second, consulting at two places
 * (the home one, and a health centre with its own IdNat_Struct and phone), with a free slot at
 * home offered to CPTS A and one at the centre offered to CPTS B; and the practitioner_id GP, one
 * place, slots offered to A only.
 */
interface TwoPlacesWorld {
  app: FastifyInstance
  now: Date
  adminCookie: string
  cpts: { a: string, b: string }
  solo: string
  multi: { id: string, idnps: string, home: string, centre: string }
}

async function twoPlacesWorld (t: Test): Promise<TwoPlacesWorld> {
  const { app, clock } = await build(t, { FHIR_TOKENS: TOKEN, PUBLIC_URL })
  const terr = await territory(app)
  const a = await post(app, terr.adminCookie, '/api/cpts', { name: 'CPTS du Marais breton', finess: '850012345', phone: '02 51 49 00 01' })
  const b = await post(app, terr.adminCookie, '/api/cpts', { name: 'CPTS Océan Vendée', finess: '850054321', phone: '02 51 35 00 02' })
  const gp = async (n: number, name: string, structureId: string): Promise<{ id: string, idnps: string }> => {
    const { user } = await post(app, terr.adminCookie, '/api/users', {
      email: `k${n}@cpts.test`, name, password: PASSWORD, role: 'practitioner', cptsId: a.id, practitioner: { ...practitionerProfile(n), structureId }
    })
    return { id: user.id, idnps: `8${String(user.practitioner.rpps)}` }
  }
  const solo = await gp(301, 'Marie DUPONT', '1850099999')
  const multi = await gp(303, 'Paul LEROY', '1850077777')
  await joinCpts(app.db, multi.id, b.id)
  const centre = await givePlace(app.db, multi.id, {
    label: 'Maison de santé de Challans', address: '3 rue Carnot', postalCode: '85300', commune: 'Challans', communeCode: '85047',
    structureId: '1850088888', phone: '02 51 93 00 00'
  })
  const w = { app, now: clock.now(), adminCookie: terr.adminCookie, cpts: { a: a.id, b: b.id }, solo: solo.idnps, multi: { ...multi, home: multi.id, centre } }
  await slotOf(w, solo.id, '2026-06-02T10:00')
  await slotOf(w, multi.id, '2026-06-02T09:00')
  await slotOf(w, multi.id, '2026-06-02T15:00', { placeId: centre, cptsIds: [b.id] })
  return w
}

/** A 15-minute office slot published by the admin (wall time in Paris), at a place and to CPTS when given. */
async function slotOf (w: Pick<TwoPlacesWorld, 'app' | 'adminCookie'>, practitionerId: string, local: string, offer: { placeId?: string, cptsIds?: string[] } = {}): Promise<Json> {
  const start = new Date(`${local}:00+02:00`)
  return await post(w.app, w.adminCookie, '/api/slots', {
    start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office', practitionerId, ...offer
  })
}

/** multi_lieux_group.rb after its setup: the seven tests, one assertion each. */
function multiLieux (t: Test, bundle: Json): void {
  const practitioners = ofProfile(bundle, P.practitioner)
  const roles = ofProfile(bundle, P.practitionerRole)
  const schedules = ofProfile(bundle, P.schedule)
  t.equal(practitioners.length, 1, 'validate_practitioner_cardinality_1: exactly one Practitioner')
  t.equal(roles.length, 2, 'validate_practitionerrole_cardinality_1: exactly two PractitionerRoles')
  t.equal(schedules.length, 2, 'validate_schedule_cardinality_1: exactly two Schedules')
  const practitioner = `Practitioner/${String(practitioners[0]?.id)}`
  t.ok(roles.every((r: Json) => r.practitioner.reference === practitioner), 'validate_practitionerrole_practitioner_ref')
  const roleIds = roles.map((r: Json) => r.id)
  t.ok(schedules.every((s: Json) => s.actor.filter((a: Json) => a.reference.startsWith('PractitionerRole/'))
    .every((a: Json) => roleIds.includes(a.reference.split('/').pop()))), 'validate_schedule_practitionerrole_ref')
  t.ok(schedules.every((s: Json) => {
    const refs = s.actor.filter((a: Json) => a.reference.startsWith('Practitioner/')).map((a: Json) => a.reference)
    return refs.length === 1 && refs[0] === practitioner
  }), 'validate_schedule_practitioner_ref: one Practitioner actor each, the one of the Bundle')
  const locationRefs = roles.flatMap((r: Json) => r.location.map((l: Json) => l.reference))
  const locationIds = roles.flatMap((r: Json) => r.contained.filter((c: Json) => c.resourceType === 'Location').map((c: Json) => c.id))
  t.ok(locationRefs.length > 0 && locationRefs.every((ref: string, i: number) => `#${String(locationIds[i])}` === ref), 'validate_practitionerrole_location_ref')
}

/** The CPTS serviceType references of a Slot (extension-Slot.serviceType). */
const hsRefs = (slot: Json): string[] => (slot.serviceType ?? []).flatMap((st: Json) => (st.extension ?? [])
  .filter((x: Json) => x.url === EXT).map((x: Json) => x.valueReference?.reference)).filter((r: unknown) => r !== undefined)

/**
 * two_slot_two_cpts_group.rb, or single_slot_two_cpts_group.rb (`oneSlotTwoCpts`), after their
 * setup: the six tests, one assertion each.
 */
function multiCpts (t: Test, bundle: Json, oneSlotTwoCpts: boolean): void {
  const hs = ofProfile(bundle, P.healthcareService)
  const orgs = ofProfile(bundle, P.organization)
  const slots = ofProfile(bundle, P.slotCpts)
  const hsUrls = hs.map((h: Json) => `HealthcareService/${String(h.id)}`)
  t.ok(hs.length >= 2, 'cpts_validate_healthcare_service_cardinality: two HealthcareServices at least')
  t.ok(orgs.length >= 2, 'cpts_validate_organization_cardinality: two Organizations at least')
  const codes = [...new Set(slots.flatMap((s: Json) => s.meta.security.map((c: Json) => c.code)))]
  t.ok(codes.every((c) => c === 'CPTS'), 'cpts_validate_meta: every CPTS Slot\'s meta.security code is CPTS')
  t.ok(slots.flatMap((s: Json) => s.serviceType).some((st: Json) => (st.coding ?? [])
    .some((c: Json) => c.system === 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement' && c.code === '604')),
  'cpts_validate_service_type: TRE_R66 604')
  if (oneSlotTwoCpts) {
    t.ok(slots.some((s: Json) => new Set(hsRefs(s)).size >= 2 && hsRefs(s).every((r) => hsUrls.includes(r))),
      'cpts_validate_service_type_multiple_healthcare_service_ref: a Slot names two HealthcareServices of the Bundle')
  } else {
    t.ok(slots.some((s: Json) => hsRefs(s).some((r) => hsUrls.includes(r))), 'cpts_validate_service_type_healthcare_service_ref')
  }
  const orgUrls = orgs.map((o: Json) => `Organization/${String(o.id)}`)
  const providers = hs.map((h: Json) => h.providedBy?.reference)
  t.ok(providers.every((r: string) => orgUrls.includes(r)) && new Set(providers).size >= 2,
    'cpts_validate_healthcare_service_organization_ref: every HealthcareService by an Organization of the Bundle, two at least')
}

for (const option of ['ig_launch_1', 'ig_launch_2'] as const) {
  t.test(`${option}: the kit's multi-lieux group on practitioner_id2 (one GP, two places)`, async (t) => {
    const w = await twoPlacesWorld(t)
    const { bundle } = await setup(t, w, option, [w.multi.idnps])
    multiLieux(t, bundle)
    t.same(ofProfile(bundle, P.practitionerRole).map((r: Json) => r.id).sort(), [w.multi.home, w.multi.centre].sort(),
      'a PractitionerRole per place, by its id (the home place keeps the account\'s)')
    // Each place as itself: its address, its practice's IdNat_Struct, its phone (the centre's own).
    const centre = ofProfile(bundle, P.practitionerRole).find((r: Json) => r.id === w.multi.centre)
    t.match(centre, {
      contained: [{ resourceType: 'Location', id: 'lieu', address: { line: ['3 rue Carnot'], city: 'Challans', postalCode: '85300' } }],
      organization: { identifier: { value: '1850088888' } },
      telecom: [{ system: 'phone', value: '+33251930000' }]
    }, 'the centre\'s role: its address, structure and phone')
    const home = ofProfile(bundle, P.practitionerRole).find((r: Json) => r.id === w.multi.home)
    t.match(home, { organization: { identifier: { value: '1850077777' } }, telecom: [{ value: '+33251580003' }] }, 'the home place: the practitioner\'s structure and phone')
    const slots = ofProfile(bundle, option === 'ig_launch_2' ? P.slotCpts : P.slot)
    t.same(slots.map((s: Json) => s.schedule.reference).sort(), [`Schedule/${w.multi.home}`, `Schedule/${w.multi.centre}`].sort(), 'each Slot in its place\'s Schedule')
    if (option === 'ig_launch_1') t.equal(ofProfile(bundle, P.healthcareService).length, 0, 'PS option: no CPTS resource')
  })
}

t.test('ig_launch_2: the kit\'s multi-CPTS groups on practitioner_id2 (one GP in two CPTS), practitioner_id still one CPTS', async (t) => {
  const w = await twoPlacesWorld(t)

  // two_slot_two_cpts: a slot seen by CPTS A, another by CPTS B, none by both.
  const two = (await setup(t, w, 'ig_launch_2', [w.multi.idnps])).bundle
  multiCpts(t, two, false)
  t.same(ofProfile(two, P.slotCpts).map((s: Json) => hsRefs(s)), [[`HealthcareService/${w.cpts.a}`], [`HealthcareService/${w.cpts.b}`]],
    'the 09:00 slot seen by A, the 15:00 one by B')
  t.notOk(ofProfile(two, P.slotCpts).some((s: Json) => new Set(hsRefs(s)).size >= 2), '(no slot seen by both yet: the single-slot group would fail)')
  t.equal(ofProfile(two, P.slot).length, 0, 'no slot outside a CPTS')

  // single_slot_two_cpts: one slot offered to both (the practitioner_id2 data of the README).
  const shared = await slotOf(w, w.multi.id, '2026-06-03T09:00', { cptsIds: [w.cpts.b, w.cpts.a] })
  t.same(shared.cptsIds, [w.cpts.a, w.cpts.b], 'published to both: its own CPTS (the home one) first')
  const one = (await setup(t, w, 'ig_launch_2', [w.multi.idnps])).bundle
  multiCpts(t, one, true)
  t.same(hsRefs(ofProfile(one, P.slotCpts).find((s: Json) => s.id === shared.id)), [`HealthcareService/${w.cpts.a}`, `HealthcareService/${w.cpts.b}`],
    'the shared slot names both HealthcareServices, its own CPTS first')
  t.equal(ofProfile(one, P.healthcareService).length, ofProfile(one, P.organization).length, 'as many HealthcareServices as Organizations')
  multiLieux(t, one)

  // practitioner_id: single_practitioner_single_location's CPTS tests stay green beside it.
  const solo = (await setup(t, w, 'ig_launch_2', [w.solo])).bundle
  const hs = ofProfile(solo, P.healthcareService)
  t.ok(hs.length > 0 && hs.length === ofProfile(solo, P.organization).length, 'validate_cardinality_cpts (practitioner_id)')
  t.ok(ofProfile(solo, P.slotCpts).flatMap(hsRefs).every((r: string) => r === `HealthcareService/${String(hs[0].id)}`), 'validate_ref_cpts (practitioner_id)')
  t.equal(ofProfile(solo, P.practitionerRole).length, 1, 'validate_cardinality (practitioner_id): one PractitionerRole')

  // Both GPs in one search (search_multiple_ps_group): each resource once, every reference resolves.
  const both = (await setup(t, w, 'ig_launch_2', [w.solo, w.multi.idnps])).bundle
  t.equal(ofProfile(both, P.practitioner).length, 2, 'validate_practitioner_cardinality_2')
  t.equal(ofProfile(both, P.schedule).length, 3, 'three Schedules: one place, and two')
  const urls = new Set((both.entry as Json[]).map((e) => `${String(e.resource.resourceType)}/${String(e.resource.id)}`))
  t.equal(urls.size, both.entry.length, 'each resource once')
  t.ok(ofProfile(both, P.slotCpts).every((s: Json) => urls.has(s.schedule.reference) && hsRefs(s).every((r) => urls.has(r))), 'every Slot reference resolves')
})
