import t from 'tap'
import { parseSeasonCsv, type ImportPractitioner } from '../server/features/season-import/season-import.js'
import { build } from './helpers/build.js'
import { countRows, territory, type Territory } from './helpers/fixtures.js'
import { givePlace, joinCpts } from './helpers/places.js'

/** The season import: all lines or none, every bad line named, history without live events. */
const NOW = '2020-09-15T08:00:00.000Z'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const TABLES = ['slots', 'bookings', 'events', 'audit_log'] as const

/** The assertions a subtest passes to the helpers. */
type Asserts = Pick<typeof t, 'equal' | 'match' | 'same'>

/** Five good lines for the GP and the psychiatrist of the first CPTS (lines 2–6 of the file). */
function goodLines (terr: Territory): string[] {
  const gp = terr.users.gp.rpps ?? ''
  const psy = terr.users.psy.rpps ?? ''
  return [
    `${gp},2020-07-13T12:00:00+02:00,2020-07-13T12:15:00+02:00,snp,office,,2020-07-13T08:00:00Z,honored,no`,
    `${gp},2020-07-13T12:15:00+02:00,2020-07-13T12:30:00+02:00,snp,video,,2020-07-13T08:05:00Z,no_show,yes`,
    `${gp},2020-07-13T12:30:00+02:00,2020-07-13T12:45:00+02:00,snp,home,2020-07-12T18:00:00Z,,,`,
    `${gp},2020-07-13T12:45:00+02:00,2020-07-13T13:00:00+02:00,snp,office,,2020-07-13T09:00:00Z,cancelled,unknown`,
    `${psy},2020-07-15T10:00:00.000+02:00,2020-07-15T10:30:00.000+02:00,psy,office,,,,`
  ]
}

