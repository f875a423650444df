import t from 'tap'
import { localDate, toZonedIso } from '../server/lib/zoned-time.js'
import {
  DEFAULT_LIMITS, SERIES_MAX_COUNT, checkSlotTimes, expandSeries, wallToInstant
} from '../server/features/slots/slot-times.js'
import type { SeriesInput, SeriesSlot, SlotLimits } from '../server/features/slots/slot-times.js'

// Every test passes an explicit "now": nothing here depends on today's date.
const PARIS = 'Europe/Paris'
const REUNION = 'Indian/Reunion'
const CAYENNE = 'America/Cayenne'
const NOUMEA = 'Pacific/Noumea'
const MIN = 60_000
const DAY = 24 * 60 * MIN

const d = (iso: string): Date => new Date(iso)
const starts = (slots: SeriesSlot[]): string[] => slots.map((s) => s.start.toISOString())
const ends = (slots: SeriesSlot[]): string[] => slots.map((s) => s.end.toISOString())
const paths = (issues: { path: (string | number)[] }[]): string[] => issues.map((i) => i.path.join('.'))

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7]
const WORK_DAYS = [1, 2, 3, 4, 5]

function series (over: Partial<SeriesInput>): SeriesInput {
  return { from: '2026-07-13', to: '2026-07-13', weekdays: ALL_DAYS, startTime: '12:00', slotMinutes: 30, count: 1, ...over }
}

t.test('DEFAULT_LIMITS are 5 to 240 minutes, 180 days ahead', async (t) => {
  t.same(DEFAULT_LIMITS, { minMinutes: 5, maxMinutes: 240, maxDaysAhead: 180 })
  t.equal(SERIES_MAX_COUNT, 48)
})

t.test('checkSlotTimes', async (t) => {
  const now = d('2026-07-01T08:00:00Z')
  const check = (start: string, end: string, limits: SlotLimits = DEFAULT_LIMITS) =>
    checkSlotTimes(d(start), d(end), now, limits)

  t.same(check('2026-07-13T10:00:00Z', '2026-07-13T10:30:00Z'), [], 'a 30-minute slot next week is fine')

  const before = check('2026-07-13T10:00:00Z', '2026-07-13T09:30:00Z')
  t.equal(before.length, 1)
  t.same(before[0], { code: 'custom', path: ['end'], message: 'end must be after start' }, 'end before start')
  t.same(paths(check('2026-07-13T10:00:00Z', '2026-07-13T10:00:00Z')), ['end'], 'end equal to start')

  const four = check('2026-07-13T10:00:00Z', '2026-07-13T10:04:00Z')
  t.same(paths(four), ['end'], '4 minutes is too short')
  t.match(four[0]?.message, /at least 5 minutes/)
  t.same(check('2026-07-13T10:00:00Z', '2026-07-13T10:05:00Z'), [], '5 minutes is the shortest')
  t.same(check('2026-07-13T10:00:00Z', '2026-07-13T14:00:00Z'), [], '240 minutes is the longest')
  const long = check('2026-07-13T10:00:00Z', '2026-07-13T14:01:00Z')
  t.same(paths(long), ['end'], '241 minutes is too long')
  t.match(long[0]?.message, /at most 240 minutes/)

  const past = check('2026-07-01T07:59:00Z', '2026-07-01T08:29:00Z')
  t.same(paths(past), ['start'], 'a slot starting one minute ago is in the past')
  t.match(past[0]?.message, /past/)
  t.same(check('2026-07-01T08:00:00Z', '2026-07-01T08:30:00Z'), [], 'a slot starting exactly now is fine')

  const limit = new Date(now.getTime() + 180 * DAY)
  t.same(checkSlotTimes(limit, new Date(limit.getTime() + 30 * MIN), now, DEFAULT_LIMITS), [],
    'exactly 180 days ahead is fine')
  const beyond = new Date(limit.getTime() + MIN)
  const far = checkSlotTimes(beyond, new Date(beyond.getTime() + 30 * MIN), now, DEFAULT_LIMITS)
  t.same(paths(far), ['start'], '180 days and one minute ahead is too far')
  t.match(far[0]?.message, /180 days/)

  t.same(paths(check('2026-06-30T10:00:00Z', '2026-06-30T09:00:00Z')), ['end', 'start'],
    'several problems are all reported')
  t.same(paths(checkSlotTimes(new Date('nope'), d('2026-07-13T10:00:00Z'), now, DEFAULT_LIMITS)), ['start'],
    'an invalid date is an issue, not a crash')
  t.same(paths(checkSlotTimes(d('2026-07-13T10:00:00Z'), new Date('nope'), now, DEFAULT_LIMITS)), ['end'],
    'an invalid end too')

  const custom = { minMinutes: 10, maxMinutes: 60, maxDaysAhead: 7 }
  t.same(paths(check('2026-07-02T10:00:00Z', '2026-07-02T10:05:00Z', custom)), ['end'], 'custom minimum')
  t.same(paths(check('2026-07-09T10:00:00Z', '2026-07-09T10:30:00Z', custom)), ['start'], 'custom days ahead')
})

