// The admin's import panel shows the importer's line errors in French: every problem the
// importer can name has its French sentence (a new English one without it fails here).
import t from 'tap'
import { parseSeasonCsv, type ImportPractitioner } from '../server/features/season-import/season-import.js'
import { frenchImportError, frenchProblem, splitProblems } from '../web/lib/import-errors.js'

const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const NOW = new Date('2020-09-15T08:00:00.000Z')
const GP = '10000000017'
const PSY = '10000000025'
const LOST = '10000000033'
const c1 = { id: 'c1', name: 'CPTS Un', finess: '850000001', zone: 'Europe/Paris' }
const c9 = { id: 'c9', name: 'CPTS Sud Réunion', finess: null, zone: 'Indian/Reunion' }
const places = (id: string) => ({ homePlaceId: `${id}-home`, places: new Map([['cabinet', `${id}-home`]]), memberships: [c1, c9] })
const practitioners = new Map<string, ImportPractitioner>([
  [GP, { id: 'gp', cptsId: 'c1', zone: 'Europe/Paris', profession: 'gp', ...places('gp') }],
  [PSY, { id: 'psy', cptsId: 'c1', zone: 'Europe/Paris', profession: 'psychiatrist', ...places('psy') }],
  [LOST, { id: 'lost', cptsId: null, zone: null, profession: 'gp', ...places('lost'), memberships: [] }]
])
const S = '2020-07-13T12:00:00+02:00'
const E = '2020-07-13T12:15:00+02:00'

const LINES = [
  `,${S},${E},snp,office,,,,`,
  `99999999999,${S},${E},snp,office,,,,`,
  `${LOST},${S},${E},snp,office,,,,`,
  `${GP},,,snp,office,,,,`,
  `${GP},13/07/2020,${E},snp,office,,,,`,
  `${GP},1999-07-13T12:00:00Z,${E},snp,office,,,,`,
  `${GP},${E},${S},snp,office,,,,`,
  `${GP},2021-07-13T12:00:00Z,2021-07-13T12:15:00Z,snp,office,,2021-07-13T10:00:00Z,booked,no`,
  `${GP},${S},${E},xyz,tent,,,,`,
  `${GP},${S},${E},psy,office,,,,`,
  `${PSY},${S},${E},snp,office,,,,`,
  `${GP},${S},${E},snp,office,2020-07-12T10:00:00Z,2020-07-12T10:00:00Z,honored,no`,
  `${GP},${S},${E},snp,office,,,honored,`,
  `${GP},${S},${E},snp,office,,2020-07-12T10:00:00Z,,`,
  `${GP},${S},${E},snp,office,,2020-07-12T10:00:00Z,won,maybe`,
  `${GP},${S},${E},snp,office`,
  `${GP},2020-08-13T12:00:00+02:00,2020-08-13T12:15:00+02:00,snp,office,,,,`,
  `${GP},2020-08-13T12:10:00+02:00,2020-08-13T12:25:00+02:00,snp,office,,,,`
]

function problemsOf (csv: string): string[] {
  return parseSeasonCsv(csv, practitioners, NOW).errors.flatMap((e) => splitProblems(e.message))
}

t.test('every problem the importer names has its French', async (t) => {
  const problems = [
    ...problemsOf([HEADER, ...LINES].join('\n')),
    ...problemsOf(''),
    ...problemsOf('a,b,c\n1,2,3'),
    ...problemsOf('rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,outcome,extra\n'),
    ...problemsOf(HEADER + '\n'),
    ...problemsOf(HEADER + '\n"unclosed,quote'),
    ...problemsOf([`${HEADER},place,cpts`,
      `${GP},${S},${E},snp,office,,,,,Hôpital,CPTS Deux`,
      `${GP},2020-07-14T12:00:00+02:00,2020-07-14T12:15:00+02:00,snp,office,,,,,,CPTS Un|CPTS Sud Réunion`
    ].join('\n')),
    // Only the database finds this one (import.test.ts shows it).
    'overlaps a slot of this practitioner already in the calendar (starting 2020-07-13T12:00:00+02:00): was this file imported before?'
  ]
  t.ok(problems.length >= 25, `${problems.length} problems`)
  for (const p of problems) {
    const fr = frenchProblem(p)
    t.ok(fr !== null, `French for: ${p}`)
    t.notMatch(fr ?? '', /\b(is|must|the|and|not a|required|found)\b/, `no English left: ${fr ?? ''}`)
  }
})

t.test('a line of several problems reads as French sentences; an unknown one as written', async (t) => {
  t.equal(frenchImportError('end must be after start; booked_at is in the future'),
    'La fin doit être après le début. La date de réservation est dans le futur.')
  t.same(splitProblems('bad header line (missing column end; unknown column "x"): expected a,b'), ['bad header line (missing column end; unknown column "x"): expected a,b'])
  t.equal(frenchImportError('something new'), 'something new')
})