t.test('season import', async (t) => {
  const { app, db } = await build(t, {}, NOW)
  const terr = await territory(app)
  const gp = terr.users.gp.rpps ?? ''
  const send = async (payload: string, cookie = terr.adminCookie, type = 'text/csv') =>
    await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie, 'content-type': type }, payload })
  const refused = async (t: Asserts, payload: string, errors: Array<{ line: number, message: RegExp }>) => {
    const before = await countRows(db, TABLES)
    const res = await send(payload)
    t.equal(res.statusCode, 400, 'HTTP 400', { body: res.body })
    const body = res.json()
    t.equal(body.code, 'IMPORT_INVALID')
    t.equal(body.error, 'Bad Request')
    t.match(body.message, /nothing was imported/)
    t.same(body.errors.map((e: any) => e.line), errors.map((e) => e.line), 'the bad lines, by number (header = 1)')
    errors.forEach((e, i) => t.match(body.errors[i]?.message, e.message, `line ${e.line}`))
    t.same(await countRows(db, TABLES), before, 'nothing written')
    return body
  }

  t.test('one bad line anywhere refuses the whole file and names it', async (t) => {
    const lines = goodLines(terr)
    lines.splice(3, 0, `${gp},2020-07-14T12:00:00+02:00,2020-07-14T12:00:00+02:00,snp,office,,,,`)
    const body = await refused(t, [HEADER, ...lines].join('\n'), [{ line: 5, message: /end must be after start/ }])
    t.match(body.message, /^line 5: end must be after start/)
  })

  t.test('an unknown RPPS is a bad line', async (t) => {
    const lines = goodLines(terr)
    lines.push('10000000991,2020-07-16T10:00:00+02:00,2020-07-16T10:15:00+02:00,snp,office,,,,')
    await refused(t, [HEADER, ...lines].join('\n'), [{ line: 7, message: /unknown RPPS 10000000991/ }])
  })

  t.test('every rule of a line, every bad line listed', async (t) => {
    const psy = terr.users.psy.rpps ?? ''
    const bad = [
      `${gp},2020-07-16T10:00:00,2020-07-16T10:15:00+02:00,snp,office,,,,`, // 2: no offset
      `${gp},2020-07-16T10:00:00+02:00,2020-07-16T10:15:00+02:00,snp,office,2020-07-15T10:00:00Z,2020-07-15T10:00:00Z,honored,no`, // 3
      `${gp},2020-07-16T11:00:00+02:00,2020-07-16T11:15:00+02:00,snp,office,,,honored,no`, // 4: outcome without booked_at
      `${gp},2020-07-16T12:00:00+02:00,2020-07-16T12:15:00+02:00,psy,office,,,,`, // 5: a GP with a psy slot
      `${psy},2020-07-16T12:00:00+02:00,2020-07-16T12:15:00+02:00,snp,office,,,,`, // 6: a psychiatrist with an snp slot
      `${gp},2020-07-16T13:00:00+02:00,2020-07-16T13:15:00+02:00,snp,car,,,,`, // 7: mode
      `${gp},2020-07-16T14:00:00+02:00,2020-07-16T14:15:00+02:00,snp,office,,2020-07-16T10:00:00Z,done,no`, // 8: outcome
      `${gp},2020-07-16T15:00:00+02:00,2020-07-16T15:15:00+02:00,snp,office,,2020-07-16T10:00:00Z,honored,`, // 9: has_treating_gp missing
      `${gp},2020-07-16T16:00:00+02:00,2020-07-16T16:15:00+02:00,snp,office,,2020-07-16T10:00:00Z,honored,maybe`, // 10
      `${gp},2020-07-16T17:00:00+02:00,2020-07-16T17:15:00+02:00,snp,office,,2020-07-16T10:00:00Z,,no`, // 11: outcome missing
      `${gp},2020-09-16T10:00:00+02:00,2020-09-16T10:15:00+02:00,snp,office,,,,`, // 12: future
      `${gp},2020-07-16T18:00:00+02:00,2020-07-16T18:15:00+02:00,snp,office`, // 13: short line
      `${gp},2020-07-16T18:00:00+02:00,2020-07-16T18:30:00+02:00,snp,office,,,,`, // 14: good
      `${gp},2020-07-16T18:15:00+02:00,2020-07-16T18:45:00+02:00,snp,office,,,,`, // 15: overlaps line 14
      `,2020-07-16T19:00:00+02:00,2020-07-16T19:15:00+02:00,snp,office,,,,`, // 16: no rpps
      `${gp},2020-02-30T10:00:00+01:00,,snp,office,,,,` // 17: no such date, no end
    ]
    await refused(t, [HEADER, ...bad].join('\n'), [
      { line: 2, message: /start "2020-07-16T10:00:00" is not an ISO 8601 date-time with an offset/ },
      { line: 3, message: /withdrawn_at and booked_at are both set/ },
      { line: 4, message: /outcome without booked_at/ },
      { line: 5, message: /is a GP: GPs have snp slots/ },
      { line: 6, message: /is a psychiatrist: psychiatrists have psy slots/ },
      { line: 7, message: /mode must be office, video, home, not "car"/ },
      { line: 8, message: /outcome must be booked, honored, no_show, cancelled, not "done"/ },
      { line: 9, message: /has_treating_gp is required/ },
      { line: 10, message: /has_treating_gp must be yes, no, unknown/ },
      { line: 11, message: /outcome is required when booked_at is set/ },
      { line: 12, message: /start is in the future/ },
      { line: 13, message: /expected 9 fields .* found 5/ },
      { line: 15, message: /overlaps the slot of line 14/ },
      { line: 16, message: /rpps is required/ },
      { line: 17, message: /start "2020-02-30T10:00:00\+01:00" is not an ISO 8601.*; end is required/ }
    ])
  })

  t.test('the header line is required', async (t) => {
    const lines = goodLines(terr)
    await refused(t, lines.join('\n'), [{ line: 1, message: /missing header line: the first line must be rpps,start,end/ }])
    await refused(t, ['rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome', ...lines].join('\n'), [{ line: 1, message: /missing column has_treating_gp/ }])
    await refused(t, [HEADER + ',patient', ...lines].join('\n'), [{ line: 1, message: /unknown column "patient"/ }])
    await refused(t, '', [{ line: 1, message: /empty file/ }])
    await refused(t, HEADER + '\n', [{ line: 1, message: /no slot in the file/ }])
    await refused(t, `${HEADER}\n${gp},"2020-07-13T12:00:00+02:00,x\n`, [{ line: 2, message: /unreadable CSV: Quote Not Closed/ }])
  })

  t.test('only an admin imports', async (t) => {
    const csv = [HEADER, ...goodLines(terr)].join('\n')
    for (const who of ['board', 'regulator', 'gp'] as const) {
      const res = await send(csv, terr.users[who].cookie)
      t.equal(res.statusCode, 403, who)
    }
    t.equal((await app.inject({ method: 'POST', url: '/api/import/season', headers: { 'content-type': 'text/csv' }, payload: csv })).statusCode, 401)
    t.same(await countRows(db, ['slots']), { slots: 0 })
  })

  t.test('a good file', async (t) => {
    const before = await countRows(db, TABLES)
    const res = await send([HEADER, ...goodLines(terr)].join('\r\n') + '\r\n')
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    t.same(res.json(), { slots: 5, bookings: 3 })
    const after = await countRows(db, TABLES)
    t.same(after, { slots: (before.slots ?? 0) + 5, bookings: (before.bookings ?? 0) + 3, events: before.events, audit_log: (before.audit_log ?? 0) + 1 },
      'slots, bookings and one audit entry; no live event: it is history')
    const audit = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
    t.equal(audit.action, 'season.import')
    t.match(JSON.parse(audit.detail ?? '{}'), { slots: 5, bookings: 3, practitioners: 2 })

    const slots = await db.selectFrom('slots').leftJoin('bookings', 'bookings.slot_id', 'slots.id')
      .select(['slots.start_at', 'slots.mode', 'slots.status', 'slots.booking_id', 'slots.withdrawn_at', 'slots.cpts_id', 'slots.local_date', 'slots.local_hour',
        'bookings.status as booking', 'bookings.has_treating_gp', 'bookings.booked_by', 'bookings.patient_last_name', 'bookings.patient_phone'])
      .orderBy('slots.start_at').execute()
    t.same(slots.map((s) => [s.start_at, s.mode, s.status, s.booking_id !== null, s.withdrawn_at, s.local_date, s.local_hour, s.booking, s.has_treating_gp]), [
      ['2020-07-13T10:00:00.000Z', 'office', 'booked', true, null, '2020-07-13', 12, 'honored', 'no'],
      ['2020-07-13T10:15:00.000Z', 'video', 'booked', true, null, '2020-07-13', 12, 'no_show', 'yes'],
      ['2020-07-13T10:30:00.000Z', 'home', 'withdrawn', false, '2020-07-12T18:00:00.000Z', '2020-07-13', 12, null, null],
      ['2020-07-13T10:45:00.000Z', 'office', 'free', false, null, '2020-07-13', 12, 'cancelled', 'unknown'],
      ['2020-07-15T08:00:00.000Z', 'office', 'free', false, null, '2020-07-15', 10, null, null]
    ], 'a cancelled booking is kept and leaves its slot free; withdrawn_at withdraws')
    t.ok(slots.every((s) => s.cpts_id === terr.cpts[0]?.id), 'in the CPTS of the practitioner')
    t.ok(slots.every((s) => s.booked_by === null && s.patient_last_name === null && s.patient_phone === null), 'no author, no patient identity')

    const report = (await app.inject({ method: 'GET', url: '/api/reports/season?from=2020-07-13&to=2020-07-19', headers: { cookie: terr.adminCookie } })).json()
    t.same(report.totals, {
      offered: 4, booked: 2, honored: 1, noShow: 1, withdrawn: 1, fillRate: 0.5, honoredRate: 0.5, noShowRate: 0.5,
      withoutTreatingGpShare: 0.5, unmetDemand: 0, majorationEuros: 15
    }, 'the report reflects it')
    t.same(report.leadTime, { medianHours: 2, p90Hours: 130 / 60, count: 2 }, 'honored booked 2 h ahead, the no-show 2 h 10 ahead (nearest rank, to the minute)')

    await refused(t, [HEADER, ...goodLines(terr)].join('\n'), [2, 3, 5, 6].map((line) => ({ line, message: /already in the calendar .*imported before/ })))
  })

  t.test('spreadsheet exports: BOM, semicolons, quotes, columns in any order, blank lines', async (t) => {
    const csv = '\uFEFF' + [
      'RPPS;kind;start;end;mode;withdrawn_at;booked_at;outcome;has_treating_gp',
      `"${gp}";snp;2020-08-03T12:00:00+02:00;2020-08-03T12:15:00+02:00;"office";;;;`,
      '',
      `${gp};snp;2020-08-03T12:15:00+02:00;2020-08-03T12:30:00+02:00;office;;2020-08-03T06:00:00Z;booked;unknown`,
      `${gp};snp;2020-08-03T12:30:00+02:00;2020-08-03T12:45:00+02:00;office;;;honored;no`
    ].join('\n')
    await refused(t, csv, [{ line: 5, message: /outcome without booked_at/ }])
    const res = await send(csv.split('\n').slice(0, 4).join('\n'))
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    t.same(res.json(), { slots: 2, bookings: 1 })
  })

  t.test('optional columns: the place (by label) and the CPTS (by name or FINESS) of each slot', async (t) => {
    const [c1, c2] = terr.cpts as [Territory['cpts'][number], Territory['cpts'][number]]
    const gpId = terr.users.gp.id
    const msp = await givePlace(db, gpId, { label: 'Maison de santé des Marais' })
    await joinCpts(db, gpId, c2.id)
    await db.updateTable('cpts').set({ finess: '850000019' }).where('id', '=', c2.id).execute()
    const reunion = (await app.inject({ method: 'POST', url: '/api/cpts', headers: { cookie: terr.adminCookie }, payload: { name: 'CPTS Sud Réunion', timezone: 'Indian/Reunion' } })).json()
    await joinCpts(db, gpId, reunion.id)
    const at = (h: number) => `2020-08-10T${h}:00:00+02:00,2020-08-10T${h}:15:00+02:00`
    const head = `${HEADER},place,cpts`.replaceAll(',', ';')
    const line = (h: number, place: string, cpts: string) => `${gp},${at(h)},snp,office,,,,,${place},${cpts}`.replaceAll(',', ';')

    await refused(t, [head,
      line(10, 'Hôpital', ''),
      line(11, '', 'CPTS Côte de Lumière|CPTS Inconnue'),
      line(12, '', 'CPTS Côte de Lumière|CPTS Sud Réunion'),
      `${gp};${at(13).replace(',', ';')};snp;office;;;;`
    ].join('\n'), [
      { line: 2, message: /^unknown place "Hôpital" for RPPS \d+: not one of the practitioner's places$/ },
      { line: 3, message: /^CPTS "CPTS Inconnue" is not one of the CPTS of RPPS \d+$/ },
      { line: 4, message: /^the CPTS "CPTS Côte de Lumière", "CPTS Sud Réunion" are not in one time zone/ },
      { line: 5, message: /^expected 11 fields \(rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp,place,cpts\), found 9$/ }
    ])

    const res = await send([head,
      line(10, 'maison de sante des marais', ''),
      line(11, '', 'CPTS Pays de Monts | cpts côte de lumière'),
      line(12, '', '850000019')
    ].join('\r\n'))
    t.equal(res.statusCode, 201, 'HTTP 201', { body: res.body })
    const slots = await db.selectFrom('slots').select(['id', 'start_at', 'place_id', 'cpts_id']).where('local_date', '=', '2020-08-10').orderBy('start_at').execute()
    t.same(slots.map((s) => [s.place_id, s.cpts_id]), [[msp, c1.id], [gpId, c1.id], [gpId, c2.id]],
      'the place named (folded), else the home one; the home CPTS when named or none is, else the first named')
    const offers = await db.selectFrom('slot_offers').select(['slot_id', 'cpts_id']).where('slot_id', 'in', slots.map((s) => s.id)).execute()
    t.same(offers, [{ slot_id: slots[1]!.id, cpts_id: c2.id }], 'the other CPTS named, as an offer')

    const report = (await app.inject({ method: 'GET', url: '/api/reports/season?from=2020-08-10&to=2020-08-10', headers: { cookie: terr.adminCookie } })).json()
    t.equal(report.totals.offered, 3, 'each slot once in the totals')
    t.same(report.byCpts.filter((c: any) => c.offered > 0).map((c: any) => [c.cptsId, c.offered]), [[c1.id, 2], [c2.id, 2]], 'and in each CPTS it was offered to')
  })

  t.test('a body that is not CSV', async (t) => {
    const res = await send(JSON.stringify({ rows: [] }), terr.adminCookie, 'application/json')
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'VALIDATION')
  })
})