t.test('Europe/Paris: a series across the spring DST change keeps 12:00 local', async (t) => {
  const now = d('2026-03-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-03-27', to: '2026-03-30' }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [])
  t.same(starts(r.slots), [
    '2026-03-27T11:00:00.000Z',
    '2026-03-28T11:00:00.000Z',
    '2026-03-29T10:00:00.000Z',
    '2026-03-30T10:00:00.000Z'
  ])
  t.same(ends(r.slots), [
    '2026-03-27T11:30:00.000Z',
    '2026-03-28T11:30:00.000Z',
    '2026-03-29T10:30:00.000Z',
    '2026-03-30T10:30:00.000Z'
  ])
  t.same(r.slots.map((s) => toZonedIso(s.start, PARIS)), [
    '2026-03-27T12:00:00+01:00',
    '2026-03-28T12:00:00+01:00',
    '2026-03-29T12:00:00+02:00',
    '2026-03-30T12:00:00+02:00'
  ])
})

t.test('Europe/Paris: a series across the autumn DST change keeps 12:00 local', async (t) => {
  const now = d('2026-09-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-10-24', to: '2026-10-26' }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [])
  t.same(starts(r.slots), ['2026-10-24T10:00:00.000Z', '2026-10-25T11:00:00.000Z', '2026-10-26T11:00:00.000Z'])
  t.same(r.slots.map((s) => toZonedIso(s.start, PARIS)),
    ['2026-10-24T12:00:00+02:00', '2026-10-25T12:00:00+01:00', '2026-10-26T12:00:00+01:00'])
})

t.test('Europe/Paris: 02:30 on 2026-03-29 does not exist and is skipped', async (t) => {
  const now = d('2026-03-01T00:00:00Z')
  const one = expandSeries(series({ from: '2026-03-29', to: '2026-03-29', startTime: '02:30' }), PARIS, now, DEFAULT_LIMITS)
  t.same(one.issues, [])
  t.same(one.slots, [])
  t.same(one.skipped, [{ start: '2026-03-29T02:30', reason: 'nonexistent_local_time' }])

  const around = expandSeries(series({ from: '2026-03-28', to: '2026-03-30', startTime: '02:30' }), PARIS, now, DEFAULT_LIMITS)
  t.same(starts(around.slots), ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z'], 'the days around are kept')
  t.same(around.skipped, [{ start: '2026-03-29T02:30', reason: 'nonexistent_local_time' }])

  t.equal(wallToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 0 }, PARIS), null, '02:00 does not exist either')
  t.equal(wallToInstant({ year: 2026, month: 3, day: 29, hour: 3, minute: 0 }, PARIS)?.toISOString(),
    '2026-03-29T01:00:00.000Z', '03:00 exists')
  t.equal(wallToInstant({ year: 2026, month: 3, day: 29, hour: 1, minute: 59 }, PARIS)?.toISOString(),
    '2026-03-29T00:59:00.000Z', '01:59 exists')
})

t.test('Europe/Paris: 02:30 on 2026-10-25 takes the first occurrence (+02:00)', async (t) => {
  const now = d('2026-09-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-10-25', to: '2026-10-25', startTime: '02:30' }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [])
  t.same(starts(r.slots), ['2026-10-25T00:30:00.000Z'])
  t.same(ends(r.slots), ['2026-10-25T01:00:00.000Z'])
  t.equal(toZonedIso(r.slots[0]!.start, PARIS), '2026-10-25T02:30:00+02:00')

  // Back-to-back slots through the repeated hour: wall-clock 01:30, 02:00, 02:30, 03:00.
  const run = expandSeries(series({ from: '2026-10-25', to: '2026-10-25', startTime: '01:30', count: 4 }), PARIS, now, DEFAULT_LIMITS)
  t.same(starts(run.slots), [
    '2026-10-24T23:30:00.000Z',
    '2026-10-25T00:00:00.000Z',
    '2026-10-25T00:30:00.000Z',
    '2026-10-25T02:00:00.000Z'
  ])
  t.same(run.slots.map((s) => toZonedIso(s.start, PARIS)), [
    '2026-10-25T01:30:00+02:00',
    '2026-10-25T02:00:00+02:00',
    '2026-10-25T02:30:00+02:00',
    '2026-10-25T03:00:00+01:00'
  ])
})

t.test('Europe/Paris: slots next to the spring gap', async (t) => {
  const now = d('2026-03-01T00:00:00Z')
  const day = { from: '2026-03-29', to: '2026-03-29' }

  const into = expandSeries(series({ ...day, startTime: '01:45' }), PARIS, now, DEFAULT_LIMITS)
  t.same(starts(into.slots), ['2026-03-29T00:45:00.000Z'])
  t.same(ends(into.slots), ['2026-03-29T01:15:00.000Z'], 'a slot ending in the gap lasts its 30 real minutes')
  t.equal(toZonedIso(into.slots[0]!.end, PARIS), '2026-03-29T03:15:00+02:00')

  const run = expandSeries(series({ ...day, startTime: '01:30', count: 4 }), PARIS, now, DEFAULT_LIMITS)
  t.same(starts(run.slots), ['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z'], '01:30 (+01:00) and 03:00 (+02:00) exist')
  t.same(run.skipped, [
    { start: '2026-03-29T02:00', reason: 'nonexistent_local_time' },
    { start: '2026-03-29T02:30', reason: 'nonexistent_local_time' }
  ])

  const overlap = expandSeries(series({ ...day, startTime: '01:45', slotMinutes: 45, count: 3 }), PARIS, now, DEFAULT_LIMITS)
  t.same(starts(overlap.slots), ['2026-03-29T00:45:00.000Z'], 'only the first slot is published')
  t.same(ends(overlap.slots), ['2026-03-29T01:30:00.000Z'], '01:45 + 45 real minutes = 03:30 local')
  t.same(overlap.skipped, [
    { start: '2026-03-29T02:30', reason: 'nonexistent_local_time' },
    { start: '2026-03-29T03:15:00+02:00', reason: 'overlaps_previous' }
  ], '03:15 local would overlap the slot ending at 03:30')
})

t.test('Indian/Reunion (UTC+4, no DST): 12:00 is 08:00Z all year', async (t) => {
  const now = d('2026-01-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-03-28', to: '2026-03-30' }), REUNION, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(starts(r.slots), ['2026-03-28T08:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z'])
  t.same(r.slots.map((s) => toZonedIso(s.start, REUNION)),
    ['2026-03-28T12:00:00+04:00', '2026-03-29T12:00:00+04:00', '2026-03-30T12:00:00+04:00'])
  const early = expandSeries(series({ from: '2026-03-29', to: '2026-03-29', startTime: '02:30' }), REUNION, now, DEFAULT_LIMITS)
  t.same(starts(early.slots), ['2026-03-28T22:30:00.000Z'], '02:30 exists in Reunion on the Paris DST day')
  t.same(early.skipped, [])
})