t.test('parseSeasonCsv alone', async (t) => {
  const c1 = { id: 'c1', name: 'CPTS Un', finess: null, zone: 'Europe/Paris' }
  const practitioners = new Map<string, ImportPractitioner>([
    ['10000000017', { id: 'gp', cptsId: 'c1', zone: 'Europe/Paris', profession: 'gp', homePlaceId: 'gp-home', places: new Map([['cabinet', 'gp-home']]), memberships: [c1] }],
    ['10000000025', { id: 'loose', cptsId: null, zone: null, profession: 'gp', homePlaceId: 'loose-home', places: new Map(), memberships: [] }]
  ])
  const now = new Date(NOW)
  const { lines, errors } = parseSeasonCsv([HEADER,
    '10000000017,2020-07-13T12:00:00Z,2020-07-13T12:15:00Z,snp,office,,2020-07-13T10:00:00Z,booked,yes',
    '10000000025,2020-07-13T12:00:00Z,2020-07-13T12:15:00Z,snp,office,,,,'
  ].join('\n'), practitioners, now)
  t.same(errors, [{ line: 3, message: 'the practitioner with RPPS 10000000025 is not attached to a CPTS' }])
  t.equal(lines.length, 1)
  t.match(lines[0], { line: 2, practitionerId: 'gp', placeId: 'gp-home', cptsId: 'c1', extraCptsIds: [], kind: 'snp', withdrawnAt: null, booking: { outcome: 'booked', hasTreatingGp: 'yes' } })
  const withdrawnOverlap = parseSeasonCsv([HEADER,
    '10000000017,2020-07-13T12:00:00Z,2020-07-13T12:30:00Z,snp,office,2020-07-01T00:00:00Z,,,',
    '10000000017,2020-07-13T12:15:00Z,2020-07-13T12:45:00Z,snp,office,,,,'
  ].join('\n'), practitioners, now)
  t.same(withdrawnOverlap.errors, [], 'a withdrawn slot overlaps nothing (as when publishing)')
})

t.test('the OpenAPI document describes the refused import and its bad lines', async (t) => {
  const { app } = await build(t, {}, NOW)
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
  const refused = doc.paths['/api/import/season'].post.responses['400']
  t.ok(refused, 'a 400 response is documented')
  const schema = refused.content['application/json'].schema
  t.same(schema.properties.code.enum, ['IMPORT_INVALID', 'VALIDATION'])
  t.same(Object.keys(schema.properties.errors.items.properties).sort(), ['line', 'message'])
})