t.test('America/Cayenne (UTC-3) and Pacific/Noumea (UTC+11)', async (t) => {
  const now = d('2026-07-01T00:00:00Z')
  const cay = expandSeries(series({ from: '2026-07-13', to: '2026-07-14' }), CAYENNE, now, DEFAULT_LIMITS)
  t.same(starts(cay.slots), ['2026-07-13T15:00:00.000Z', '2026-07-14T15:00:00.000Z'])
  t.equal(toZonedIso(cay.slots[0]!.start, CAYENNE), '2026-07-13T12:00:00-03:00')

  const nou = expandSeries(series({ from: '2026-07-13', to: '2026-07-14', startTime: '08:00' }), NOUMEA, now, DEFAULT_LIMITS)
  t.same(starts(nou.slots), ['2026-07-12T21:00:00.000Z', '2026-07-13T21:00:00.000Z'], '08:00 in Noumea is the day before in UTC')
  t.equal(toZonedIso(nou.slots[0]!.start, NOUMEA), '2026-07-13T08:00:00+11:00')
  t.equal(localDate(nou.slots[0]!.start, NOUMEA), '2026-07-13')
})

t.test('weekdays filter: Monday to Friday over two weeks, two 15-minute slots a day', async (t) => {
  const now = d('2026-07-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-07-13', to: '2026-07-26', weekdays: WORK_DAYS, slotMinutes: 15, count: 2 }),
    PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [])
  t.equal(r.slots.length, 20, '10 working days × 2')
  t.same(starts(r.slots.slice(0, 4)), [
    '2026-07-13T10:00:00.000Z', '2026-07-13T10:15:00.000Z',
    '2026-07-14T10:00:00.000Z', '2026-07-14T10:15:00.000Z'
  ])
  t.same(ends(r.slots.slice(0, 2)), ['2026-07-13T10:15:00.000Z', '2026-07-13T10:30:00.000Z'])
  t.same(r.slots.slice(0, 2).map((s) => toZonedIso(s.start, PARIS)),
    ['2026-07-13T12:00:00+02:00', '2026-07-13T12:15:00+02:00'])
  const dates = [...new Set(r.slots.map((s) => localDate(s.start, PARIS)))]
  t.same(dates, [
    '2026-07-13', '2026-07-14', '2026-07-15', '2026-07-16', '2026-07-17',
    '2026-07-20', '2026-07-21', '2026-07-22', '2026-07-23', '2026-07-24'
  ], 'no Saturday nor Sunday')

  const weekend = expandSeries(series({ from: '2026-07-13', to: '2026-07-26', weekdays: [6, 7, 7] }), PARIS, now, DEFAULT_LIMITS)
  t.same(weekend.slots.map((s) => localDate(s.start, PARIS)), ['2026-07-18', '2026-07-19', '2026-07-25', '2026-07-26'],
    'weekend only; a repeated weekday is harmless')
})

t.test('a summer season: 13 July to 10 September, weekdays, two slots at noon', async (t) => {
  const now = d('2026-07-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-07-13', to: '2026-09-10', weekdays: WORK_DAYS, slotMinutes: 15, count: 2 }),
    PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [])
  t.equal(r.slots.length, 88, '44 working days (8 full weeks + Mon–Thu) × 2')
  t.equal(r.slots[0]?.start.toISOString(), '2026-07-13T10:00:00.000Z')
  t.equal(r.slots.at(-1)?.start.toISOString(), '2026-09-10T10:15:00.000Z')
  t.equal(r.slots.at(-1)?.end.toISOString(), '2026-09-10T10:30:00.000Z')
  t.ok(r.slots.every((s) => toZonedIso(s.start, PARIS).slice(11) === '12:00:00+02:00' ||
    toZonedIso(s.start, PARIS).slice(11) === '12:15:00+02:00'), 'every slot at 12:00 or 12:15 local')
  t.ok(r.slots.every((s, i) => i === 0 || s.start.getTime() >= r.slots[i - 1]!.end.getTime()),
    'in order, without overlap')
})

t.test('a run of slots may cross midnight into the next date', async (t) => {
  const now = d('2026-07-01T00:00:00Z')
  const r = expandSeries(series({ from: '2026-07-13', to: '2026-07-13', startTime: '23:30', count: 3 }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.slots.map((s) => toZonedIso(s.start, PARIS)),
    ['2026-07-13T23:30:00+02:00', '2026-07-14T00:00:00+02:00', '2026-07-14T00:30:00+02:00'])
})

t.test('past slots are skipped with in_the_past, the rest is published', async (t) => {
  const now = d('2026-07-15T10:00:00Z') // 12:00 in Paris on Wednesday 15 July
  const r = expandSeries(series({ from: '2026-07-13', to: '2026-07-16', slotMinutes: 15, count: 2 }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(r.skipped, [
    { start: '2026-07-13T12:00:00+02:00', reason: 'in_the_past' },
    { start: '2026-07-13T12:15:00+02:00', reason: 'in_the_past' },
    { start: '2026-07-14T12:00:00+02:00', reason: 'in_the_past' },
    { start: '2026-07-14T12:15:00+02:00', reason: 'in_the_past' }
  ])
  t.same(starts(r.slots), [
    '2026-07-15T10:00:00.000Z', '2026-07-15T10:15:00.000Z',
    '2026-07-16T10:00:00.000Z', '2026-07-16T10:15:00.000Z'
  ], 'a slot starting exactly now is kept')

  const all = expandSeries(series({ from: '2026-07-01', to: '2026-07-02' }), PARIS, now, DEFAULT_LIMITS)
  t.same(all.issues, [], 'a series entirely in the past is not an input error')
  t.same(all.slots, [])
  t.same(all.skipped.map((s) => s.reason), ['in_the_past', 'in_the_past'])
})

t.test('slots beyond maxDaysAhead are skipped with too_far_ahead', async (t) => {
  const now = d('2026-01-01T00:00:00Z') // + 180 days = 2026-06-30T00:00:00Z
  const r = expandSeries(series({ from: '2026-06-28', to: '2026-07-01' }), PARIS, now, DEFAULT_LIMITS)
  t.same(r.issues, [])
  t.same(starts(r.slots), ['2026-06-28T10:00:00.000Z', '2026-06-29T10:00:00.000Z'])
  t.same(r.skipped, [
    { start: '2026-06-30T12:00:00+02:00', reason: 'too_far_ahead' },
    { start: '2026-07-01T12:00:00+02:00', reason: 'too_far_ahead' }
  ])

  const week = { minMinutes: 5, maxMinutes: 240, maxDaysAhead: 7 }
  const short = expandSeries(series({ from: '2026-01-05', to: '2026-01-09' }), PARIS, now, week)
  t.same(short.slots.map((s) => localDate(s.start, PARIS)), ['2026-01-05', '2026-01-06', '2026-01-07'])
  t.same(short.skipped.map((s) => s.reason), ['too_far_ahead', 'too_far_ahead'])
})

t.test('bad series input gives issues and no slots', async (t) => {
  const now = d('2026-07-01T00:00:00Z')
  const bad = (over: Partial<SeriesInput>, limits: SlotLimits = DEFAULT_LIMITS) => {
    const r = expandSeries(series(over), PARIS, now, limits)
    t.same(r.slots, [])
    t.same(r.skipped, [])
    t.ok(r.issues.every((i) => i.code === 'custom' && i.message.length > 0))
    return paths(r.issues)
  }
  t.same(bad({ from: '2026-07-14', to: '2026-07-13' }), ['to'], 'to before from')
  t.same(bad({ weekdays: [1, 8] }), ['weekdays.1'], 'weekday 8')
  t.same(bad({ weekdays: [0] }), ['weekdays.0'], 'weekday 0')
  t.same(bad({ weekdays: [1.5] }), ['weekdays.0'], 'weekday 1.5')
  t.same(bad({ weekdays: [] }), ['weekdays'], 'no weekday')
  t.same(bad({ slotMinutes: 3 }), ['slotMinutes'], 'slotMinutes 3')
  t.same(bad({ slotMinutes: 300 }), ['slotMinutes'], 'slotMinutes 300')
  t.same(bad({ slotMinutes: 12.5 }), ['slotMinutes'], 'slotMinutes 12.5')
  t.same(bad({ count: 0 }), ['count'], 'count 0')
  t.same(bad({ count: 49 }), ['count'], 'count 49')
  t.same(bad({ count: 1.5 }), ['count'], 'count 1.5')
  t.same(bad({ slotMinutes: 60, count: 25 }), ['count'], 'one day of slots longer than 24 hours')
  t.same(bad({ startTime: '24:00' }), ['startTime'], 'startTime 24:00')
  t.same(bad({ startTime: '9:00' }), ['startTime'], 'startTime 9:00')
  t.same(bad({ from: '2026-02-30', to: '13/07/2026' }), ['from', 'to'], 'not dates')
  t.same(bad({ from: '2026-07-13', to: '2027-01-10' }), ['to'], '182 days is too long a range')
  t.same(bad({ from: '2026-07-14', to: '2026-07-13', weekdays: [], slotMinutes: 3, count: 0 }),
    ['to', 'weekdays', 'slotMinutes', 'count'], 'every problem is reported')
  t.same(bad({ slotMinutes: 5 }, { minMinutes: 10, maxMinutes: 60, maxDaysAhead: 7 }), ['slotMinutes'], 'custom limits')

  const edge = expandSeries(series({ from: '2026-07-13', to: '2027-01-09', startTime: '12:00', slotMinutes: 240, count: 6 }),
    PARIS, now, DEFAULT_LIMITS)
  t.same(edge.issues, [], '181 days, 48 × 5 minutes and 6 × 240 minutes are all accepted')
  t.same(expandSeries(series({ slotMinutes: 5, count: 48 }), PARIS, now, DEFAULT_LIMITS).slots.length, 48)

  t.throws(() => expandSeries(series({}), 'Europe/Nowhere', now, DEFAULT_LIMITS), RangeError, 'an unknown zone throws')
})

t.test('toZonedIso and localDate', async (t) => {
  t.equal(toZonedIso(d('2026-07-13T10:00:00Z'), PARIS), '2026-07-13T12:00:00+02:00', 'July in Paris: +02:00')
  t.equal(toZonedIso(d('2026-01-13T11:00:00Z'), PARIS), '2026-01-13T12:00:00+01:00', 'January in Paris: +01:00')
  t.equal(toZonedIso(d('2026-07-13T08:00:00Z'), REUNION), '2026-07-13T12:00:00+04:00', 'Reunion: +04:00')
  t.equal(toZonedIso(d('2026-01-13T08:00:00Z'), REUNION), '2026-01-13T12:00:00+04:00', 'Reunion in January too')
  t.equal(toZonedIso(d('2026-07-13T10:00:00.999Z'), PARIS), '2026-07-13T12:00:00+02:00', 'milliseconds are dropped')
  t.equal(toZonedIso('2026-07-13T10:00:00.000Z', PARIS), '2026-07-13T12:00:00+02:00', 'a string with Z')
  t.equal(toZonedIso('2026-07-13T14:00:00+04:00', PARIS), '2026-07-13T12:00:00+02:00', 'a string with another offset')
  t.equal(toZonedIso('2026-07-13T10:00:00', PARIS), '2026-07-13T12:00:00+02:00', 'a string without offset is UTC')
  t.equal(toZonedIso('2026-07-13T10:00:00Z', 'UTC'), '2026-07-13T10:00:00+00:00')
  t.throws(() => toZonedIso('not a date', PARIS), RangeError)
  t.throws(() => toZonedIso(new Date('nope'), PARIS), RangeError)
  t.throws(() => toZonedIso(d('2026-07-13T10:00:00Z'), 'Europe/Nowhere'), RangeError)

  t.equal(localDate(d('2026-07-13T21:59:00Z'), PARIS), '2026-07-13')
  t.equal(localDate(d('2026-07-13T22:00:00Z'), PARIS), '2026-07-14', 'midnight in Paris is 22:00Z in summer')
  t.equal(localDate('2026-01-13T23:00:00Z', PARIS), '2026-01-14', 'and 23:00Z in winter')
  t.equal(localDate('2026-07-13T20:00:00Z', REUNION), '2026-07-14')
  t.equal(localDate('2026-07-14T02:00:00Z', CAYENNE), '2026-07-13')
})
